import { useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { carelogApi } from '../api/pending.ts';
import { ResultState } from './State.tsx';

const TITLES = { measurements: 'measurementsTitle', consent: 'consentTitle', hours: 'hoursTitle' } as const;

/** Pages whose API is still being built: they ask the real route and show what it answers. */
export function PendingPage({ t, route }: { t: Translate; route: 'consent' | 'hours' }): ReactNode {
  const [result, setResult] = useState<ApiResult<unknown> | undefined>();
  useEffect(() => {
    if (route === 'hours') void carelogApi.hours().then(setResult);
    else setResult({ kind: 'unavailable' });
  }, [route]);
  return (
    <>
      <h1>{t(TITLES[route])}</h1>
      {route === 'consent' && <p>{t('consentIntro')}</p>}
      <ResultState t={t} result={result}>
        {(value) => <pre>{JSON.stringify(value, null, 2)}</pre>}
      </ResultState>
    </>
  );
}
