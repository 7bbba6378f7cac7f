import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { isMessageKey, type MessageKey, type Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import type { Principal } from '../api/auth.ts';
import {
  analyticsApi,
  type Agreement,
  type Agreements,
  type Cell,
  type Estimate,
  type Run,
  type RunPhase,
} from '../api/analytics.ts';
import { professionalKey } from '../professional-key.ts';
import { Notice, ResultState, type Message } from './State.tsx';
import { useOrganisations } from './PartyFields.tsx';
import { formatDate, formatDateTime, formatEuro, formatNumber, plural } from '../format.ts';

type Research = Agreements & { runs: Run[] };

async function loadAll(): Promise<ApiResult<Research>> {
  const [agreements, runs] = await Promise.all([analyticsApi.agreements(), analyticsApi.runs()]);
  if (agreements.kind !== 'ok') return agreements;
  if (runs.kind !== 'ok') return runs;
  return { kind: 'ok', value: { ...agreements.value, runs: runs.value.runs } };
}
const ura = (party: string): string => party.replace(/^ura:/, '');
/** An organisation by name (its URA only when the region does not name it). */
const named = (names: ReadonlyMap<string, string>, party: string): string =>
  names.get(ura(party)) ?? ura(party);
const agreementState = (a: Agreement): MessageKey =>
  a.valid ? 'agreement-valid' : a.complete ? 'agreement-expired' : 'agreement-incomplete';
const expired = (a: Agreement): boolean => a.complete && !a.valid;
/** What each party of the IBD-coach study brings in, in the spec's party order. */
const CONTRIBUTES: readonly MessageKey[] = ['studyHospital', 'studyInsurer', 'studyStatistics'];
const PHASES: readonly RunPhase[] = ['preparing', 'computing', 'signing'];

/** The agreement statement signed with her device key, on her organisation's log. */
async function signAgreement(
  professional: string,
  agreement: string,
  validUntil?: string,
): Promise<ApiResult<{ index: number }>> {
  const key = await professionalKey(professional, analyticsApi.bindKey);
  if (key.kind !== 'ok') return key;
  const draft = await analyticsApi.draft(agreement, key.value.keyId, validUntil);
  if (draft.kind !== 'ok') return draft;
  return analyticsApi.sign(await key.value.sign(draft.value.statement));
}

/**
 * Onderzoek: the research agreements this organisation is a party to — each party's assessor
 * reads the terms and signs them with her own key — and their runs: an analyst starts one once
 * every party signed, follows its steps, and reads the released table and the effect estimate.
 */
export function AnalystPage({ t, principal }: { t: Translate; principal: Principal }): ReactNode {
  const [result, setResult] = useState<ApiResult<Research> | undefined>();
  /** What the user just did, shown at the agreement she did it on (where her eye is). */
  const [message, setMessage] = useState<Message & { at?: string }>();
  const [busy, setBusy] = useState<string | undefined>();
  const load = useCallback((quiet = false) => {
    if (!quiet) setResult(undefined);
    void loadAll().then(setResult);
  }, []);
  useEffect(() => load(), [load]);
  // While a run is under way, follow it.
  const running = result?.kind === 'ok' && result.value.runs.some((r) => r.status === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => load(true), 1000);
    return () => clearInterval(timer);
  }, [running, load]);
  // "Started" says nothing once the run has ended: its item below says how.
  useEffect(() => {
    if (!running) setMessage((m) => (m?.text === t('runStarted') ? undefined : m));
  }, [running, t]);
  const names = useOrganisations();
  const professional = principal.kind === 'professional' ? principal.id : '';

  const sign = async (agreement: string, organisation: string, validUntil?: string): Promise<void> => {
    setBusy(agreement);
    setMessage({ text: t('signing'), error: false, at: agreement });
    const signed = await signAgreement(professional, agreement, validUntil);
    setBusy(undefined);
    setMessage(
      signed.kind === 'ok'
        ? {
            text: t('agreementSigned').replace('{org}', named(names, organisation)),
            error: false,
            at: agreement,
          }
        : { text: t('agreementSignFailed'), error: true, at: agreement },
    );
    load(true);
  };
  const start = async (agreement: string): Promise<void> => {
    setBusy(agreement);
    setMessage({ text: t('runStarting'), error: false, at: agreement });
    const started = await analyticsApi.run(agreement);
    setBusy(undefined);
    setMessage(
      started.kind === 'ok'
        ? { text: t('runStarted'), error: false, at: agreement }
        : { text: t('runStartFailed'), error: true, at: agreement },
    );
    load(true);
  };

  return (
    <>
      <h1>{t('analystTitle')}</h1>
      <p>{t('analystIntro')}</p>
      <ResultState t={t} result={result} retry={() => load()}>
        {({ agreements, runs, you, study }) => {
          const open = agreements.some((a) => a.study && !expired(a));
          return (
            <>
              <section aria-labelledby="agreements">
                <h2 id="agreements">{t('agreements')}</h2>
                {agreements.length === 0 && <p className="notice">{t('noAgreements')}</p>}
                {/* a proposal's answer, until its agreement is listed */}
                {!agreements.some((a) => a.id === message?.at) && <Notice message={message} />}
                {study && you.maySign && !open && (
                  <Proposal
                    t={t}
                    parties={study.parties}
                    names={names}
                    busy={busy !== undefined}
                    onPropose={(id, until) => void sign(id, you.organisation, until)}
                    organisation={named(names, you.organisation)}
                  />
                )}
                <ul className="timeline agreements short">
                  {agreements.map((a) => (
                    <li key={a.id}>
                      <h3>
                        {a.study ? t('studyTitle') : t('agreement')}{' '}
                        <span className="tag">{t(agreementState(a))}</span>
                      </h3>
                      <p className="muted">
                        {t('agreementRef')}: {a.id}
                      </p>
                      <Terms t={t} agreement={a} names={names} />
                      {you.maySign && !a.signedBy.includes(you.organisation) && !expired(a) && (
                        <button
                          type="button"
                          disabled={busy !== undefined}
                          onClick={() => void sign(a.id, you.organisation)}
                        >
                          {t('signFor').replace('{org}', named(names, you.organisation))}
                        </button>
                      )}
                      {you.mayRun && a.valid && (
                        <button
                          type="button"
                          disabled={busy !== undefined || running}
                          onClick={() => void start(a.id)}
                        >
                          {t('startRun')}
                        </button>
                      )}
                      {you.mayRun && !a.complete && <p className="muted">{t('runAfterSigning')}</p>}
                      <Notice message={message?.at === a.id ? message : undefined} />
                    </li>
                  ))}
                </ul>
              </section>
              <section aria-labelledby="runs">
                <h2 id="runs">{t('runs')}</h2>
                {runs.length === 0 ? (
                  <p className="notice">{t('noRuns')}</p>
                ) : (
                  <ul className="timeline runs short">
                    {runs.map((r) => (
                      <RunItem key={r.id} t={t} run={r} names={names} agreements={agreements} />
                    ))}
                  </ul>
                )}
              </section>
            </>
          );
        }}
      </ResultState>
    </>
  );
}

