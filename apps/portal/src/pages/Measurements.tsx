import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import { fhirApi, resourcesOf, type FhirResource } from '../api/fhir.ts';
import type { ApiResult } from '../api/http.ts';
import { MEASURES, pointsOf, type MeasureKind } from '../measurements.ts';
import { ResultState } from './State.tsx';
import { formatDateTime, formatNumber } from '../format.ts';

// uPlot loads with the first chart; the heading and the table (the same data) render at once.
const Chart = lazy(() => import('./Chart.tsx').then((m) => ({ default: m.Chart })));

const NAMES: Record<MeasureKind['id'], MessageKey> = {
  bp: 'measureBp',
  glucose: 'measureGlucose',
  weight: 'measureWeight',
};

/** Self-measurements from /fhir Observation with target ranges, a chart and a table. */
export function MeasurementsPage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<FhirResource[]> | undefined>();
  useEffect(() => {
    void fhirApi
      .search('Observation', { _sort: '-date' })
      .then((r) => setResult(r.kind === 'ok' ? { kind: 'ok', value: resourcesOf(r.value) } : r));
  }, []);
  return (
    <>
      <h1>{t('measurementsTitle')}</h1>
      <p>
        {t('appIntro')} <a href="/apps/pgo/launch">{t('appConnect')}</a>
      </p>
      <ResultState t={t} result={result}>
        {(resources) =>
          MEASURES.map((kind) => {
            const points = pointsOf(resources, kind);
            const range = kind.target
              ? kind.target.low === undefined
                ? `${t('atMost')} ${formatNumber(kind.target.high ?? 0)} ${kind.unit}`
                : `${formatNumber(kind.target.low)}–${kind.target.high === undefined ? '…' : formatNumber(kind.target.high)} ${kind.unit}`
              : '—';
            return (
              <section key={kind.id} aria-labelledby={`m-${kind.id}`}>
                <h2 id={`m-${kind.id}`}>{t(NAMES[kind.id])}</h2>
                <p>
                  {t('targetRange')}: {range}
                </p>
                {points.length === 0 ? (
                  <p className="notice">{t('empty')}</p>
                ) : (
                  <>
                    <Suspense fallback={<p role="status">{t('loading')}</p>}>
                      <Chart
                        points={points}
                        label={t(NAMES[kind.id])}
                        {...(kind.target ? { target: kind.target } : {})}
                      />
                    </Suspense>
                    <table>
                      <caption className="sr-only">{t(NAMES[kind.id])}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('date')}</th>
                          <th scope="col">{t('value')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {points.map((p) => (
                          <tr key={p.time}>
                            <td>{formatDateTime(p.time * 1000)}</td>
                            <td>
                              {formatNumber(p.value)}
                              {p.second !== undefined && `/${formatNumber(p.second)}`} {kind.unit}{' '}
                              {p.inTarget ? '' : `(${t('outOfTarget')})`}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </>
                )}
              </section>
            );
          })
        }
      </ResultState>
    </>
  );
}
