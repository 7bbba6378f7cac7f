/**
 * Count, sum, mean and variance per cell with both disclosure rules checked inside the computation
 * (DESIGN.md "Analytics", "during"): a cell is released only when its count is at least the minimum
 * cell size and its largest contributor holds at most half of its total (dominance (1,50)) — and,
 * when the rules ask for it, its two largest at most 67% (dominance (2,67), dominance-two.ts). All
 * tests run on shares in one batched comparison; only the pass bit per cell is opened, and only
 * passing cells' aggregates are opened. Cells arrive as shared 0/1 membership columns.
 */
import { add, mul, sub } from '../mpc/field.ts';
import type { Party, Shares } from '../mpc/engine.ts';
import { lessThan } from '../mpc/compare.ts';
import { dominanceTwoSixtySevenOk } from './dominance-two.ts';
import { type CellResult, moments } from './group-statistics.ts';

export type DisclosureRules = {
  /** minimum cell size, from the agreement (10) */
  readonly minCell: number;
  /** every value is an integer in [0, 2^valueBits) (from the spec, never from the data) */
  readonly valueBits: number;
  /** also apply dominance (2, 67) */
  readonly dominanceTwo?: boolean;
  /**
   * Further values, each with its square (owner-side), whose moments are opened with every released
   * cell. The rules are decided on the main value (the amount); these add no test of their own.
   */
  readonly also?: readonly (readonly [Shares, Shares])[];
};

/** Bits ℓ with 2·x < 2^ℓ and Σ x < 2^ℓ for n values below 2^valueBits, and with n < 2^ℓ. */
export function comparisonBits(n: number, valueBits: number): number {
  return valueBits + Math.max(1, Math.ceil(Math.log2(n + 1))) + 1;
}

/**
 * `partitions` are groups of disjoint cells (owner-side one-hot columns, or products of them): a
 * member is in at most one cell of a partition. Then a member can only dominate its own cell, so
 * the dominance test needs one comparison per member and partition — [T(k) < 2·x_k], with T(k) the
 * total of the member's cell — rather than one per member and cell. Results follow the cells in
 * partition order.
 */
export async function disclosedGroupStatistics(
  p: Party,
  partitions: readonly (readonly Shares[])[],
  value: Shares,
  valueSq: Shares,
  rules: DisclosureRules,
): Promise<CellResult[]> {
  const f = p.field;
  const n = value.length;
  const ell = comparisonBits(n, rules.valueBits);
  const cells = partitions.flat();
  const counts = cells.map((c) => p.sum(c)[0]!);
  // Sufficient statistics: one round of inner products; per cell Σx, Σx², then Σ and Σ² of each `also`.
  const values = [[value, valueSq] as const, ...(rules.also ?? [])];
  const width = 2 * values.length;
  const sums = await p.dot(
    cells.flatMap((c) => values.flatMap(([v, v2]) => [[c, v] as const, [c, v2] as const])),
  );
  // T(k) per partition: Σ_c cell_c(k)·T_c, the total of the member's own cell (one round).
  let at = 0;
  const products = await p.mul(
    partitions.flatMap((cs) =>
      cs.map((c) => {
        const total = sums[width * at++]!;
        return [c, c.map(() => total)] as const;
      }),
    ),
  );
  at = 0;
  const ownTotal = partitions.map((cs) => {
    const t = new Array<bigint>(n).fill(0n);
    for (let i = 0; i < cs.length; i++) {
      const prod = products[at++]!;
      for (let k = 0; k < n; k++) t[k] = add(f, t[k]!, prod[k]!);
    }
    return t;
  });
  // One comparison batch: [count < minCell] per cell, [T(k) < 2·x_k] per partition and member.
  const twice = value.map((x) => mul(f, x, 2n));
  const left: bigint[] = [...counts];
  const right: bigint[] = cells.map(() => BigInt(rules.minCell));
  for (const t of ownTotal) {
    for (const x of t) left.push(x);
    for (const x of twice) right.push(x);
  }
  const below = await lessThan(p, left, right, ell);
  const small = below.slice(0, cells.length);
  // Cell c is dominated when one of its members holds more than half: Σ_k cell_c(k)·bit(k) (a bit).
  at = 0;
  const dominated = await p.dot(
    partitions.flatMap((cs, j) => {
      const bits = below.slice(cells.length + j * n, cells.length + (j + 1) * n);
      return cs.map((c) => [c, bits] as const);
    }),
  );
  let [passBits] = await p.mul([[small.map((s) => sub(f, 1n, s)), dominated.map((d) => sub(f, 1n, d))]]);
  if (rules.dominanceTwo) {
    const twoOk = await dominanceTwoSixtySevenOk(p, partitions, value, rules.valueBits);
    [passBits] = await p.mul([[passBits!, twoOk]]);
  }
  const [pass] = await p.open([passBits!]);
  const released = cells.map((_, i) => i).filter((i) => pass![i] === 1n);
  const [opened] = await p.open([
    released.flatMap((i) => [counts[i]!, ...sums.slice(width * i, width * (i + 1))]),
  ]);
  const out: CellResult[] = cells.map(() => ({ suppressed: true }));
  released.forEach((i, j) => {
    const at = (width + 1) * j;
    const count = opened![at]!;
    const [main, ...also] = values.map((_, v) =>
      moments(count, opened![at + 1 + 2 * v]!, opened![at + 2 + 2 * v]!),
    );
    out[i] = { suppressed: false, count, ...main!, ...(also.length ? { also } : {}) };
  });
  return out;
}
