import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { actingOf, type Principal } from '../api/auth.ts';
import {
  carelogApi,
  hoursOf,
  PAYMENT_STATUSES,
  type Declaration,
  type IndicationOverview,
  type ReceiptedEntry,
} from '../api/carelog.ts';
import { careRoleOf } from '@ketenlog/carelog/care-roles';
import { ResultState } from './State.tsx';
import { VerifiedBadge } from './VerifiedBadge.tsx';
import { formatDate, plural, saveFile, toCsv, todayIso } from '../format.ts';
import { peopleOf, personLabel, usePeople, type Person } from '../api/people.ts';
import type { Translate as T } from '../i18n.ts';

/** Uren en declaraties: the care administration's hours per client, the insurer's approved hours. */
export function DashboardPage({
  t,
  principal,
}: {
  t: Translate;
  principal: Principal | undefined;
}): ReactNode {
  const acting = actingOf(principal);
  const careRole = careRoleOf(acting?.role);
  if (acting && careRole === 'assessor') return <InsurerDashboard t={t} ura={acting.ura} />;
  if (careRole === 'administration') return <AdministrationDashboard t={t} />;
  return (
    <>
      <h1>{t('dashboardTitle')}</h1>
      <ResultState t={t} result={principal ? { kind: 'ok', value: null } : { kind: 'unauthorised' }}>
        {() => <p className="notice">{t('dashboardForStaff')}</p>}
      </ResultState>
    </>
  );
}

