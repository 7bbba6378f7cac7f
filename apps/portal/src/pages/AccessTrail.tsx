import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { isMessageKey, type Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import type { Principal } from '../api/auth.ts';
import { exchangeApi, type AccessTrailItem } from '../api/exchange.ts';
import { visitsOf, type Visit } from '../access-trail.ts';
import { formatDateTime } from '../format.ts';
import { roleLabel } from '../roles.ts';
import { categoryKey } from './vocabulary.ts';
import { ResultState } from './State.tsx';

const purposeText = (t: Translate, purpose: string): string => {
  const key = `purpose-${purpose}`;
  return isMessageKey(key) ? t(key) : t('purpose-other');
};

/** Who: "U zelf", a professional by name and role, or the organisation itself. */
function whoOf(t: Translate, v: Visit, self: string | undefined): string {
  if (self !== undefined && v.accessor.id === self) return t('youYourself');
  if (v.accessor.name) return `${v.accessor.name} (${roleLabel(t, v.role)})`;
  if (v.accessor.id.startsWith('ura:')) return v.organisation.name ?? t('unknownSource');
  return t('someoneElse');
}

/** Wie heeft mijn gegevens bekeken: one line per visit, newest first; emergency access stands out. */
export function AccessTrailPage({
  t,
  principal,
}: {
  t: Translate;
  principal: Principal | undefined;
}): ReactNode {
  const [result, setResult] = useState<ApiResult<{ accesses: AccessTrailItem[] }> | undefined>();
  const load = useCallback(() => void exchangeApi.accessTrail().then(setResult), []);
  useEffect(load, [load]);
  // Her own holder identity is the accessor of her own downloads (a representative sees "U zelf" too
  // only for what she did herself).
  const self =
    principal?.kind === 'client' || principal?.kind === 'representative' ? principal.holder : undefined;
  return (
    <>
      <h1>{t('accessTitle')}</h1>
      <p>{t('accessIntro')}</p>
      <ResultState t={t} result={result} retry={load}>
        {({ accesses }) => {
          const visits = visitsOf(accesses);
          const emergencies = visits.filter((v) => v.breakTheGlass);
          if (visits.length === 0) return <p className="notice">{t('noAccesses')}</p>;
          return (
            <>
              {emergencies.length > 0 && (
                <section className="emergency" aria-labelledby="emergencies">
                  <h2 id="emergencies">{t('emergencyAccesses')}</h2>
                  <ul>
                    {emergencies.map((v, i) => (
                      <li key={`e-${i}`}>
                        <strong>{whoOf(t, v, self)}</strong>, {v.organisation.name ?? t('unknownSource')} ·{' '}
                        <time dateTime={v.at}>{formatDateTime(v.at)}</time>
                        {v.reason && (
                          <>
                            {' '}
                            · {t('btgReason')}: “{v.reason}”
                          </>
                        )}
                      </li>
                    ))}
                  </ul>
                </section>
              )}
              <ol className="timeline trail">
                {visits.map((v, i) => (
                  <li key={`${i}-${v.at}`} className={v.breakTheGlass ? 'btg-row' : undefined}>
                    <p className="meta">
                      <time dateTime={v.at}>{formatDateTime(v.at)}</time> ·{' '}
                      <span
                        className={`tag ${v.outcome === 'refused' ? 'status-rejected' : 'status-approved'}`}
                      >
                        {t(v.outcome === 'refused' ? 'accessRefused' : 'accessAllowed')}
                      </span>
                      {v.breakTheGlass && (
                        <>
                          {' '}
                          <span className="tag emergency-tag">{t('breakTheGlass')}</span>
                        </>
                      )}
                    </p>
                    <h2>
                      {whoOf(t, v, self)}
                      {v.accessor.id !== self && `, ${v.organisation.name ?? t('unknownSource')}`}
                    </h2>
                    <p>
                      {purposeText(t, v.purpose)}
                      {v.breakTheGlass && v.reason && ` · ${t('btgReason')}: “${v.reason}”`}
                      {v.categories.length > 0 &&
                        ` · ${v.categories.map((c) => (isMessageKey(`category-${c}`) ? t(categoryKey(c)) : t('typeOther').toLowerCase())).join(', ')}`}
                    </p>
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </ResultState>
    </>
  );
}
