/**
 * Dominance rule (2, 67) on shares, next to (1, 50) in dominance.ts: a cell is unsafe when its two
 * largest contributions together exceed 67% of the cell total T.
 *
 * Needs only the cell's maximum M, not a sort: count the members k with 67·T < 100·(x_k + M). The
 * largest member is among them exactly when 200·M > 67·T, and then any other member is among them
 * exactly when it and the largest exceed 67%: so the rule is violated ⇔ that count is at least 2
 * (ties included). M per cell is a tournament of comparisons over the cell's masked values
 * (⌈log₂ n⌉ levels, all cells in one batch per level); the per-member test uses the partition trick
 * of disclosed-statistics.ts (a member is in at most one cell of a partition), so it costs one
 * comparison per member and partition. Only the returned pass bits are meant to be opened.
 */
import { add, mul } from '../mpc/field.ts';
import type { Party, Shares } from '../mpc/engine.ts';
import { lessThan } from '../mpc/compare.ts';

/** Element-wise maxima of many vectors of values in [0, 2^ℓ): ⌈log₂ n⌉ comparison levels. */
export async function maxima(p: Party, vectors: readonly Shares[], ell: number): Promise<Shares> {
  let current = vectors.map((v) => [...v]);
  while (current.some((v) => v.length > 1)) {
    const left: bigint[] = [];
    const right: bigint[] = [];
    const halves = current.map((v) => Math.floor(v.length / 2));
    current.forEach((v, i) => {
      for (let j = 0; j < halves[i]!; j++) {
        left.push(v[j]!);
        right.push(v[j + halves[i]!]!);
      }
    });
    const below = await lessThan(p, left, right, ell);
    // max = a + [a < b]·(b − a), one multiplication round
    const [delta] = await p.mul([[below, p.sub(right, left)]]);
    const larger = p.add(left, delta!);
    let at = 0;
    current = current.map((v, i) => {
      const h = halves[i]!;
      const out = larger.slice(at, at + h);
      at += h;
      if (v.length % 2 === 1) out.push(v[v.length - 1]!);
      return out;
    });
  }
  return current.map((v) => v[0] ?? 0n);
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
  // Masked values per cell (non-members 0; values ≥ 0, so the maximum is the cell's), and totals.
  const masked = await p.mul(cells.map((c) => [c, value] as [Shares, Shares]));
  const totals = cells.map((_, i) => p.sum(masked[i]!)[0]!);
  const max = await maxima(p, masked, valueBits);
  // Each member's own cell's T and M, per partition (one round).
  const own = await p.mul(
    cells.flatMap((c, i) => [
      [c, c.map(() => totals[i]!)] as [Shares, Shares],
      [c, c.map(() => max[i]!)] as [Shares, Shares],
    ]),
  );
  const left: bigint[] = [];
  const right: bigint[] = [];
  let at = 0;
  for (const cs of partitions) {
    const t = new Array<bigint>(n).fill(0n);
    const m = new Array<bigint>(n).fill(0n);
    for (let i = 0; i < cs.length; i++, at++) {
      const ot = own[2 * at]!;
      const om = own[2 * at + 1]!;
      for (let k = 0; k < n; k++) {
        t[k] = add(f, t[k]!, ot[k]!);
        m[k] = add(f, m[k]!, om[k]!);
      }
    }
    for (let k = 0; k < n; k++) {
      left.push(mul(f, 67n, t[k]!));
      right.push(mul(f, 100n, add(f, value[k]!, m[k]!)));
    }
  }
  // 100·(x + M) ≤ 200·2^valueBits and 67·T < 67·n·2^valueBits: 8 bits of room each.
  const ell = valueBits + countBits + 8;
  const over = await lessThan(p, left, right, ell);
  const counts = await p.dot(
    partitions.flatMap((cs, j) => {
      const bits = over.slice(j * n, (j + 1) * n);
      return cs.map((c) => [c, bits] as [Shares, Shares]);
    }),
  );
  return lessThan(p, counts, 2n, countBits + 1);
}
