/**
 * Count, sum, mean and variance per group on shares, with disclosure control inside the
 * computation: each cell's count is compared with the minimum cell size on shares, only the
 * pass/suppress bits are opened, and only passing cells' aggregates are opened. Groups arrive as
 * owner-side one-hot columns; the value owner also shares v² (owner-side), so the sufficient
 * statistics cost one round of inner products. Mean and variance are computed in the clear from
 * the opened aggregates (allowed by the spec); sample variance with n − 1.
 */
import { sub, toSigned } from '../mpc/field.ts';
import type { Party, Shares } from '../mpc/engine.ts';
import { lessThan } from '../mpc/compare.ts';

/** Sum, sum of squares, mean and sample variance (n − 1) of one value over a released cell. */
export type Moments = {
  readonly sum: bigint;
  readonly sumSq: bigint;
  readonly mean: number;
  readonly variance: number;
};

export type CellResult =
  | { readonly suppressed: true }
  | ({
      readonly suppressed: false;
      readonly count: bigint;
      /** the moments of further values, when asked for (disclosed-statistics.ts) */
      readonly also?: readonly Moments[];
    } & Moments);

/** Mean and variance from a cell's opened aggregates; the variance's numerator n·Σx² − (Σx)² exact. */
export function moments(count: bigint, sum: bigint, sumSq: bigint): Moments {
  const mean = Number(sum) / Number(count);
  const variance = count > 1n ? Number(count * sumSq - sum * sum) / Number(count * (count - 1n)) : 0;
  return { sum, sumSq, mean, variance };
}

export type GroupStatisticsOptions = {
  /** minimum cell size (agreement threshold, 10 by default) */
  readonly minCell?: number;
  /** bit length bounding every count (counts < 2^ℓ) */
  readonly countBits?: number;
};

/** Shared bits: 1 where count ≥ minCell. */
export async function cellSizeOk(
  p: Party,
  counts: Shares,
  minCell: number,
  countBits: number,
): Promise<Shares> {
  const small = await lessThan(p, counts, BigInt(minCell), countBits);
  return small.map((b) => sub(p.field, 1n, b));
}

export async function groupStatistics(
  p: Party,
  groups: readonly Shares[],
  value: Shares,
  valueSq: Shares,
  o: GroupStatisticsOptions = {},
): Promise<CellResult[]> {
  const minCell = o.minCell ?? 10;
  const countBits = o.countBits ?? 16;
  const counts = groups.map((g) => p.sum(g)[0]!);
  const sums = await p.dot(groups.flatMap((g) => [[g, value] as const, [g, valueSq] as const]));
  const ok = await cellSizeOk(p, counts, minCell, countBits);
  const [pass] = await p.open([ok]);
  const released = groups.map((_, i) => i).filter((i) => pass![i] === 1n);
  const [opened] = await p.open([released.flatMap((i) => [counts[i]!, sums[2 * i]!, sums[2 * i + 1]!])]);
  const f = p.field;
  const out: CellResult[] = groups.map(() => ({ suppressed: true }));
  released.forEach((i, j) => {
    const count = opened![3 * j]!;
    out[i] = {
      suppressed: false,
      count,
      ...moments(count, toSigned(f, opened![3 * j + 1]!), opened![3 * j + 2]!),
    };
  });
  return out;
}
