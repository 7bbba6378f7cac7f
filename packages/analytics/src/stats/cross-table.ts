/**
 * Cross-tables and Pearson's chi-square from secure counts. Each owner one-hot encodes its own
 * variable (owner side); cell (i, j) counts Σ_k row_i(k)·col_j(k), one round of inner products. Each
 * count is compared with the minimum cell size on shares and only the pass bits are opened, then
 * only passing counts. Chi-square needs the whole table, so it is computed (in the clear, from the
 * opened counts) only when every cell passes; otherwise it is suppressed too.
 */
import type { Party, Shares } from '../mpc/engine.ts';
import { cellSizeOk } from './group-statistics.ts';

export type CountCell =
  { readonly suppressed: true } | { readonly suppressed: false; readonly count: number };

export type CrossTableResult = {
  /** cells[i][j]: row category i, column category j */
  readonly cells: CountCell[][];
  readonly chiSquare: { readonly statistic: number; readonly degreesOfFreedom: number } | undefined;
};

/** Pearson's χ² of a complete table of counts (expected counts from the margins). */
export function pearsonChiSquare(counts: readonly (readonly number[])[]): {
  statistic: number;
  degreesOfFreedom: number;
} {
  const rows = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = counts[0]!.map((_, j) => counts.reduce((a, r) => a + r[j]!, 0));
  const total = rows.reduce((a, b) => a + b, 0);
  let statistic = 0;
  counts.forEach((r, i) =>
    r.forEach((o, j) => {
      const e = (rows[i]! * cols[j]!) / total;
      if (e > 0) statistic += (o - e) ** 2 / e;
    }),
  );
  return { statistic, degreesOfFreedom: (counts.length - 1) * (counts[0]!.length - 1) };
}

export async function crossTable(
  p: Party,
  rows: readonly Shares[],
  cols: readonly Shares[],
  o: { readonly minCell: number; readonly countBits: number },
): Promise<CrossTableResult> {
  const pairs = rows.flatMap((r) => cols.map((c) => [r, c] as [Shares, Shares]));
  const counts = await p.dot(pairs);
  const [pass] = await p.open([await cellSizeOk(p, counts, o.minCell, o.countBits)]);
  const released = counts.map((_, i) => i).filter((i) => pass![i] === 1n);
  const [opened] = await p.open([released.map((i) => counts[i]!)]);
  const flat: CountCell[] = counts.map(() => ({ suppressed: true }));
  released.forEach((i, j) => (flat[i] = { suppressed: false, count: Number(opened![j]!) }));
  const cells = rows.map((_, i) => flat.slice(i * cols.length, (i + 1) * cols.length));
  const complete = flat.every((c) => !c.suppressed);
  return {
    cells,
    chiSquare: complete
      ? pearsonChiSquare(cells.map((r) => r.map((c) => (c.suppressed ? 0 : c.count))))
      : undefined,
  };
}
