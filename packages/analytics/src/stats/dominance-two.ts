/**
 * Dominance rule (2, 67) on shares, next to (1, 50) in dominance.ts: a cell is unsafe when its two
 * largest contributions together exceed 67% of the cell total T.
 *
 * Needs neither a sort nor the cell's maximum. The candidates S are the members with 200·x > 67·T
 * (more than 33.5% each, so at most two of them); when the rule is violated the largest member is
 * among them. Let M be the candidates' total (an inner product, no comparison). Then the rule is
 * violated exactly when at least two members k have 67·T < 100·(x_k + M): with no candidate no
 * member qualifies (each would be a candidate); with one, M is the largest, and a second member
 * qualifies exactly when it and the largest exceed 67%; with two, both qualify. Ties included. A
 * cell of one member has no second one to qualify, yet its one member holds all of the total: it
 * counts one extra (then its member decides, as for 0 ≤ 0.67·0).
 * Both tests use the partition trick of disclosed-statistics.ts (a member is in at most one cell
 * of a partition): one comparison per member and partition for each. Only the returned pass bits
 * are meant to be opened.
 */
import { add, mul } from '../mpc/field.ts';
import type { Party, Shares } from '../mpc/engine.ts';
import { lessThan } from '../mpc/compare.ts';

/** Per partition and member: Σ_c cell_c(k)·v_c, the value of the member's own cell (one round). */
async function ownCellValues(
  p: Party,
  partitions: readonly (readonly Shares[])[],
  perCell: Shares,
): Promise<bigint[][]> {
  const f = p.field;
  const cells = partitions.flat();
  const products = await p.mul(cells.map((c, i) => [c, c.map(() => perCell[i]!)] as [Shares, Shares]));
  let at = 0;
  return partitions.map((cs) => {
    const own = new Array<bigint>(cells[0]?.length ?? 0).fill(0n);
    for (let i = 0; i < cs.length; i++, at++) {
      const prod = products[at]!;
      for (let k = 0; k < own.length; k++) own[k] = add(f, own[k]!, prod[k]!);
    }
    return own;
  });
}

/**
 * Shared pass bits, one per cell (cells in partition order): 1 when the two largest contributions
 * hold at most 67% of the cell total. Values are integers in [0, 2^valueBits) and n < 2^countBits.
 */
export async function dominanceTwoSixtySevenOk(
  p: Party,
  partitions: readonly (readonly Shares[])[],
  value: Shares,
  valueBits: number,
): Promise<Shares> {
  const f = p.field;
  const n = value.length;
  const countBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const cells = partitions.flat();
  // 100·(x + M) ≤ 300·2^valueBits and 67·T < 67·n·2^valueBits: 9 bits of room each.
  const ell = valueBits + countBits + 9;
  const totals = await p.dot(cells.map((c) => [c, value] as [Shares, Shares]));
  const ownTotal = await ownCellValues(p, partitions, totals);
  const sixtySevenT = ownTotal.flatMap((t) => t.map((x) => mul(f, 67n, x)));
  // Candidates: 67·T < 200·x.
  const candidate = await lessThan(
    p,
    sixtySevenT,
    partitions.flatMap(() => value.map((x) => mul(f, 200n, x))),
    ell,
  );
  const [candidateValue] = await p.mul([[candidate, partitions.flatMap(() => value)]]);
  const candidateTotal = await p.dot(
    partitions.flatMap((cs, j) =>
      cs.map((c) => [c, candidateValue!.slice(j * n, (j + 1) * n)] as [Shares, Shares]),
    ),
  );
  const ownM = await ownCellValues(p, partitions, candidateTotal);
  // Per member 67·T < 100·(x + M), and per cell [size < 2], in one batch.
  const below = await lessThan(
    p,
    [...sixtySevenT, ...cells.map((c) => p.sum(c)[0]!)],
    [...ownM.flatMap((m) => m.map((x, k) => mul(f, 100n, add(f, value[k]!, x)))), ...cells.map(() => 2n)],
    ell,
  );
  const single = below.slice(partitions.length * n);
  const counts = await p.dot(
    partitions.flatMap((cs, j) => {
      const bits = below.slice(j * n, (j + 1) * n);
      return cs.map((c) => [c, bits] as [Shares, Shares]);
    }),
  );
  return lessThan(p, p.add(counts, single), 2n, countBits + 2);
}
