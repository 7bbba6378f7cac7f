// The care administration's views: per client (her care period's entries and hours against the
// budget) and per carer (what she logged, by status, per client against that client's budget).
import type { CareFile } from './care-file.ts';
import type { Budget, CarelogService, EntryView } from './carelog-service.ts';
import type { CareEntryStatus } from './entry-status.ts';
import type { Outcome } from './problem.ts';

export type MinutesByStatus = Record<CareEntryStatus, number>;

const emptyTotals = (): MinutesByStatus => ({ pending: 0, approved: 0, rejected: 0, superseded: 0 });

function totalsOf(entries: readonly EntryView[]): MinutesByStatus {
  const totals = emptyTotals();
  for (const e of entries) totals[e.status] += e.minutes;
  return totals;
}

export interface ClientOverview {
  readonly file?: CareFile;
  readonly budget: Budget;
  readonly minutes: MinutesByStatus;
  readonly entries: readonly EntryView[];
}

export function clientOverview(service: CarelogService, indication: string): Outcome<ClientOverview> {
  const budget = service.budget(indication);
  if (!budget.ok) return budget;
  const entries = service.entries(indication);
  const file = service.files.file(indication);
  return {
    ok: true,
    value: { ...(file ? { file } : {}), budget: budget.value, minutes: totalsOf(entries), entries },
  };
}

export interface CarerClient {
  readonly indication: string;
  readonly subject: string;
  readonly minutes: MinutesByStatus;
  readonly budgetMinutes?: number;
}

export interface CarerOverview {
  readonly carer: string;
  readonly minutes: MinutesByStatus;
  readonly clients: readonly CarerClient[];
  readonly entries: readonly EntryView[];
}

export function carerOverview(service: CarelogService, carer: string): CarerOverview {
  const entries = service.carerEntries(carer);
  const indications = [...new Set(entries.map((e) => e.indication))].sort();
  const clients = indications.map((indication) => {
    const own = entries.filter((e) => e.indication === indication);
    const budget = service.budget(indication);
    return {
      indication,
      subject: own[0]!.subject, // an indication of these entries has one at least
      minutes: totalsOf(own),
      ...(budget.ok ? { budgetMinutes: budget.value.budgetMinutes } : {}),
    };
  });
  return { carer, minutes: totalsOf(entries), clients, entries };
}
