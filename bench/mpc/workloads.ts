/**
 * The workloads of issue 8's benchmark, each as one party's side plus a plaintext check (run at
 * party 1). Columns: hospital (1) app, gp; insurer (2) cost, cost² (owner side); statistics (3)
 * income. W1 is the sharing of four columns (and one opened sum); the others start from shared columns (W1's cost is not in
 * their time) unless they need columns of their own (W5 one-hot, W6 in its wider field, W8, W9).
 */
import {
  M127,
  M61,
  M89,
  type Field,
  type Party,
  type Shares,
  disclosedGroupStatistics,
  lessThan,
  linearRegression,
  plaintextOls,
  privateSetIntersection,
  regressionField,
  toSigned,
  type RegressionBounds,
} from '../../packages/analytics/src/index.ts';
import { BINS, COST_BITS, INCOME_BITS, bin, type Cohort } from './data.ts';

export type Workload = {
  readonly name: string;
  readonly field: (d: Cohort) => Field;
  /** the shared base columns the timed part starts from (untimed) */
  readonly base: boolean;
  readonly run: (p: Party, d: Cohort, base: Base | undefined) => Promise<unknown>;
  /** untimed: opens what the check needs (default: the result as it is) */
  readonly reveal?: (p: Party, result: unknown) => Promise<unknown>;
  /** throws when the result differs from plaintext */
  readonly check: (result: unknown, d: Cohort) => void;
  /** MPyC reference at N = 4,350 and 43,500, seconds [fast, slow] */
  readonly reference?: Record<number, [number, number]>;
};

export type Base = { app: Shares; gp: Shares; cost: Shares; costSq: Shares; income: Shares };

export async function shareBase(p: Party, d: Cohort): Promise<Base> {
  const n = d.n;
  const [app, gp, cost, costSq, income] = await p.input(
    [
      { owner: 1, count: n },
      { owner: 1, count: n },
      { owner: 2, count: n },
      { owner: 2, count: n },
      { owner: 3, count: n },
    ],
    p.me === 1 ? [d.app, d.gp] : p.me === 2 ? [d.cost, d.cost.map((c) => c * c)] : [d.income],
  );
  return { app: app!, gp: gp!, cost: cost!, costSq: costSq!, income: income! };
}

