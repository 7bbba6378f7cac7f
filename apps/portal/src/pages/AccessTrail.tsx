import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { exchangeApi, type AccessTrailItem } from '../api/exchange.ts';
import { categoryKey } from './vocabulary.ts';
import { ResultState } from './State.tsx';

/** Wie heeft mijn gegevens bekeken: every recorded access to her data, newest first. */
export function AccessTrailPage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<{ accesses: AccessTrailItem[] }> | undefined>();
  const load = useCallback(() => void exchangeApi.accessTrail().then(setResult), []);
  useEffect(load, [load]);
  return (
    <>
      <h1>{t('accessTitle')}</h1>
      <p>{t('accessIntro')}</p>
      <ResultState t={t} result={result} retry={load}>
        {({ accesses }) =>
          accesses.length === 0 ? (
            <p className="notice">{t('noAccesses')}</p>
          ) : (
            <ol className="timeline">
              {accesses.map((a, i) => (
                <li key={`${a.at}-${i}`}>
                  <p className="meta">
                    <time dateTime={a.at}>{a.at.slice(0, 16).replace('T', ' ')}</time> ·{' '}
                    <span
                      className={`tag ${a.outcome === 'refused' ? 'status-rejected' : 'status-approved'}`}
                    >
                      {t(a.outcome === 'refused' ? 'accessRefused' : 'accessAllowed')}
                    </span>
                  </p>
                  <h2>
                    {a.accessor.name ?? a.accessor.id} ({a.role}), {a.organisation.name ?? a.organisation.ura}
                  </h2>
                  <p>
                    {t(categoryKey(a.category))} · {t(`purpose-${a.purpose}` as MessageKey)}
                    {a.breakTheGlass && ` · ${t('breakTheGlass')}`}
                    {a.reason && ` · ${a.reason}`}
                  </p>
                </li>
              ))}
            </ol>
          )
        }
      </ResultState>
    </>
  );
}
