import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { careRoleOf } from '@ketenlog/carelog/care-roles';
import type { MessageKey, Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import type { Principal } from '../api/auth.ts';
import {
  ACTIVITIES,
  carelogApi,
  hoursOf,
  type Entry,
  type EntryStatus,
  type IndicationOverview,
} from '../api/carelog.ts';
import { carerKey } from '../carelog/carer-key.ts';
import { flushVisits, queuedVisits, queueVisit } from '../carelog/visit-queue.ts';
import { prepareStatement, signPrepared } from '../carelog/passkey-signing.ts';
import { receiptAt } from '../carelog/receipt-source.ts';
import { Notice, ResultState, type Message } from './State.tsx';
import { VerifiedBadge } from './VerifiedBadge.tsx';
import { carePeriodOf } from '@ketenlog/carelog/care-protocol';
import { KIND_CARELOG_APPROVAL } from '@ketenlog/logbook/kinds';
import { formatDate, todayIso } from '../format.ts';
import { personLabel, usePeople } from '../api/people.ts';

type Indications = { indications: IndicationOverview[] };

const STATUS: Record<EntryStatus, MessageKey> = {
  pending: 'statusPending',
  approved: 'statusApproved',
  rejected: 'statusRejected',
  superseded: 'statusSuperseded',
};

export const activityKey = (code: string): MessageKey => `activity-${code}` as MessageKey;

function useIndications(): [ApiResult<Indications> | undefined, () => void] {
  const [result, setResult] = useState<ApiResult<Indications> | undefined>();
  const load = useCallback(() => void carelogApi.indications().then(setResult), []);
  useEffect(load, [load]);
  return [result, load];
}

/** Kraamzorguren: the mother approves or rejects; the carer logs her visits. */
export function HoursPage({
  t,
  principal,
  approve,
}: {
  t: Translate;
  principal: Principal | undefined;
  /** She may approve or reject (the client, or a representative whose mandate says so). */
  approve: boolean;
}): ReactNode {
  if (principal?.kind === 'client' || principal?.kind === 'representative')
    return <ClientHours t={t} approve={approve} own={principal.kind === 'client'} />;
  if (principal?.kind === 'professional' && careRoleOf(principal.actingAs?.role) === 'carer')
    return <CarerHours t={t} carer={principal.id} />;
  return (
    <>
      <h1>{t('hoursTitle')}</h1>
      <ResultState t={t} result={principal ? { kind: 'ok', value: null } : { kind: 'unauthorised' }}>
        {() => <p className="notice">{t('hoursForClientsAndCarers')}</p>}
      </ResultState>
    </>
  );
}

function EntryLine({ t, entry, who }: { t: Translate; entry: Entry; who?: string }): ReactNode {
  return (
    <>
      {who && <p className="who">{who}</p>}
      <p className="meta">
        <span className={`tag status-${entry.status}`}>{t(STATUS[entry.status])}</span>{' '}
        <time dateTime={entry.date}>{formatDate(entry.date)}</time> · {entry.start}–{entry.end} ·{' '}
        {hoursOf(entry.minutes)} {t('hoursUnit')}
      </p>
      <p>{entry.activities.map((a) => t(activityKey(a))).join(', ')}</p>
      {entry.reason && (
        <p className="meta">
          {t('rejectReason')}: {entry.reason}
        </p>
      )}
    </>
  );
}

function BudgetSummary({ t, overview }: { t: Translate; overview: IndicationOverview }): ReactNode {
  const { budget } = overview;
  const rows: [MessageKey, number][] = [
    ['budgetIndicated', budget.budgetMinutes],
    ['budgetApproved', budget.approvedMinutes],
    ['budgetPending', budget.pendingMinutes],
    ['budgetRemaining', budget.remainingMinutes],
  ];
  return (
    <>
      <dl className="budget">
        {rows.map(([key, minutes]) => (
          <div key={key} className={key === 'budgetRemaining' ? 'remaining' : undefined}>
            <dt>{t(key)}</dt>
            <dd>
              {hoursOf(minutes)} {t('hoursUnit')}
            </dd>
          </div>
        ))}
      </dl>
      <label className="meter">
        {t('budgetUsed')}
        <meter min={0} max={budget.budgetMinutes} value={budget.approvedMinutes}>
          {hoursOf(budget.approvedMinutes)}
        </meter>
      </label>
    </>
  );
}

function ClientHours({ t, approve, own }: { t: Translate; approve: boolean; own: boolean }): ReactNode {
  const [result, load] = useIndications();
  const [message, setMessage] = useState<Message>();
  const [rejecting, setRejecting] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  /** The visit being signed: its progress is shown there, where she clicked. */
  const [deciding, setDeciding] = useState<string | undefined>();

  const decide = async (entry: Entry, decision: 'approved' | 'rejected', reason?: string): Promise<void> => {
    setBusy(true);
    setDeciding(entry.hash);
    setMessage(undefined);
    const body = { entry: entry.hash, decision, ...(reason ? { reason } : {}) };
    const prepared = await prepareStatement({ kind: KIND_CARELOG_APPROVAL, subject: entry.subject, body });
    // The care organisation's rules first (reason given, not yet decided), before the passkey asks.
    const checked =
      prepared.kind === 'ok'
        ? await carelogApi.approvalDraft(entry.hash, prepared.value.statement.author, decision, reason)
        : prepared;
    const signed =
      checked.kind === 'ok' && prepared.kind === 'ok' ? await signPrepared(prepared.value) : checked;
    setBusy(false);
    setDeciding(undefined);
    if (signed.kind === 'ok') {
      setRejecting(undefined);
      setMessage({ text: t(decision === 'approved' ? 'approvedSigned' : 'rejectedSigned'), error: false });
      load();
    } else {
      setMessage({
        text: `${t('signFailed')} ${signed.kind === 'error' ? signed.message : ''}`,
        error: true,
      });
    }
  };

  return (
    <>
      <h1>{t('hoursTitle')}</h1>
      <p>{t(own ? 'hoursClientIntro' : 'hoursRepIntro')}</p>
      {!approve && <p className="notice">{t('repNoApprove')}</p>}
      <Notice message={message} />
      <ResultState t={t} result={result} retry={load}>
        {({ indications }) =>
          indications.length === 0 ? (
            <p className="notice">{t('noIndication')}</p>
          ) : (
            indications.map((overview) => (
              <section
                key={overview.budget.indication.indication}
                aria-labelledby={`i-${overview.budget.indication.indication}`}
              >
                <h2 id={`i-${overview.budget.indication.indication}`}>
                  {t('careFrom')} {formatDate(overview.file?.birthDate)}
                </h2>
                <BudgetSummary t={t} overview={overview} />
                <h3>{t('visits')}</h3>
                {overview.entries.length === 0 && <p className="notice">{t('empty')}</p>}
                <ol className="timeline">
                  {overview.entries.map((entry) => (
                    <li key={entry.hash}>
                      <EntryLine t={t} entry={entry} />
                      {deciding === entry.hash && (
                        <p role="status" className="progress">
                          {t('signingPasskey')}
                        </p>
                      )}
                      {entry.status === 'approved' && entry.approval && (
                        <VerifiedBadge
                          t={t}
                          logged={[
                            { hash: entry.hash, receipt: () => receiptAt(entry.at) },
                            { hash: entry.approval.hash, receipt: () => receiptAt(entry.approval!.at) },
                          ]}
                        />
                      )}
                      {approve && entry.status === 'pending' && rejecting !== entry.hash && (
                        <p className="actions">
                          <button
                            type="button"
                            disabled={busy}
                            onClick={() => void decide(entry, 'approved')}
                          >
                            {t('approve')}
                          </button>
                          <button type="button" disabled={busy} onClick={() => setRejecting(entry.hash)}>
                            {t('reject')}
                          </button>
                        </p>
                      )}
                      {approve && entry.status === 'pending' && rejecting === entry.hash && (
                        <form
                          onSubmit={(e: FormEvent<HTMLFormElement>) => {
                            e.preventDefault();
                            const reason = String(new FormData(e.currentTarget).get('reason') ?? '');
                            void decide(entry, 'rejected', reason);
                          }}
                        >
                          <label>
                            {t('rejectReason')}
                            <input name="reason" required maxLength={500} />
                          </label>
                          <p className="actions">
                            <button type="submit" disabled={busy}>
                              {t('rejectSign')}
                            </button>
                            <button type="button" onClick={() => setRejecting(undefined)}>
                              {t('cancel')}
                            </button>
                          </p>
                        </form>
                      )}
                    </li>
                  ))}
                </ol>
              </section>
            ))
          )
        }
      </ResultState>
    </>
  );
}

/** How often queued visits are offered to the node again. */
const RETRY_MS = 20_000;
/** Visits shown before "Toon alle". */
const RECENT = 10;

function CarerHours({ t, carer }: { t: Translate; carer: string }): ReactNode {
  const [result, load] = useIndications();
  const [message, setMessage] = useState<Message>();
  const [busy, setBusy] = useState(false);
  /** The rejected entry this visit corrects (supersedes), when she chose "Corrigeren". */
  const [correcting, setCorrecting] = useState<Entry | undefined>();
  useEffect(() => {
    if (correcting) document.getElementById('visit-date')?.focus();
  }, [correcting]);
  const [queued, setQueued] = useState(() => queuedVisits(carer));
  const [chosen, setChosen] = useState<string | undefined>();
  const [showAll, setShowAll] = useState(false);
  const people = usePeople(
    result?.kind === 'ok' ? result.value.indications.map((o) => o.budget.indication.subject) : [],
  );
  // Visits signed while offline go out as soon as the phone is online (and when the page opens).
  useEffect(() => {
    const flush = (): void => {
      if (queuedVisits(carer).length === 0) return;
      void flushVisits(carer).then(({ sent, refused }) => {
        setQueued(queuedVisits(carer));
        if (refused.length > 0)
          setMessage({
            text: `${t('visitRefused')} ${refused.map((r) => `${r.label}: ${r.message}`).join('; ')}`,
            error: true,
          });
        else if (sent > 0) setMessage({ text: t('queueSent'), error: false });
        if (sent > 0) load();
      });
    };
    flush();
    // The phone saying it is online is a hint; the node answering is the test: try again now and then.
    addEventListener('online', flush);
    const every = setInterval(flush, RETRY_MS);
    return () => {
      removeEventListener('online', flush);
      clearInterval(every);
    };
  }, [carer, load, t]);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const visit = {
      date: String(data.get('date') ?? ''),
      start: String(data.get('start') ?? ''),
      end: String(data.get('end') ?? ''),
      activities: data.getAll('activities').map(String),
    };
    if (visit.activities.length === 0) {
      setMessage({ text: t('chooseActivity'), error: true });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    const key = await carerKey(carer);
    const indication = String(data.get('indication'));
    const subject =
      result?.kind === 'ok'
        ? result.value.indications.find((o) => o.budget.indication.indication === indication)?.budget
            .indication.subject
        : undefined;
    const draft =
      key.kind === 'ok'
        ? await carelogApi.entryDraft(
            String(data.get('indication')),
            key.value.keyId,
            visit,
            correcting?.hash,
          )
        : key;
    // Offline is judged by whether the node answers, not by navigator.onLine: only a visit the
    // node could not be reached for waits on the phone (signed now, sent when it answers again).
    if (draft.kind === 'error' && draft.status === 0 && key.kind === 'ok' && subject) {
      await queueVisit(carer, key.value, indication, subject, visit, correcting?.hash);
      setQueued(queuedVisits(carer));
      setBusy(false);
      setCorrecting(undefined);
      form.reset();
      setMessage({ text: t('visitQueued'), error: false });
      return;
    }
    const logged =
      draft.kind === 'ok' && key.kind === 'ok'
        ? await carelogApi.submitEntry(await key.value.sign(draft.value.statement), correcting?.hash)
        : draft;
    setBusy(false);
    if (logged.kind === 'ok') {
      setMessage({ text: t(correcting ? 'correctionLogged' : 'visitLogged'), error: false });
      setCorrecting(undefined);
      form.reset();
      load();
    } else {
      setMessage({
        text: `${t('visitRefused')} ${logged.kind === 'error' ? logged.message : ''}`,
        error: true,
      });
    }
  };

  return (
    <>
      <h1>{t('logHoursTitle')}</h1>
      <ResultState t={t} result={result} retry={load}>
        {({ indications }) => {
          const today = todayIso();
          // Her clients in care now (or whose period she is correcting), the nearest birth first.
          const mine = indications
            .filter((o) => o.file?.carers.includes(carer))
            .sort((a, b) => (b.file?.birthDate ?? '').localeCompare(a.file?.birthDate ?? ''));
          if (mine.length === 0) return <p className="notice">{t('noClientsAssigned')}</p>;
          const selected =
            mine.find((o) => o.budget.indication.indication === (correcting?.indication ?? chosen)) ??
            mine[0]!;
          const period = selected.file
            ? carePeriodOf(selected.file.birthDate, selected.budget.indication.days)
            : undefined;
          const maxDay = period && period.to < today ? period.to : today;
          // Her visits, the newest first; the most recent ones unless she asks for all.
          const all = mine
            .flatMap((o) => o.entries.filter((e) => e.carer === carer))
            .sort((a, b) => `${b.date} ${b.start}`.localeCompare(`${a.date} ${a.start}`));
          const entries = showAll ? all : all.slice(0, RECENT);
          return (
            <>
              <form className="visit" key={correcting?.hash ?? 'new'} onSubmit={(e) => void submit(e)}>
                {correcting && (
                  <p className="notice">
                    {t('correcting')} {formatDate(correcting.date)} {correcting.start}–{correcting.end}{' '}
                    <button type="button" onClick={() => setCorrecting(undefined)}>
                      {t('cancel')}
                    </button>
                  </p>
                )}
                <label>
                  {t('client')}
                  <select
                    name="indication"
                    required
                    value={selected.budget.indication.indication}
                    onChange={(e) => setChosen(e.target.value)}
                  >
                    {mine.map((o) => (
                      <option key={o.budget.indication.indication} value={o.budget.indication.indication}>
                        {personLabel(people.get(o.budget.indication.subject), t('clientUnnamed'))} ·{' '}
                        {hoursOf(o.budget.availableMinutes)} {t('hoursUnit')} {t('available')}
                      </option>
                    ))}
                  </select>
                </label>
                {period && (
                  <p className="meta" id="care-period">
                    {t('carePeriod')}: {formatDate(period.from)} {t('through')} {formatDate(period.to)}
                    {period.to < today && ` · ${t('carePeriodOver')}`}
                  </p>
                )}
                <label>
                  {t('date')}
                  <input
                    id="visit-date"
                    name="date"
                    type="date"
                    required
                    aria-describedby={period ? 'care-period' : undefined}
                    key={selected.budget.indication.indication}
                    {...(period ? { min: period.from } : {})}
                    max={maxDay}
                    defaultValue={correcting?.date ?? maxDay}
                  />
                </label>
                <div className="times">
                  <label>
                    {t('start')}
                    <input name="start" type="time" required defaultValue={correcting?.start} />
                  </label>
                  <label>
                    {t('end')}
                    <input name="end" type="time" required defaultValue={correcting?.end} />
                  </label>
                </div>
                <fieldset>
                  <legend>{t('activities')}</legend>
                  {ACTIVITIES.map((code) => (
                    <label key={code} className="check">
                      <input
                        type="checkbox"
                        name="activities"
                        value={code}
                        defaultChecked={correcting?.activities.includes(code)}
                      />{' '}
                      {t(activityKey(code))}
                    </label>
                  ))}
                </fieldset>
                <button type="submit" disabled={busy}>
                  {t(busy ? 'signing' : 'logVisit')}
                </button>
              </form>
              <div aria-live="polite">
                {message && (
                  <p
                    className={message.error ? 'notice error' : 'notice'}
                    role={message.error ? 'alert' : undefined}
                  >
                    {message.text}
                  </p>
                )}
              </div>
              {queued.length > 0 && (
                <section aria-labelledby="queued">
                  <h2 id="queued">{t('queuedTitle')}</h2>
                  <ul>
                    {queued.map((q, i) => (
                      <li key={i}>{q.label}</li>
                    ))}
                  </ul>
                </section>
              )}
              <h2>{t('myLoggedHours')}</h2>
              {entries.length === 0 ? (
                <p className="notice">{t('empty')}</p>
              ) : (
                <ol className="timeline">
                  {entries.map((entry) => (
                    <li key={entry.hash}>
                      <EntryLine
                        t={t}
                        entry={entry}
                        who={personLabel(people.get(entry.subject), t('clientUnnamed'))}
                      />
                      {entry.status === 'rejected' && !entry.supersededBy && (
                        <button type="button" onClick={() => setCorrecting(entry)}>
                          {t('correct')}
                          <span className="sr-only">
                            {' '}
                            {formatDate(entry.date)} {entry.start}–{entry.end}
                          </span>
                        </button>
                      )}
                    </li>
                  ))}
                </ol>
              )}
              {all.length > entries.length && (
                <button type="button" onClick={() => setShowAll(true)}>
                  {t('showAll')} ({all.length})
                </button>
              )}
            </>
          );
        }}
      </ResultState>
    </>
  );
}