/** What the parties agree to: who brings in what, what is released, until when, who signed. */
function Terms({
  t,
  agreement: a,
  names,
}: {
  t: Translate;
  agreement: Agreement;
  names: ReadonlyMap<string, string>;
}): ReactNode {
  return (
    <>
      <dl>
        <dt>{t('consentWhy')}</dt>
        <dd>{isMessageKey(`purpose-${a.purpose}`) ? t(`purpose-${a.purpose}` as MessageKey) : a.purpose}</dd>
        {a.study && (
          <>
            <dt>{t('studyQuestion')}</dt>
            <dd>{t('studyQuestionText')}</dd>
            <dt>{t('studyInputs')}</dt>
            <dd>
              <ul>
                {a.parties.map((p, i) => (
                  <li key={p}>
                    {named(names, p)}: {t(CONTRIBUTES[i] ?? 'studyHospital')}
                  </li>
                ))}
              </ul>
            </dd>
            <dt>{t('studyReleased')}</dt>
            <dd>{t('studyReleasedText')}</dd>
          </>
        )}
        <dt>{t('repUntil')}</dt>
        <dd>{a.validUntil ? formatDate(a.validUntil) : '—'}</dd>
        <dt>{t('signatures')}</dt>
        <dd>
          <ul className="signatures">
            {a.parties.map((p) => (
              <li key={p}>
                {named(names, p)}:{' '}
                {a.signedBy.includes(p) ? (
                  <strong>{t('partySigned')}</strong>
                ) : (
                  <span>{t('partyWaiting')}</span>
                )}
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <details>
        <summary>{t('technical')}</summary>
        <dl>
          <dt>{t('specHash')}</dt>
          <dd className="code">{a.specHash}</dd>
        </dl>
      </details>
    </>
  );
}

/** A new agreement for the region's study: its terms, a reference and a last day, signed first here. */
function Proposal(props: {
  t: Translate;
  parties: string[];
  names: ReadonlyMap<string, string>;
  organisation: string;
  busy: boolean;
  onPropose: (id: string, validUntil: string) => void;
}): ReactNode {
  const { t } = props;
  const year = new Date().getFullYear();
  const [id, setId] = useState(`ibd-coach-${year}`);
  const [until, setUntil] = useState(`${year + 1}-12-31`);
  const idField = useId();
  const untilField = useId();
  const valid = /^[a-z0-9][a-z0-9-]{2,63}$/.test(id) && /^\d{4}-\d{2}-\d{2}$/.test(until);
  return (
    <form
      className="card proposal"
      aria-labelledby="proposal"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) props.onPropose(id, until);
      }}
    >
      <h3 id="proposal">{t('proposeTitle')}</h3>
      <p>{t('proposeIntro')}</p>
      <Terms
        t={t}
        names={props.names}
        agreement={{
          id,
          purpose: 'research',
          parties: props.parties,
          specHash: '—',
          validUntil: until,
          signedBy: [],
          complete: false,
          valid: false,
          study: 'ibd-coach-evaluation',
        }}
      />
      <label htmlFor={idField}>{t('agreementRef')}</label>
      <input
        id={idField}
        value={id}
        onInput={(e) => setId(e.currentTarget.value.trim())}
        aria-describedby={`${idField}-hint`}
      />
      <p id={`${idField}-hint`} className="muted">
        {t('agreementRefHint')}
      </p>
      <label htmlFor={untilField}>{t('repUntil')}</label>
      <input id={untilField} type="date" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
      <button type="submit" disabled={props.busy || !valid}>
        {t('proposeSign').replace('{org}', props.organisation)}
      </button>
    </form>
  );
}