/** A table that scrolls sideways on a phone instead of widening the page. */
function Scroll({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    <div className="scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** Hours per client as a CSV for Dutch Excel (semicolons), with names instead of pseudonyms. */
function administrationCsv(
  t: T,
  indications: readonly IndicationOverview[],
  people: ReadonlyMap<string, Person>,
): string {
  return toCsv([
    [
      t('client'),
      t('birthDate'),
      t('budgetIndicated'),
      t('budgetApproved'),
      t('budgetPending'),
      t('statusRejected'),
      t('budgetRemaining'),
    ],
    ...indications.map(({ budget, minutes }) => {
      const person = people.get(budget.indication.subject);
      return [
        person?.name ?? t('clientUnnamed'),
        person?.birthDate ? formatDate(person.birthDate, 'short') : '',
        hoursOf(budget.budgetMinutes),
        hoursOf(minutes.approved),
        hoursOf(minutes.pending),
        hoursOf(minutes.rejected + minutes.superseded),
        hoursOf(budget.remainingMinutes),
      ];
    }),
  ]);
}

function AdministrationDashboard({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<{ indications: IndicationOverview[] }> | undefined>();
  const load = useCallback(() => void carelogApi.indications().then(setResult), []);
  useEffect(load, [load]);
  const people = usePeople(
    result?.kind === 'ok' ? result.value.indications.map((o) => o.budget.indication.subject) : [],
  );
  return (
    <>
      <h1>{t('dashboardTitle')}</h1>
      <p>{t('administrationIntro')}</p>
      <ResultState t={t} result={result} retry={load}>
        {({ indications }) =>
          indications.length === 0 ? (
            <p className="notice">{t('empty')}</p>
          ) : (
            <>
              <p>
                <button
                  type="button"
                  onClick={() =>
                    saveFile(`uren-per-client-${todayIso()}.csv`, administrationCsv(t, indications, people))
                  }
                >
                  {t('downloadCsv')}
                </button>
              </p>
              <Scroll label={t('hoursPerClient')}>
                <table>
                  <caption>{t('hoursPerClient')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('client')}</th>
                      <th scope="col">{t('budgetIndicated')}</th>
                      <th scope="col">{t('budgetApproved')}</th>
                      <th scope="col">{t('budgetPending')}</th>
                      <th scope="col">{t('statusRejected')}</th>
                      <th scope="col">{t('budgetRemaining')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...indications]
                      .sort((a, b) => (b.file?.birthDate ?? '').localeCompare(a.file?.birthDate ?? ''))
                      .map(({ budget, minutes }) => {
                        const id = budget.indication.indication;
                        return (
                          <tr key={id}>
                            <th scope="row">
                              {personLabel(people.get(budget.indication.subject), t('clientUnnamed'))}
                            </th>
                            <td>{hoursOf(budget.budgetMinutes)}</td>
                            <td>{hoursOf(minutes.approved)}</td>
                            <td>{hoursOf(minutes.pending)}</td>
                            <td>{hoursOf(minutes.rejected + minutes.superseded)}</td>
                            <td>{hoursOf(budget.remainingMinutes)}</td>
                          </tr>
                        );
                      })}
                  </tbody>
                </table>
              </Scroll>
            </>
          )
        }
      </ResultState>
    </>
  );
}

/** Approved visits per client, the client with the most recent visit first. */
function byClient(entries: readonly ReceiptedEntry[]): [string, ReceiptedEntry[]][] {
  const groups = new Map<string, ReceiptedEntry[]>();
  for (const e of entries) groups.set(e.entry.subject, [...(groups.get(e.entry.subject) ?? []), e]);
  const last = (list: ReceiptedEntry[]): string =>
    list.reduce((m, e) => (e.entry.date > m ? e.entry.date : m), '');
  return [...groups].sort((a, b) => last(b[1]).localeCompare(last(a[1])));
}

type InsurerView = {
  entries: ReceiptedEntry[];
  declarations: Declaration[];
  people: ReadonlyMap<string, Person>;
};

/** The approved hours and declarations with the names behind them: the table is drawn once, named
 * (names arriving after it made its rows grow: a layout shift on a phone). */
async function loadInsurer(ura: string): Promise<ApiResult<InsurerView>> {
  const [entries, declarations] = await Promise.all([
    carelogApi.insurerEntries(ura),
    carelogApi.declarations(ura),
  ]);
  if (entries.kind !== 'ok') return entries;
  if (declarations.kind !== 'ok') return declarations;
  const people = await peopleOf([
    ...entries.value.entries.map((e) => e.entry.subject),
    ...declarations.value.declarations.map((d) => d.subject),
  ]);
  return {
    kind: 'ok',
    value: { entries: entries.value.entries, declarations: declarations.value.declarations, people },
  };
}

function InsurerDashboard({ t, ura }: { t: Translate; ura: string }): ReactNode {
  const [result, setResult] = useState<ApiResult<InsurerView> | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => void loadInsurer(ura).then(setResult), [ura]);
  useEffect(load, [load]);
  const declare = async (): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    const made = await carelogApi.declare(ura);
    setBusy(false);
    setMessage(
      made.kind === 'ok'
        ? plural(made.value.declarations.length, [t('declarationMadeOne'), t('declarationMadeOther')])
        : `${t('error')} ${made.kind === 'error' ? made.message : ''}`,
    );
    load();
  };
  return (
    <>
      <h1>{t('dashboardTitle')}</h1>
      <p>{t('insurerIntro')}</p>
      <ResultState t={t} result={result} retry={load}>
        {({ entries, declarations, people }) => {
          const open = entries.filter((e) => !e.entry.declaration).length;
          // Declarations by a short running number ("1", "2", …), oldest first: no internal ids.
          const declarationNumber = new Map(
            [...declarations]
              .sort((a, b) => a.created.localeCompare(b.created))
              .map((d, i) => [d.id, String(i + 1)]),
          );
          return (
            <>
              <section aria-labelledby="approved-hours">
                <h2 id="approved-hours">{t('approvedHours')}</h2>
                {entries.length === 0 ? (
                  <p className="notice">{t('empty')}</p>
                ) : (
                  <Scroll label={t('approvedHours')}>
                    <table>
                      <caption className="sr-only">{t('approvedHours')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('client')}</th>
                          <th scope="col">{t('visits')}</th>
                          <th scope="col">{t('hoursUnitLong')}</th>
                          <th scope="col">{t('notYetDeclared')}</th>
                          <th scope="col">{t('proof')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {byClient(entries).map(([subject, mine]) => (
                          <tr key={subject}>
                            <th scope="row">
                              {personLabel(people.get(subject), t('clientUnnamed'))}
                              <details>
                                <summary>{t('showVisits')}</summary>
                                <ul className="visits">
                                  {mine.map(({ entry }) => (
                                    <li key={entry.hash}>
                                      {formatDate(entry.date, 'short')} {entry.start}–{entry.end} ·{' '}
                                      {hoursOf(entry.minutes)}
                                      {entry.declaration &&
                                        ` · ${t('declaration')} ${declarationNumber.get(entry.declaration) ?? ''}`}
                                    </li>
                                  ))}
                                </ul>
                              </details>
                            </th>
                            <td>{mine.length}</td>
                            <td>{hoursOf(mine.reduce((n, e) => n + e.entry.minutes, 0))}</td>
                            <td>
                              {hoursOf(
                                mine
                                  .filter((e) => !e.entry.declaration)
                                  .reduce((n, e) => n + e.entry.minutes, 0),
                              )}
                            </td>
                            <td>
                              <VerifiedBadge
                                t={t}
                                logged={mine.flatMap(({ entry, entryReceipt, approvalReceipt }) => [
                                  { hash: entry.hash, receipt: async () => entryReceipt },
                                  ...(entry.approval
                                    ? [{ hash: entry.approval.hash, receipt: async () => approvalReceipt }]
                                    : []),
                                ])}
                              />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </Scroll>
                )}
                <p className="actions">
                  <button type="button" disabled={open === 0 || busy} onClick={() => void declare()}>
                    {t(busy ? 'declaring' : 'makeDeclarations')}
                  </button>
                </p>
                <div aria-live="polite">
                  {busy && (
                    <p role="status" className="progress">
                      {t('declaringLong')}
                    </p>
                  )}
                  {message && <p className="notice">{message}</p>}
                </div>
              </section>
              <section aria-labelledby="declarations">
                <h2 id="declarations">{t('declarations')}</h2>
                {declarations.length === 0 ? (
                  <p className="notice">{t('empty')}</p>
                ) : (
                  <Scroll label={t('declarations')}>
                    <table>
                      <caption className="sr-only">{t('declarations')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('declaration')}</th>
                          <th scope="col">{t('client')}</th>
                          <th scope="col">{t('hoursUnitLong')}</th>
                          <th scope="col">{t('paymentStatus')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {declarations.map((d) => (
                          <tr key={d.id}>
                            <td>
                              {declarationNumber.get(d.id)} · {formatDate(d.created, 'short')}
                            </td>
                            <td>{personLabel(people.get(d.subject), t('clientUnnamed'))}</td>
                            <td>{hoursOf(d.minutes)}</td>
                            <td>
                              <select
                                aria-label={`${t('paymentStatus')} ${t('declaration')} ${declarationNumber.get(d.id) ?? ''}`}
                                value={d.paymentStatus}
                                onChange={(e) =>
                                  void carelogApi
                                    .setPaymentStatus(
                                      ura,
                                      d.id,
                                      e.target.value as Declaration['paymentStatus'],
                                    )
                                    .then(load)
                                }
                              >
                                {PAYMENT_STATUSES.map((status) => (
                                  <option key={status} value={status}>
                                    {t(`payment-${status}`)}
                                  </option>
                                ))}
                              </select>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </Scroll>
                )}
                <p>
                  <button
                    type="button"
                    onClick={() =>
                      saveFile(
                        `declaraties-${todayIso()}.csv`,
                        toCsv([
                          [
                            t('declaration'),
                            t('date'),
                            t('client'),
                            t('birthDate'),
                            t('hoursUnitLong'),
                            t('paymentStatus'),
                          ],
                          ...declarations.map((d) => {
                            const p = people.get(d.subject);
                            return [
                              declarationNumber.get(d.id) ?? '',
                              formatDate(d.created, 'short'),
                              p?.name ?? t('clientUnnamed'),
                              p?.birthDate ? formatDate(p.birthDate, 'short') : '',
                              hoursOf(d.minutes),
                              t(`payment-${d.paymentStatus}`),
                            ];
                          }),
                        ]),
                      )
                    }
                  >
                    {t('declarationsCsv')}
                  </button>
                </p>
              </section>
            </>
          );
        }}
      </ResultState>
    </>
  );
}
