/**
 * Linear regression by ordinary least squares, solved inside the computation (issue 8): only the
 * coefficients and their standard errors are opened.
 *
 * The sufficient statistics A = X'X, b = X'y and y'y are exact integers (one round of inner
 * products). A is inverted by masking (Bar-Ilan–Beaver): with R a random sharing (no message,
 * prss.ts), M = A·R is opened — uniformly random, so it says nothing of A — and A⁻¹ = R·M⁻¹ follows
 * locally. In the field A⁻¹ is adj(A)/det(A); β = A⁻¹b is opened (the result), after which
 * RSS = y'y − b'β is local, and v_j = RSS·(A⁻¹)_jj is opened: single field elements, each an opened
 * product (one round, no resharing), recovered as exact fractions by rational reconstruction, which needs a field
 * wider than numerator and denominator together: the bounds come from the spec (rows, value bits),
 * and `regressionField` picks the smallest Mersenne field that fits. SE_j = √(v_j / (n − k)).
 */
import { type Field, FieldError, M127, M1279, M521, add, inv, mod, mul, sub } from '../mpc/field.ts';
import type { Party, Shares } from '../mpc/engine.ts';
import { MpcProtocolError } from '../mpc/transport.ts';
import { reconstructRational, rationalToNumber, type Rational } from '../mpc/rational.ts';

export type RegressionBounds = {
  /** rows n (public: the linked cohort's size) */
  readonly rows: number;
  /** per regressor (the constant included): every |x| < 2^bits */
  readonly xBits: readonly number[];
  /** every |y| < 2^yBits */
  readonly yBits: number;
};

export type RegressionResult = {
  readonly coefficients: number[];
  readonly standardErrors: number[];
  /** the exact fractions behind them: β_j and SE_j² */
  readonly exact: { readonly beta: Rational[]; readonly variance: Rational[] };
};

const log2 = (x: number): number => Math.ceil(Math.log2(Math.max(2, x)));
const factorialBits = (k: number): number => {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return log2(f + 1);
};

/** Numerator and denominator bits of β_j and of v_j = SE_j²·(n − k). */
export function regressionBits(b: RegressionBounds): { beta: [number, number]; variance: [number, number] } {
  const k = b.xBits.length;
  const x = Math.max(...b.xBits);
  const n = log2(b.rows + 1);
  const entry = n + 2 * x;
  const det = factorialBits(k) + k * entry;
  const adj = factorialBits(k - 1) + (k - 1) * entry;
  const xy = n + x + b.yBits;
  const yy = n + 2 * b.yBits;
  const rss = Math.max(det + yy, 2 * xy + adj + 2 * log2(k)) + 1;
  return { beta: [adj + xy + log2(k) + 1, det], variance: [rss + adj + 1, 2 * det] };
}

/** The smallest engine field in which the regression's fractions can be recovered. */
export function regressionField(b: RegressionBounds): Field {
  const { beta, variance } = regressionBits(b);
  const need = Math.max(beta[0] + beta[1], variance[0] + variance[1]) + 2;
  const f = [M127, M521, M1279].find((c) => c.bits > need);
  if (!f) throw new FieldError(`a regression needing ${need} bits is beyond the engine's fields`);
  return f;
}

/** k×k matrix inverse over the field (Gauss–Jordan); undefined when singular. */
export function invertMatrix(f: Field, m: readonly (readonly bigint[])[]): bigint[][] | undefined {
  const k = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: k }, (_, j) => (i === j ? 1n : 0n))]);
  for (let c = 0; c < k; c++) {
    const pivot = a.findIndex((row, r) => r >= c && row[c] !== 0n);
    if (pivot < 0) return undefined;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    const s = inv(f, a[c]![c]!);
    a[c] = a[c]!.map((x) => mul(f, x, s));
    for (let r = 0; r < k; r++) {
      if (r === c || a[r]![c] === 0n) continue;
      const t = a[r]![c]!;
      a[r] = a[r]!.map((x, j) => sub(f, x, mul(f, t, a[c]![j]!)));
    }
  }
  return a.map((row) => row.slice(k));
}

/**
 * OLS of y on the regressor columns (a constant column is a vector of 1s at every party). Opens
 * only the masked M, β and v; all parties get the same result. 4 rounds.
 */
