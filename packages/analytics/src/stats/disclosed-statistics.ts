/**
 * Count, sum, mean and variance per cell with both disclosure rules checked inside the computation
 * (DESIGN.md "Analytics", "during"): a cell is released only when its count is at least the minimum
 * cell size and its largest contributor holds at most half of its total (dominance (1,50)). Both
 * tests run on shares in one batched comparison; only the pass bit per cell is opened, and only
 * passing cells' aggregates are opened. Cells arrive as shared 0/1 membership columns.
 */
import { mul, sub } from '../mpc/field.ts';
import type { Party, Shares } from '../mpc/engine.ts';
import { lessThan } from '../mpc/compare.ts';
import type { CellResult } from './group-statistics.ts';

export type DisclosureRules = {
  /** minimum cell size, from the agreement (10) */
  readonly minCell: number;
  /** every value is an integer in [0, 2^valueBits) (from the spec, never from the data) */
  readonly valueBits: number;
};

/** Bits ℓ with 2·x < 2^ℓ and Σ x < 2^ℓ for n values below 2^valueBits, and with n < 2^ℓ. */
export function comparisonBits(n: number, valueBits: number): number {
  return valueBits + Math.max(1, Math.ceil(Math.log2(n + 1))) + 1;
}

export async function disclosedGroupStatistics(
  p: Party,
  cells: readonly Shares[],
  value: Shares,
  valueSq: Shares,
  rules: DisclosureRules,
): Promise<CellResult[]> {
  const f = p.field;
  const n = value.length;
  const ell = comparisonBits(n, rules.valueBits);
  const counts = cells.map((c) => p.sum(c)[0]!);
  // Sufficient statistics (one round) and each member's contribution per cell (one round).
  const sums = await p.dot(cells.flatMap((c) => [[c, value] as const, [c, valueSq] as const]));
  const contributions = await p.mul(cells.map((c) => [c, value] as const));
  // One comparison batch: [count < minCell] per cell, then [total < 2·x_k] per cell and member.
  const left: bigint[] = [...counts];
  const right: bigint[] = cells.map(() => BigInt(rules.minCell));
  cells.forEach((_, i) => {
    const total = sums[2 * i]!;
    for (const x of contributions[i]!) {
      left.push(total);
      right.push(mul(f, x, 2n));
    }
  });
  const below = await lessThan(p, left, right, ell);
  const small = below.slice(0, cells.length);
  // At most one member can hold more than half, so the sum of the bits is itself a bit.
  const dominated = cells.map(
    (_, i) => p.sum(below.slice(cells.length + i * n, cells.length + (i + 1) * n))[0]!,
  );
  const [passBits] = await p.mul([[small.map((s) => sub(f, 1n, s)), dominated.map((d) => sub(f, 1n, d))]]);
  const [pass] = await p.open([passBits!]);
  const released = cells.map((_, i) => i).filter((i) => pass![i] === 1n);
  const [opened] = await p.open([released.flatMap((i) => [counts[i]!, sums[2 * i]!, sums[2 * i + 1]!])]);
  const out: CellResult[] = cells.map(() => ({ suppressed: true }));
  released.forEach((i, j) => {
    const count = opened![3 * j]!;
    const sum = opened![3 * j + 1]!;
    const sumSq = opened![3 * j + 2]!;
    const mean = Number(sum) / Number(count);
    // exact numerator in bigint: n·Σx² − (Σx)² over n(n − 1)
    const variance = count > 1n ? Number(count * sumSq - sum * sum) / Number(count * (count - 1n)) : 0;
    out[i] = { suppressed: false, count, sum, sumSq, mean, variance };
  });
  return out;
}
