/**
 * Ordinary least squares in doubles (normal equations, Gauss–Jordan with partial pivoting): the
 * plaintext reference that the secure regression is checked against, in tests and the benchmark.
 */
export function plaintextOls(X: number[][], y: number[]): { beta: number[]; se: number[] } {
  const n = y.length;
  const k = X[0]!.length;
  const A = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => X.reduce((s, r) => s + r[i]! * r[j]!, 0)),
  );
  const b = Array.from({ length: k }, (_, i) => X.reduce((s, r, t) => s + r[i]! * y[t]!, 0));
  const aug = A.map((row, i) => [...row, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(aug[r]![c]!) > Math.abs(aug[piv]![c]!)) piv = r;
    [aug[c], aug[piv]] = [aug[piv]!, aug[c]!];
    const s = aug[c]![c]!;
    aug[c] = aug[c]!.map((x) => x / s);
    for (let r = 0; r < k; r++) if (r !== c) aug[r] = aug[r]!.map((x, j) => x - aug[r]![c]! * aug[c]![j]!);
  }
  const Ainv = aug.map((row) => row.slice(k));
  const beta = Ainv.map((row) => row.reduce((s, a, j) => s + a * b[j]!, 0));
  const rss = X.reduce((s, r, t) => s + (y[t]! - r.reduce((q, x, j) => q + x * beta[j]!, 0)) ** 2, 0);
  return { beta, se: Ainv.map((row, j) => Math.sqrt((rss / (n - k)) * row[j]!)) };
}