export async function linearRegression(
  p: Party,
  regressors: readonly Shares[],
  y: Shares,
  bounds: RegressionBounds,
): Promise<RegressionResult> {
  const f = p.field;
  const k = regressors.length;
  if (bounds.xBits.length !== k) throw new MpcProtocolError('bounds for every regressor, please');
  // A (upper triangle), b and y'y: one round of inner products.
  const pairs: [Shares, Shares][] = [];
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) pairs.push([regressors[i]!, regressors[j]!]);
  for (let i = 0; i < k; i++) pairs.push([regressors[i]!, y]);
  pairs.push([y, y]);
  const stats = await p.dot(pairs);
  const A: bigint[][] = Array.from({ length: k }, () => new Array<bigint>(k));
  let at = 0;
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) A[i]![j] = A[j]![i] = stats[at++]!;
  const b = stats.slice(at, at + k);
  const yy = stats[at + k]!;
  // R: a random matrix no party knows, shared without a message.
  const R = await p.random(k * k);
  const mPairs: [Shares, Shares][] = [];
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) mPairs.push([A[i]!, Array.from({ length: k }, (_, l) => R[l * k + j]!)]);
  const mOpen = await p.openDot(mPairs);
  const M = Array.from({ length: k }, (_, i) => mOpen!.slice(i * k, (i + 1) * k));
  const Minv = invertMatrix(f, M);
  if (!Minv) throw new MpcProtocolError('the normal equations are singular (collinear regressors)');
  // A⁻¹ = R·M⁻¹, local: M⁻¹ is public.
  const Ainv: bigint[][] = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => {
      let acc = 0n;
      for (let l = 0; l < k; l++) acc = add(f, acc, mul(f, R[i * k + l]!, Minv[l]![j]!));
      return acc;
    }),
  );
  const betaOpen = await p.openDot(Ainv.map((row) => [row, b] as [Shares, Shares]));
  // β is public now: b'β is a linear combination of the shares of b
  let q = 0n;
  for (let j = 0; j < k; j++) q = add(f, q, mul(f, b[j]!, betaOpen[j]!));
  const rss = sub(f, yy, q);
  const vOpen = await p.openProducts(Ainv.map((row, j) => mul(f, rss, row[j]!)));
  return fromFieldSolution(f, betaOpen, vOpen, bounds);
}

/** β_j and v_j as field elements → exact fractions, SE_j = √(v_j / (n − k)). */
function fromFieldSolution(
  f: Field,
  beta: readonly bigint[],
  v: readonly bigint[],
  bounds: RegressionBounds,
): RegressionResult {
  const bits = regressionBits(bounds);
  const betaQ = beta.map((u) => reconstructRational(f, u, bits.beta[0], bits.beta[1]));
  const dof = BigInt(bounds.rows - beta.length);
  const varQ = v.map((u) => {
    const r = reconstructRational(f, u, bits.variance[0], bits.variance[1]);
    return { num: r.num, den: r.den * dof };
  });
  return {
    coefficients: betaQ.map(rationalToNumber),
    standardErrors: varQ.map((x) => Math.sqrt(rationalToNumber(x))),
    exact: { beta: betaQ, variance: varQ },
  };
}

/** A released cell of binary (or small integer) regressors: their values x, and count, Σy, Σy². */
export type RegressionCell = {
  readonly x: readonly bigint[];
  readonly count: bigint;
  readonly sum: bigint;
  readonly sumSq: bigint;
};

/**
 * OLS from released cells alone, exactly, in the clear: when every regressor is constant within a
 * cell (dummies of the cells' own groups), X'X = Σ n_c·x_c·x_c', X'y = Σ x_c·Σy_c and y'y = Σ Σy²_c,
 * so the cell table the disclosure rules let out already determines β and SE — no further opening.
 * Solved the way the secure regression is (the field, then rational reconstruction).
 */
export function olsFromCells(cells: readonly RegressionCell[], yBits: number): RegressionResult {
  const k = cells[0]?.x.length ?? 0;
  if (k === 0 || cells.some((c) => c.x.length !== k))
    throw new MpcProtocolError('cells with regressors, please');
  const rows = Number(cells.reduce((n, c) => n + c.count, 0n));
  const xBits = Array.from({ length: k }, (_, j) =>
    Math.max(1, ...cells.map((c) => (c.x[j]! < 0n ? -c.x[j]! : c.x[j]!).toString(2).length)),
  );
  const bounds: RegressionBounds = { rows, xBits, yBits };
  const f = regressionField(bounds);
  const A = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) =>
      cells.reduce((s, c) => add(f, s, mod(f, c.count * c.x[i]! * c.x[j]!)), 0n),
    ),
  );
  const b = Array.from({ length: k }, (_, i) =>
    cells.reduce((s, c) => add(f, s, mod(f, c.x[i]! * c.sum)), 0n),
  );
  const yy = cells.reduce((s, c) => add(f, s, mod(f, c.sumSq)), 0n);
  const Ainv = invertMatrix(f, A);
  if (!Ainv) throw new MpcProtocolError('the normal equations are singular (collinear regressors)');
  const beta = Ainv.map((row) => row.reduce((s, a, j) => add(f, s, mul(f, a, b[j]!)), 0n));
  const rss = sub(
    f,
    yy,
    b.reduce((s, x, j) => add(f, s, mul(f, x, beta[j]!)), 0n),
  );
  return fromFieldSolution(
    f,
    beta,
    Ainv.map((row, j) => mul(f, rss, row[j]!)),
    bounds,
  );
}
