// Mijn Zorg Log on the logbook (DESIGN.md "Mijn Zorg Log"), folded from the carelog kinds
// (kinds/carelog-*.ts): indications, the carer's entries and
// the client's approvals by entry hash. The first decision on an entry (by position) stands; the
// current indication is the latest one no other indication of the same id replaces.
import { comparePositions, type Positioned } from './position.ts';

export interface IndicationRecord extends Positioned {
  readonly indication: string;
  readonly subject: string;
  /** `ura:<URA>` of the kraamzorg organisation. */
  readonly provider: string;
  readonly hours: number;
  readonly days: number;
  readonly replaces?: string;
  readonly author: string;
}

export interface CareEntryRecord extends Positioned {
  readonly indication: string;
  readonly subject: string;
  readonly date: string;
  readonly start: string;
  readonly end: string;
  readonly minutes: number;
  readonly activities: readonly string[];
  readonly author: string;
}

export interface ApprovalRecord extends Positioned {
  readonly entry: string;
  readonly subject: string;
  readonly decision: 'approved' | 'rejected';
  readonly reason?: string;
  readonly author: string;
}

export interface Carelog {
  /** indication id → every version, sorted by position. */
  readonly indications: Map<string, IndicationRecord[]>;
  /** entry statement hash → entry. */
  readonly entries: Map<string, CareEntryRecord>;
  /** indication id → entry hashes. */
  readonly entriesByIndication: Map<string, Set<string>>;
  /** entry statement hash → decisions, sorted by position. */
  readonly approvals: Map<string, ApprovalRecord[]>;
}

export function emptyCarelog(): Carelog {
  return { indications: new Map(), entries: new Map(), entriesByIndication: new Map(), approvals: new Map() };
}

/** The indication in force: the latest version that no other version replaces. */
export function currentIndication(carelog: Carelog, indication: string): IndicationRecord | undefined {
  const versions = carelog.indications.get(indication) ?? [];
  const replaced = new Set(versions.map((v) => v.replaces).filter((h) => h !== undefined));
  return versions.filter((v) => !replaced.has(v.hash)).at(-1);
}

/** The decision that stands on an entry: the first by its client (subject) by position. */
export function approvalOf(carelog: Carelog, entryHash: string): ApprovalRecord | undefined {
  const entry = carelog.entries.get(entryHash);
  if (!entry) return undefined;
  return carelog.approvals.get(entryHash)?.find((a) => a.subject === entry.subject);
}

export type EntryStatus = 'approved' | 'rejected' | 'pending';

export function entryStatus(carelog: Carelog, entryHash: string): EntryStatus {
  return approvalOf(carelog, entryHash)?.decision ?? 'pending';
}

export interface IndicationSummary {
  readonly indication: IndicationRecord;
  readonly indicatedMinutes: number;
  readonly loggedMinutes: number;
  readonly approvedMinutes: number;
  readonly rejectedMinutes: number;
  readonly pendingMinutes: number;
  /** Indicated minus approved (may go below zero when more was approved than indicated). */
  readonly remainingMinutes: number;
}

/** What the mother sees in real time: her budget and what was logged, approved and is pending. */
export function indicationSummary(carelog: Carelog, indication: string): IndicationSummary | undefined {
  const current = currentIndication(carelog, indication);
  if (!current) return undefined;
  const totals = { approved: 0, rejected: 0, pending: 0 };
  for (const hash of carelog.entriesByIndication.get(indication) ?? []) {
    const entry = carelog.entries.get(hash);
    if (!entry || entry.subject !== current.subject) continue;
    totals[entryStatus(carelog, hash)] += entry.minutes;
  }
  const indicatedMinutes = current.hours * 60;
  return {
    indication: current,
    indicatedMinutes,
    loggedMinutes: totals.approved + totals.rejected + totals.pending,
    approvedMinutes: totals.approved,
    rejectedMinutes: totals.rejected,
    pendingMinutes: totals.pending,
    remainingMinutes: indicatedMinutes - totals.approved,
  };
}

/** Approved entries, optionally only for some clients (e.g. an insurer's), sorted by position. */
export function approvedEntries(carelog: Carelog, subjects?: ReadonlySet<string>): CareEntryRecord[] {
  return [...carelog.entries.values()]
    .filter(
      (e) =>
        (subjects === undefined || subjects.has(e.subject)) && entryStatus(carelog, e.hash) === 'approved',
    )
    .sort((a, b) => comparePositions(a.at, b.at));
}
