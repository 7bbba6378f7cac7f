// Where an entry sits, and the one total order the fold uses to settle conflicts between logs.
// Each log's own order is fixed, but logs interleave differently at every node; ordering by
// (iat, origin, index) instead of by arrival makes the folded state independent of interleaving.

export interface EntryPosition {
  /** The statement's issued-at, seconds since the epoch. */
  readonly iat: number;
  /** The checkpoint origin of the log holding the entry. */
  readonly origin: string;
  /** The entry's index in that log. */
  readonly index: number;
}

/** The position of what the region configuration says: before every logged entry. */
export const CONFIGURED: EntryPosition = { iat: -1, origin: '', index: -1 };

/** Orders by issued-at, then log origin (code-unit order), then index within the log. */
export function comparePositions(a: EntryPosition, b: EntryPosition): number {
  if (a.iat !== b.iat) return a.iat - b.iat;
  if (a.origin !== b.origin) return a.origin < b.origin ? -1 : 1;
  return a.index - b.index;
}

export interface Positioned {
  /** base64 SHA-256 of the statement (statementHash): the same statement in two logs is one fact. */
  readonly hash: string;
  readonly at: EntryPosition;
}

/**
 * Keeps `value` under `key` unless an entry at an earlier position is already there: a
 * commutative "earliest wins", so arrival order does not matter.
 */
export function setEarliest<K, V extends { readonly at: EntryPosition }>(
  map: Map<K, V>,
  key: K,
  value: V,
): void {
  const existing = map.get(key);
  if (!existing || comparePositions(value.at, existing.at) < 0) map.set(key, value);
}

/**
 * Inserts a record into a list kept sorted by position; a statement already present (same hash)
 * keeps its earliest position.
 */
export function insertByPosition<T extends Positioned>(list: T[], record: T): void {
  const same = list.findIndex((r) => r.hash === record.hash);
  const existing = list[same];
  if (existing) {
    if (comparePositions(record.at, existing.at) >= 0) return;
    list.splice(same, 1);
  }
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    // 0 ≤ low ≤ mid < high ≤ list.length.
    if (comparePositions(list[mid]!.at, record.at) < 0) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, record);
}