function same(what: string, got: unknown, want: unknown): void {
  const g = JSON.stringify(got, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const w = JSON.stringify(want, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (g !== w) throw new Error(`${what}: ${g} differs from plaintext ${w}`);
}

const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
const m61 = (): Field => M61;

export const WORKLOADS: Workload[] = [
  {
    name: 'W1 share 4 columns',
    field: m61,
    base: false,
    run: async (p, d) => {
      const cols = await p.input(
        [
          { owner: 1, count: d.n },
          { owner: 1, count: d.n },
          { owner: 2, count: d.n },
          { owner: 3, count: d.n },
        ],
        p.me === 1 ? [d.app, d.gp] : p.me === 2 ? [d.cost] : [d.income],
      );
      return cols;
    },
    reveal: async (p, cols) => (await p.open([p.sum((cols as Shares[])[2]!)]))[0]![0],
    check: (r, d) => same('W1', r, sum(d.cost)),
    reference: { 4350: [0.03, 0.11], 43500: [0.35, 0.35] },
  },
  {
    // Σ a_i·b_i as an inner product: N local products, their sum opened at once (one round).
    name: 'W2 N mults, summed, opened',
    field: m61,
    base: true,
    run: async (p, _d, b) => (await p.openDot([[b!.app, b!.cost]]))[0],
    check: (r, d) => same('W2', r, sum(d.app.map((a, i) => a * d.cost[i]!))),
    reference: { 4350: [0.022, 0.037], 43500: [0.25, 0.25] },
  },
  {
    // a 32-bit comparison with κ = 30, as MPyC's SecInt(32): in 2^89 − 1 (2^61 − 1 has no room)
    name: 'W3 N comparisons gp<3 (32-bit), counted',
    field: () => M89,
    base: true,
    run: async (p, _d, b) => {
      const lt = await lessThan(p, b!.gp, 3n, 32, 30);
      return (await p.open([p.sum(lt)]))[0]![0];
    },
    check: (r, d) => same('W3', r, BigInt(d.gp.filter((g) => g < 3n).length)),
    // MPyC 0.11 SecInt(32), measured side by side on this machine (issue 21)
    reference: { 4350: [1.3, 1.65], 43500: [13.9, 22.8] },
  },
  {
    name: 'W4 count, Σcost, Σcost² (app users, all)',
    field: m61,
    base: true,
    run: async (p, _d, b) => {
      const dots = p.localDot([
        [b!.app, b!.cost],
        [b!.app, b!.costSq],
      ]);
      return p.openProducts([p.sum(b!.app)[0]!, ...dots, p.sum(b!.cost)[0]!, p.sum(b!.costSq)[0]!]);
    },
    check: (r, d) =>
      same('W4', r, [
        sum(d.app),
        sum(d.app.map((a, i) => a * d.cost[i]!)),
        sum(d.app.map((a, i) => a * d.cost[i]! * d.cost[i]!)),
        sum(d.cost),
        sum(d.cost.map((c) => c * c)),
      ]),
    reference: { 4350: [0.055, 0.086], 43500: [0.6, 0.6] },
  },
  {
    name: 'W5 10-bin cost histogram of app users (one-hot)',
    field: m61,
    base: true,
    run: async (p, d, b) => {
      // owner-side: only the insurer encodes its costs
      const oneHot =
        p.me === 2 ? Array.from({ length: BINS }, (_, k) => d.cost.map((c) => (bin(c) === k ? 1n : 0n))) : [];
      const bins = await p.input(
        Array.from({ length: BINS }, () => ({ owner: 2 as const, count: d.n })),
        oneHot,
      );
      return p.openDot(bins.map((h) => [b!.app, h] as [Shares, Shares]));
    },
    check: (r, d) =>
      same(
        'W5',
        r,
        Array.from({ length: BINS }, (_, k) =>
          BigInt(d.cost.filter((c, i) => d.app[i] === 1n && bin(c) === k).length),
        ),
      ),
    reference: { 4350: [0.08, 0.16], 43500: [1.1, 1.1] },
  },
  {
    name: 'W6 OLS cost ~ 1 + app + income (incl. solve)',
    field: (d) => regressionField(olsBounds(d)),
    base: false,
    run: async (p, d) => {
      const [app, income, cost] = await p.input(
        [
          { owner: 1, count: d.n },
          { owner: 3, count: d.n },
          { owner: 2, count: d.n },
        ],
        p.me === 1 ? [d.app] : p.me === 3 ? [d.income] : [d.cost],
      );
      const one = new Array<bigint>(d.n).fill(1n);
      return linearRegression(p, [one, app!, income!], cost!, olsBounds(d));
    },
    check: (r, d) => {
      const got = r as { coefficients: number[]; standardErrors: number[] };
      const plain = plaintextOls(
        d.app.map((a, i) => [1, Number(a), Number(d.income[i]!)]),
        d.cost.map(Number),
      );
      const off = Math.max(
        ...got.coefficients.map((b, j) => Math.abs(b - plain.beta[j]!)),
        ...got.standardErrors.map((s, j) => Math.abs(s - plain.se[j]!)),
      );
      if (!(off < 1e-6)) throw new Error(`W6: off plaintext by ${off}`);
    },
    reference: { 4350: [0.19, 0.37], 43500: [2.6, 2.6] },
  },
  {
    name: 'W8 PSI, N pseudonyms per party, 70% overlap',
    field: () => M127,
    base: false,
    run: async (p, d) => {
      const lists = ([1, 2, 3] as const).map((owner) => ({ owner, size: d.n, columns: 0 }));
      const r = await privateSetIntersection(p, lists, [
        { pseudonyms: d.pseudonyms[p.me - 1]!, columns: [] },
      ]);
      return r.size;
    },
    check: (r, d) => same('W8', r, Math.round(0.7 * d.n)),
  },
  {
    name: 'W9 disclosure checks on 20 cells (min 10, (1,50))',
    field: () => M127,
    base: false,
    run: async (p, d) => {
      const cells = 20;
      const group = d.gp.map((g, i) => Number(g) * 2 + Number(d.app[i]!));
      const oneHot = Array.from({ length: cells }, (_, c) => group.map((g) => (g === c ? 1n : 0n)));
      const shares = await p.input(
        [
          ...oneHot.map(() => ({ owner: 1 as const, count: d.n })),
          { owner: 2, count: d.n },
          { owner: 2, count: d.n },
        ],
        p.me === 1 ? oneHot : p.me === 2 ? [d.cost, d.cost.map((c) => c * c)] : [],
      );
      const r = await disclosedGroupStatistics(
        p,
        [shares.slice(0, cells)],
        shares[cells]!,
        shares[cells + 1]!,
        {
          minCell: 10,
          valueBits: COST_BITS,
        },
      );
      return r.map((c) => (c.suppressed ? null : toSigned(M127, c.sum)));
    },
    check: (r, d) => {
      const group = d.gp.map((g, i) => Number(g) * 2 + Number(d.app[i]!));
      same(
        'W9',
        r,
        Array.from({ length: 20 }, (_, c) => {
          const vs = d.cost.filter((_x, i) => group[i] === c);
          const total = sum(vs);
          return vs.length < 10 || vs.some((v) => 2n * v > total) ? null : total;
        }),
      );
    },
  },
];

export function olsBounds(d: Cohort): RegressionBounds {
  return { rows: d.n, xBits: [1, 1, INCOME_BITS], yBits: COST_BITS };
}