const interval = (e: Estimate): [number, number] => [
  e.coefficient - 1.96 * e.standardError,
  e.coefficient + 1.96 * e.standardError,
];
const signedEuro = (x: number): string => `${x < 0 ? '−' : '+'}${formatEuro(Math.abs(x))}`;
const signedNumber = (x: number): string => `${x < 0 ? '−' : '+'}${formatNumber(Math.abs(x), 2)}`;

function Effect({ t, run }: { t: Translate; run: Run }): ReactNode {
  const effect = run.output?.effect;
  if (!effect) return <p data-testid="effect">{t('noEffect')}</p>;
  const [costLow, costHigh] = interval(effect.costEur);
  const [gpLow, gpHigh] = interval(effect.gpVisits);
  return (
    <section className="effect" data-testid="effect" aria-label={t('effect')}>
      <h4>
        {t('effect')} ({plural(effect.n, [t('clientOne'), t('clientOther')])})
      </h4>
      <ul>
        <li>
          {t('effectCost')}: <strong>{signedEuro(effect.costEur.coefficient)}</strong> ({t('ci95')}{' '}
          {signedEuro(costLow)} {t('to')} {signedEuro(costHigh)})
        </li>
        <li>
          {t('effectGp')}: <strong>{signedNumber(effect.gpVisits.coefficient)}</strong> ({t('ci95')}{' '}
          {signedNumber(gpLow)} {t('to')} {signedNumber(gpHigh)})
        </li>
      </ul>
    </section>
  );
}

const cellLabel = (t: Translate, cell: string): string =>
  isMessageKey(`cell-${cell}`) ? t(`cell-${cell}` as MessageKey) : cell;

