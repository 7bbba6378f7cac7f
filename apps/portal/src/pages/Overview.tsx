import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { fhirApi, resourcesOf, type Bundle } from '../api/fhir.ts';
import { missingOf, organisationNames, overviewApi, withSourceName, type Missing } from '../api/overview.ts';
import { toTimeline } from '../timeline.ts';
import { patientView, type PatientView } from '../patient.ts';
import { formatDateTime } from '../format.ts';
import { ResultState } from './State.tsx';
import { TimelineList } from './TimelineList.tsx';
import { PatientBanner } from './PatientBanner.tsx';
import { categoryKey } from './vocabulary.ts';

type Loaded = { bundle: Bundle; names: Map<string, string>; patient: PatientView | undefined };

async function load(patient: string, breakTheGlass?: string): Promise<ApiResult<Loaded>> {
  const [overview, region, own] = await Promise.all([
    overviewApi.overview(patient, breakTheGlass),
    overviewApi.organisations(),
    fhirApi.read('Patient', patient),
  ]);
  if (overview.kind !== 'ok') return overview;
  return {
    kind: 'ok',
    value: {
      bundle: overview.value,
      names: organisationNames(region),
      patient: own.kind === 'ok' ? patientView(own.value) : undefined,
    },
  };
}

/** "Ziekenhuis Maasland: contacten" — the organisation by name and the category in words. */
function missingLine(t: Translate, m: Missing, names: ReadonlyMap<string, string>): string {
  if (!m.category) return m.text;
  const org = m.source ? (names.get(m.source) ?? t('unknownSource')) : undefined;
  return `${org ? `${org}: ` : ''}${t(categoryKey(m.category))}`;
}

/** Professional: one client's records across organisations, with what is missing and why. */
export function OverviewPage({ t, patient }: { t: Translate; patient: string | null }): ReactNode {
  const [result, setResult] = useState<ApiResult<Loaded> | undefined>();
  const [reason, setReason] = useState('');
  const [emergency, setEmergency] = useState<{ reason: string; at: Date } | undefined>();
  const reload = useCallback(() => {
    if (!patient) return;
    setResult(undefined);
    setEmergency(undefined);
    void load(patient).then(setResult);
  }, [patient]);
  const breakTheGlass = (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (!patient || !reason.trim()) return;
    setResult(undefined);
    setEmergency({ reason: reason.trim(), at: new Date() });
    void load(patient, reason.trim()).then(setResult);
  };
  useEffect(reload, [reload]);
  if (!patient) return <p className="notice">{t('notFound')}</p>;
  return (
    <>
      <h1>{t('overviewTitle')}</h1>
      <ResultState t={t} result={result} retry={reload}>
        {({ bundle, names, patient: person }) => {
          const resources = resourcesOf(bundle)
            .filter((r) => r.resourceType !== 'OperationOutcome' && r.resourceType !== 'Patient')
            .map((r) => withSourceName(r, names));
          const items = toTimeline(resources);
          const missing = missingOf(bundle);
          const withheld = missing.filter((m) => m.status === 'withheld');
          const unreachable = missing.filter((m) => m.status !== 'withheld');
          return (
            <>
              {person && <PatientBanner t={t} patient={person} />}
              {emergency && (
                <p className="emergency">
                  <strong>{t('btgActive')}</strong> {formatDateTime(emergency.at)} · {t('btgReason')}:{' '}
                  {emergency.reason}. {t('btgUsed')}
                </p>
              )}
              <p>{t('overviewIntro')}</p>
              <section aria-labelledby="missing">
                <h2 id="missing">{t('overviewMissing')}</h2>
                {missing.length === 0 ? (
                  <p>{t('overviewComplete')}</p>
                ) : (
                  <ul className="missing">
                    {withheld.map((m, i) => (
                      <li key={`w${i}`}>
                        <span className="tag">{t('withheld')}</span> {missingLine(t, m, names)}
                      </li>
                    ))}
                    {unreachable.map((m, i) => (
                      <li key={`u${i}`}>
                        <span className="tag">{t('unreachable')}</span> {m.text}
                      </li>
                    ))}
                  </ul>
                )}
                {!emergency && withheld.length > 0 && (
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
                )}
              </section>
              <h2>{t('overviewRecords')}</h2>
              <button type="button" onClick={reload}>
                {t('refresh')}
              </button>
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
