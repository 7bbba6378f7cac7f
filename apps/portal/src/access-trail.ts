import type { AccessTrailItem } from './api/exchange.ts';

/** One visit in her access trail: the accesses one party made in one go, with their categories. */
export interface Visit {
  at: string;
  last: string;
  organisation: AccessTrailItem['organisation'];
  accessor: AccessTrailItem['accessor'];
  role: string;
  purpose: string;
  outcome: AccessTrailItem['outcome'];
  breakTheGlass: boolean;
  reason?: string;
  /** Distinct categories, in the order first seen; empty when none was named. */
  categories: string[];
}

/** Accesses within this long of a visit's first belong to it (one overview asks every holder). */
const VISIT_MS = 5 * 60_000;

/**
 * Groups the trail (newest first) into visits: the same person at the same organisation, for the
 * same purpose, with the same outcome and emergency flag, within five minutes. Pure; unit-tested.
 */
export function visitsOf(accesses: readonly AccessTrailItem[]): Visit[] {
  const visits: Visit[] = [];
  for (const a of accesses) {
    // One overview asks every holder at once: their records interleave, so a visit is any earlier
    // one with the same key within the window, not only the last.
    const v = visits.find(
      (v) =>
        v.accessor.id === a.accessor.id &&
        v.organisation.ura === a.organisation.ura &&
        v.purpose === a.purpose &&
        v.outcome === a.outcome &&
        v.breakTheGlass === a.breakTheGlass &&
        Math.abs(Date.parse(v.at) - Date.parse(a.at)) <= VISIT_MS,
    );
    const category = a.category && a.category !== '*' ? a.category : undefined;
    if (v) {
      if (category && !v.categories.includes(category)) v.categories.push(category);
      if (a.at < v.last) v.last = a.at;
      continue;
    }
    visits.push({
      at: a.at,
      last: a.at,
      organisation: a.organisation,
      accessor: a.accessor,
      role: a.role,
      purpose: a.purpose,
      outcome: a.outcome,
      breakTheGlass: a.breakTheGlass,
      ...(a.reason ? { reason: a.reason } : {}),
      categories: category ? [category] : [],
    });
  }
  return visits;
}