/** Mean yearly cost per released group, as horizontal bars (the table says the same in numbers). */
function CostChart({ t, cells }: { t: Translate; cells: Cell[] }): ReactNode {
  const shown = cells.filter(
    (c): c is Extract<Cell, { suppressed: false }> => !c.suppressed && c.cell.includes('/'),
  );
  if (shown.length === 0) return null;
  const max = Math.max(...shown.map((c) => c.meanCostEur));
  return (
    <figure className="chart">
      <figcaption>{t('chartCost')}</figcaption>
      <ul className="bars">
        {shown.map((c) => (
          <li key={c.cell}>
            <span>{cellLabel(t, c.cell)}</span>
            <span className="bar">
              <span style={{ width: `${Math.max(1, (c.meanCostEur / max) * 70)}%` }} />
              {formatEuro(c.meanCostEur)}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function RunItem({
  t,
  run,
  names,
  agreements,
}: {
  t: Translate;
  run: Run;
  names: ReadonlyMap<string, string>;
  agreements: Agreement[];
}): ReactNode {
  const cells = run.output?.cells ?? [];
  const released = cells.filter((c) => !c.suppressed);
  const leftOut = Object.entries(run.recordsLeftOut);
  const study = agreements.find((a) => a.id === run.agreement)?.study !== undefined;
  return (
    <li>
      <h3>
        {t('runOf')} {formatDateTime(run.startedAt)}{' '}
        <span className="tag">
          {isMessageKey(`run-${run.status}`) ? t(`run-${run.status}` as MessageKey) : run.status}
        </span>
      </h3>
      <dl>
        <dt>{t('agreement')}</dt>
        <dd>{study ? `${t('studyTitle')} (${run.agreement})` : run.agreement}</dd>
        <dt>{t('coordinator')}</dt>
        <dd>{named(names, run.coordinator)}</dd>
        {run.finishedAt && (
          <>
            <dt>{t('finishedAt')}</dt>
            <dd>{formatDateTime(run.finishedAt)}</dd>
          </>
        )}
        {run.output?.cohortSize !== undefined && (
          <>
            <dt>{t('cohortSize')}</dt>
            <dd>{plural(run.output.cohortSize, [t('clientOne'), t('clientOther')])}</dd>
          </>
        )}
        {leftOut.length > 0 && (
          <>
            <dt>{t('leftOut')}</dt>
            <dd>{leftOut.map(([p, n]) => `${named(names, p)}: ${formatNumber(n)}`).join(', ')}</dd>
          </>
        )}
        {run.statement && (
          <>
            <dt>{t('onLog')}</dt>
            <dd>
              {t('onLogOf').replace('{org}', named(names, run.coordinator))} #
              {formatNumber(run.statement.index)}
            </dd>
          </>
        )}
      </dl>
      {run.status === 'running' && <Progress t={t} phase={run.phase} startedAt={run.startedAt} />}
      {run.status === 'failed' && (
        <div className="notice error">
          <p>{t('runFailed')}</p>
          {run.error && (
            <details>
              <summary>{t('technical')}</summary>
              <p className="code" lang="en">
                {run.error}
              </p>
            </details>
          )}
        </div>
      )}
      {cells.length > 0 && (
        <>
          <p>
            {plural(released.length, [t('cellReleasedOne'), t('cellsReleased')])} ·{' '}
            {plural(cells.length - released.length, [t('cellSuppressedOne'), t('cellsSuppressed')])}
          </p>
          <div className="scroll" role="region" aria-label={t('resultTable')} tabIndex={0}>
            <table>
              <caption className="sr-only">{t('resultTable')}</caption>
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
                    <th scope="row">{cellLabel(t, c.cell)}</th>
                    <td>{c.suppressed ? `${t('suppressed')}*` : formatNumber(c.count)}</td>
                    <td>{c.suppressed ? '—' : formatEuro(c.meanCostEur)}</td>
                    <td>{c.suppressed ? '—' : formatNumber(c.meanGpVisits, 2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted">* {t('suppressedWhy')}</p>
          <Effect t={t} run={run} />
          <CostChart t={t} cells={cells} />
        </>
      )}
    </li>
  );
}

/** The run's steps, the current one marked, with the time it has taken so far. */
function Progress({ t, phase, startedAt }: { t: Translate; phase?: RunPhase; startedAt: string }): ReactNode {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const current = PHASES.indexOf(phase ?? 'computing');
  const seconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  return (
    <div className="run-progress">
      {/* The step is announced when it changes; the seconds only shown (not read out every second). */}
      <p className="progress">
        <span role="status">{t(`phase-${PHASES[current] ?? 'computing'}` as MessageKey)}</span> (
        {plural(seconds, [t('secondOne'), t('secondOther')])})
      </p>
      <ol className="steps">
        {PHASES.map((p, i) => (
          <li
            key={p}
            aria-current={i === current ? 'step' : undefined}
            className={i < current ? 'done' : undefined}
          >
            {t(`phase-${p}` as MessageKey)}
          </li>
        ))}
      </ol>
    </div>
  );
}
