import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { isMessageKey, type MessageKey, type Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { analyticsApi, type Agreement, type Estimate, type Run } from '../api/analytics.ts';
import { ResultState } from './State.tsx';
import { useOrganisations } from './PartyFields.tsx';
import { formatDate, formatDateTime, formatNumber, plural } from '../format.ts';

async function loadAll(): Promise<ApiResult<{ agreements: Agreement[]; runs: Run[] }>> {
  const [agreements, runs] = await Promise.all([analyticsApi.agreements(), analyticsApi.runs()]);
  if (agreements.kind !== 'ok') return agreements;
  if (runs.kind !== 'ok') return runs;
  return { kind: 'ok', value: { agreements: agreements.value.agreements, runs: runs.value.runs } };
}
const ura = (party: string): string => party.replace(/^ura:/, '');
/** An organisation by name (its URA only when the region does not name it). */
const named = (names: ReadonlyMap<string, string>, party: string): string =>
  names.get(ura(party)) ?? ura(party);
const agreementState = (a: Agreement): MessageKey =>
  a.valid ? 'agreement-valid' : a.complete ? 'agreement-expired' : 'agreement-incomplete';

/** Onderzoek: research agreements and runs at this node, read-only, for a professional session. */
export function AnalystPage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<{ agreements: Agreement[]; runs: Run[] }> | undefined>();
  const load = useCallback(() => {
    setResult(undefined);
    void loadAll().then(setResult);
  }, []);
  useEffect(load, [load]);
  const names = useOrganisations();
  return (
    <>
      <h1>{t('analystTitle')}</h1>
      <p>{t('analystIntro')}</p>
      <ResultState t={t} result={result} retry={load}>
        {({ agreements, runs }) => (
          <>
            <section aria-labelledby="agreements">
              <h2 id="agreements">{t('agreements')}</h2>
              {agreements.length === 0 ? (
                <p className="notice">{t('noAgreements')}</p>
              ) : (
                <ul className="timeline agreements short">
                  {agreements.map((a) => (
                    <li key={a.id}>
                      <h3>
                        {a.id} <span className="tag">{t(agreementState(a))}</span>
                      </h3>
                      <dl>
                        <dt>{t('consentWhy')}</dt>
                        <dd>
                          {isMessageKey(`purpose-${a.purpose}`)
                            ? t(`purpose-${a.purpose}` as MessageKey)
                            : a.purpose}
                        </dd>
                        <dt>{t('parties')}</dt>
                        <dd>{a.parties.map((p) => named(names, p)).join(', ')}</dd>
                        <dt>{t('signedBy')}</dt>
                        <dd>{a.signedBy.map((p) => named(names, p)).join(', ') || '—'}</dd>
                        <dt>{t('specHash')}</dt>
                        <dd className="code">{a.specHash}</dd>
                        <dt>{t('repUntil')}</dt>
                        <dd>{formatDate(a.validUntil)}</dd>
                      </dl>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="runs">
              <h2 id="runs">{t('runs')}</h2>
              {runs.length === 0 ? (
                <p className="notice">{t('noRuns')}</p>
              ) : (
                <ul className="timeline runs short">
                  {runs.map((r) => (
                    <RunItem key={r.id} t={t} run={r} names={names} />
                  ))}
                </ul>
              )}
            </section>
          </>
        )}
      </ResultState>
    </>
  );
}

const signed = (e: Estimate): string =>
  `${e.coefficient >= 0 ? '+' : '−'}${formatNumber(Math.abs(e.coefficient), 2)} (SE ${formatNumber(e.standardError, 2)})`;

function RunItem({
  t,
  run,
  names,
}: {
  t: Translate;
  run: Run;
  names: ReadonlyMap<string, string>;
}): ReactNode {
  const cells = run.output?.cells ?? [];
  const released = cells.filter((c) => !c.suppressed);
  const leftOut = Object.entries(run.recordsLeftOut);
  return (
    <li>
      <h3>
        {run.id}{' '}
        <span className="tag">
          {isMessageKey(`run-${run.status}`) ? t(`run-${run.status}` as MessageKey) : run.status}
        </span>
      </h3>
      <dl>
        <dt>{t('agreement')}</dt>
        <dd>{run.agreement}</dd>
        <dt>{t('coordinator')}</dt>
        <dd>{named(names, run.coordinator)}</dd>
        <dt>{t('startedAt')}</dt>
        <dd>
          <time dateTime={run.startedAt}>{formatDateTime(run.startedAt)}</time>
        </dd>
        {run.output?.cohortSize !== undefined && (
          <>
            <dt>{t('cohortSize')}</dt>
            <dd>{formatNumber(run.output.cohortSize)}</dd>
          </>
        )}
        <dt>{t('leftOut')}</dt>
        <dd>
          {leftOut.length === 0
            ? '0'
            : leftOut.map(([p, n]) => `${named(names, p)}: ${formatNumber(n)}`).join(', ')}
        </dd>
        {run.statement && (
          <>
            <dt>{t('onLog')}</dt>
            <dd>
              {run.statement.log} #{run.statement.index}
            </dd>
          </>
        )}
        {run.error && (
          <>
            <dt>{t('error')}</dt>
            <dd>{run.error}</dd>
          </>
        )}
      </dl>
      {cells.length > 0 && (
        <>
          <p>
            {plural(released.length, [t('cellReleasedOne'), t('cellsReleased')])} ·{' '}
            {plural(cells.length - released.length, [t('cellSuppressedOne'), t('cellsSuppressed')])}
          </p>
          <div className="scroll" role="region" aria-label={run.id} tabIndex={0}>
            <table>
              <caption className="sr-only">{run.id}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('cell')}</th>
                  <th scope="col">{t('count')}</th>
                  <th scope="col">{t('meanCost')}</th>
                  <th scope="col">{t('meanGpVisits')}</th>
                </tr>
              </thead>
              <tbody>
                {cells.map((c) => (
                  <tr key={c.cell}>
                    <td>{c.cell}</td>
                    <td>{c.suppressed ? t('suppressed') : formatNumber(c.count)}</td>
                    <td>{c.suppressed ? '—' : formatNumber(c.meanCostEur, 2)}</td>
                    <td>{c.suppressed ? '—' : formatNumber(c.meanGpVisits, 2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p data-testid="effect">
            {run.output?.effect
              ? `${t('effect')} (n = ${run.output.effect.n}): ${t('effectCost')} ${signed(run.output.effect.costEur)}; ${t('effectGp')} ${signed(run.output.effect.gpVisits)}`
              : t('noEffect')}
          </p>
        </>
      )}
    </li>
  );
}
