import type { ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { ResultState } from './State.tsx';

/** Consent screens wait for the exchange's consent register: "nog niet beschikbaar" until it lands. */
export function PendingPage({ t }: { t: Translate; route: 'consent' }): ReactNode {
  return (
    <>
      <h1>{t('consentTitle')}</h1>
      <p>{t('consentIntro')}</p>
      <ResultState t={t} result={{ kind: 'unavailable' }}>
        {() => null}
      </ResultState>
    </>
  );
}
