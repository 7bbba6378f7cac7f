import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { resourcesOf, type Bundle } from '../api/fhir.ts';
import { missingOf, organisationNames, overviewApi, withSourceName } from '../api/overview.ts';
import { toTimeline } from '../timeline.ts';
import { ResultState } from './State.tsx';
import { TimelineList } from './TimelineList.tsx';

type Loaded = { bundle: Bundle; names: Map<string, string> };

async function load(patient: string, breakTheGlass?: string): Promise<ApiResult<Loaded>> {
  const [overview, region] = await Promise.all([
    overviewApi.overview(patient, breakTheGlass),
    overviewApi.organisations(),
  ]);
  if (overview.kind !== 'ok') return overview;
  return { kind: 'ok', value: { bundle: overview.value, names: organisationNames(region) } };
}

/** Professional: one client's records across organisations, with what is missing and why. */
export function OverviewPage({ t, patient }: { t: Translate; patient: string | null }): ReactNode {
  const [result, setResult] = useState<ApiResult<Loaded> | undefined>();
  const [reason, setReason] = useState('');
  const [emergency, setEmergency] = useState(false);
  const reload = useCallback(() => {
    if (!patient) return;
    setResult(undefined);
    setEmergency(false);
    void load(patient).then(setResult);
  }, [patient]);
  const breakTheGlass = (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (!patient || !reason.trim()) return;
    setResult(undefined);
    setEmergency(true);
    void load(patient, reason.trim()).then(setResult);
  };
  useEffect(reload, [reload]);
  if (!patient) return <p className="notice">{t('notFound')}</p>;
  return (
    <>
      <h1>{t('overviewTitle')}</h1>
      <p>{t('overviewIntro')}</p>
      <ResultState t={t} result={result} retry={reload}>
        {({ bundle, names }) => {
          const resources = resourcesOf(bundle)
            .filter((r) => r.resourceType !== 'OperationOutcome' && r.resourceType !== 'Patient')
            .map((r) => withSourceName(r, names));
          const items = toTimeline(resources);
          const missing = missingOf(bundle);
          return (
            <>
              <button type="button" onClick={reload}>
                {t('refresh')}
              </button>
              <section aria-labelledby="missing">
                <h2 id="missing">{t('overviewMissing')}</h2>
                {missing.length === 0 ? (
                  <p>{t('overviewComplete')}</p>
                ) : (
                  <ul className="missing">
                    {missing.map((m, i) => (
                      <li key={i}>
                        <span className="tag">
                          {t(m.status === 'unreachable' ? 'unreachable' : 'withheld')}
                        </span>{' '}
                        {m.text}
                      </li>
                    ))}
                  </ul>
                )}
                {emergency ? (
                  <p className="notice">{t('btgUsed')}</p>
                ) : (
                  missing.some((m) => m.status === 'withheld') && (
                    <form onSubmit={breakTheGlass} className="btg">
                      <h3>{t('btgTitle')}</h3>
                      <p>{t('btgIntro')}</p>
                      <label htmlFor="btg-reason">{t('btgReason')}</label>
                      <textarea
                        id="btg-reason"
                        required
                        maxLength={200}
                        rows={3}
                        value={reason}
                        onChange={(e) => setReason(e.target.value)}
                      />
                      <button type="submit">{t('btgSubmit')}</button>
                    </form>
                  )
                )}
              </section>
              <h2>{t('overviewRecords')}</h2>
              {items.length === 0 ? (
                <p className="notice">{t('empty')}</p>
              ) : (
                <TimelineList t={t} items={items} Heading="h3" />
              )}
            </>
          );
        }}
      </ResultState>
    </>
  );
}
