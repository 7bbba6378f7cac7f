/**
 * The IBD-coach evaluation (issue 8, modelled on the 2021 TNO / CBS / CZ / Zuyderland study): does
 * use of the e-health app go with fewer GP visits and lower insurer costs for patients with
 * inflammatory bowel disease, also within income groups? The hospital contributes who is an IBD
 * patient and who uses the app, the insurer each client's yearly cost and number of GP visits, the
 * statistics office the income quintile — each as columns over one agreed cohort domain, none of
 * them seeing another's column. The effect of app use, adjusted for income, is the OLS coefficient
 * of app use on cost and on GP visits, computed from the released cells (appUseEffect).
 *
 * The spec is what every party signs (its hash is in the agreement): parties in party-index order,
 * the columns each contributes, the cells, the value bound and the disclosure thresholds. Shapes,
 * counts and branches in `runIbdCoach` come from the spec and the agreed domain size only.
 */
import type { Json } from '@ketenlog/logbook';
import { M127 } from '../mpc/field.ts';
import type { InputSpec, Party, Shares } from '../mpc/engine.ts';
import { privateSetIntersection, type PsiOwnList } from '../linkage/psi.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import { disclosedGroupStatistics } from '../stats/disclosed-statistics.ts';
import { type CellResult, type Moments, moments } from '../stats/group-statistics.ts';
import { olsFromCells } from '../stats/regression.ts';

export const IBD_COACH_STUDY = 'ibd-coach-evaluation';
export const IBD_COACH_FIELD = M127;
/** Yearly cost per client in whole euros, below 2^20 (about one million). */
export const COST_BITS = 20;
/** GP visits per client in the year, below 2^8. */
export const GP_BITS = 8;
export const MIN_CELL = 10;

/** The three parties as `ura:<URA>` references. */
export type IbdCoachParties = {
  readonly hospital: string;
  readonly insurer: string;
  readonly statistics: string;
};

export const IBD_COACH_CELLS = [
  'app-user',
  'non-user',
  'app-user/income-q1-2',
  'app-user/income-q3-5',
  'non-user/income-q1-2',
  'non-user/income-q3-5',
] as const;
export type IbdCoachCell = (typeof IBD_COACH_CELLS)[number];

export function ibdCoachSpec(parties: IbdCoachParties): Json {
  return {
    study: IBD_COACH_STUDY,
    version: 1,
    field: IBD_COACH_FIELD.name,
    parties: [parties.hospital, parties.insurer, parties.statistics],
    // Linked by private set intersection on pseudonyms, the insurer's list the base; every list
    // padded to the size of the insurer's cohort on the region index.
    cohort: { linkage: 'psi-ristretto255', base: parties.insurer, padding: 'region-index-pseudonyms' },
    inputs: [
      { owner: parties.hospital, column: 'ibd-app-user', type: 'bit' },
      { owner: parties.hospital, column: 'ibd-non-user', type: 'bit' },
      { owner: parties.insurer, column: 'cost-eur', type: 'integer', bits: COST_BITS },
      { owner: parties.insurer, column: 'cost-eur-squared', type: 'integer', bits: 2 * COST_BITS },
      { owner: parties.insurer, column: 'gp-visits', type: 'integer', bits: GP_BITS },
      { owner: parties.insurer, column: 'gp-visits-squared', type: 'integer', bits: 2 * GP_BITS },
      { owner: parties.statistics, column: 'income-q1-2', type: 'bit' },
      { owner: parties.statistics, column: 'income-q3-5', type: 'bit' },
    ],
    cells: [...IBD_COACH_CELLS],
    value: 'cost-eur',
    also: ['gp-visits'],
    statistics: ['count', 'sum', 'mean', 'variance'],
    // from the released cells only: the four app-use × income cells give X'X, X'y and y'y exactly
    effect: {
      model: 'ols',
      outcomes: ['cost-eur', 'gp-visits'],
      regressors: ['1', 'ibd-app-user', 'income-q3-5'],
    },
    disclosure: {
      minCell: MIN_CELL,
      dominance: [
        [1, 50],
        [2, 67],
      ],
    },
  };
}

/** One cohort member as each owner knows it (plaintext, at its owner only). */
export type HospitalRow = { readonly ibd: boolean; readonly appUser: boolean };
export type InsurerRow = { readonly costEur: number; readonly gpVisits?: number };
export type StatisticsRow = { readonly incomeQuintile?: 1 | 2 | 3 | 4 | 5 };

const bit = (b: boolean): bigint => (b ? 1n : 0n);

/** The hospital's columns over the domain (absent members: zeros). */
export function hospitalColumns(rows: readonly (HospitalRow | undefined)[]): bigint[][] {
  return [rows.map((r) => bit(!!r?.ibd && r.appUser)), rows.map((r) => bit(!!r?.ibd && !r.appUser))];
}

export class StudyInputError extends Error {
  override readonly name = 'StudyInputError';
}

function boundedColumn(values: readonly number[], bits: number, what: string): bigint[] {
  return values.map((v) => {
    if (!Number.isSafeInteger(v) || v < 0 || v >= 2 ** bits)
      throw new StudyInputError(`${what} outside [0, 2^${bits})`);
    return BigInt(v);
  });
}

/** The insurer's columns: cost, cost², GP visits, GP visits². */
export function insurerColumns(rows: readonly (InsurerRow | undefined)[]): bigint[][] {
  const cost = boundedColumn(
    rows.map((r) => r?.costEur ?? 0),
    COST_BITS,
    'a cost in euros',
  );
  const gp = boundedColumn(
    rows.map((r) => r?.gpVisits ?? 0),
    GP_BITS,
    'a number of GP visits',
  );
  return [cost, cost.map((c) => c * c), gp, gp.map((g) => g * g)];
}

export function statisticsColumns(rows: readonly (StatisticsRow | undefined)[]): bigint[][] {
  const q = rows.map((r) => r?.incomeQuintile);
  return [q.map((x) => bit(x !== undefined && x <= 2)), q.map((x) => bit(x !== undefined && x >= 3))];
}

/** Party index of each role: the spec's party order. */
export const HOSPITAL: PartyIndex = 1;
export const INSURER: PartyIndex = 2;
export const STATISTICS: PartyIndex = 3;

export type IbdCoachCellResult =
  | { readonly cell: IbdCoachCell; readonly suppressed: true }
  | {
      readonly cell: IbdCoachCell;
      readonly suppressed: false;
      readonly count: number;
      readonly sumCostEur: number;
      readonly meanCostEur: number;
      readonly varianceCostEur: number;
      readonly sumGpVisits: number;
      readonly meanGpVisits: number;
      readonly varianceGpVisits: number;
      /** exact Σy² per outcome, for the effect estimate */
      readonly sumSqCostEur: string;
      readonly sumSqGpVisits: string;
    };

function cellResult(cell: IbdCoachCell, r: CellResult): IbdCoachCellResult {
  if (r.suppressed) return { cell, suppressed: true };
  const gp = r.also?.[0];
  if (!gp) throw new StudyInputError('the GP visits of a released cell are missing');
  return {
    cell,
    suppressed: false,
    count: Number(r.count),
    sumCostEur: Number(r.sum),
    meanCostEur: r.mean,
    varianceCostEur: r.variance,
    sumGpVisits: Number(gp.sum),
    meanGpVisits: gp.mean,
    varianceGpVisits: gp.variance,
    sumSqCostEur: r.sumSq.toString(),
    sumSqGpVisits: gp.sumSq.toString(),
  };
}

/** The effect of app use (OLS coefficient, standard error), adjusted for income group. */
export type AppUseEffect = {
  readonly costEur: { readonly coefficient: number; readonly standardError: number };
  readonly gpVisits: { readonly coefficient: number; readonly standardError: number };
  /** IBD patients with a known income group (the four cells) */
  readonly n: number;
};

/**
 * y ~ 1 + app + income-q3-5 over IBD patients with a known income group, for y = cost and GP visits,
 * from the four released app-use × income cells; undefined when one of them is suppressed.
 */
export function appUseEffect(cells: readonly IbdCoachCellResult[]): AppUseEffect | undefined {
  const x: Partial<Record<IbdCoachCell, bigint[]>> = {
    'app-user/income-q1-2': [1n, 1n, 0n],
    'app-user/income-q3-5': [1n, 1n, 1n],
    'non-user/income-q1-2': [1n, 0n, 0n],
    'non-user/income-q3-5': [1n, 0n, 1n],
  };
  const released = cells.flatMap((c) => (x[c.cell] && !c.suppressed ? [c] : []));
  if (released.length !== 4) return undefined;
  const fit = (
    sum: (c: (typeof released)[number]) => number,
    sumSq: (c: (typeof released)[number]) => string,
    bits: number,
  ) => {
    const r = olsFromCells(
      released.map((c) => ({
        x: x[c.cell]!,
        count: BigInt(c.count),
        sum: BigInt(sum(c)),
        sumSq: BigInt(sumSq(c)),
      })),
      bits,
    );
    return { coefficient: r.coefficients[1]!, standardError: r.standardErrors[1]! };
  };
  return {
    costEur: fit(
      (c) => c.sumCostEur,
      (c) => c.sumSqCostEur,
      COST_BITS,
    ),
    gpVisits: fit(
      (c) => c.sumGpVisits,
      (c) => c.sumSqGpVisits,
      GP_BITS,
    ),
    n: released.reduce((n, c) => n + c.count, 0),
  };
}

/**
 * This party's side of the study over a domain of `n` cohort members; `mine` are its own columns
 * (hospitalColumns / insurerColumns / statisticsColumns), empty for none.
 */
export async function runIbdCoach(
  p: Party,
  n: number,
  mine: readonly bigint[][],
): Promise<IbdCoachCellResult[]> {
  const specs: InputSpec[] = [
    { owner: HOSPITAL, count: n },
    { owner: HOSPITAL, count: n },
    { owner: INSURER, count: n },
    { owner: INSURER, count: n },
    { owner: INSURER, count: n },
    { owner: INSURER, count: n },
    { owner: STATISTICS, count: n },
    { owner: STATISTICS, count: n },
  ];
  return ibdCoachOnShares(p, (await p.input(specs, mine)) as IbdCoachColumns);
}

/** The study's shared columns in spec order: app, non-user, cost, cost², GP visits, GP visits², income q1–2, q3–5. */
export type IbdCoachColumns = [Shares, Shares, Shares, Shares, Shares, Shares, Shares, Shares];

/**
 * The study linked by private set intersection instead of a public cohort domain: each party brings
 * its own records by pseudonym (sizes public, from the prepare step); the insurer's list is the
 * base, and the hospital's and statistics office's columns arrive aligned to it, zero where a
 * client is not in their list — so such a client is in no cell. No party learns who was linked.
 */
export async function runIbdCoachLinked(
  p: Party,
  sizes: { readonly hospital: number; readonly insurer: number; readonly statistics: number },
  mine: PsiOwnList | undefined,
): Promise<IbdCoachCellResult[]> {
  const linked = await privateSetIntersection(
    p,
    [
      { owner: INSURER, size: sizes.insurer, columns: 4 },
      { owner: HOSPITAL, size: sizes.hospital, columns: 2 },
      { owner: STATISTICS, size: sizes.statistics, columns: 2 },
    ],
    mine ? [mine] : [],
  );
  const [[cost, costSq, gp, gpSq], [app, non], [low, high]] = linked.columns as [
    Shares[],
    Shares[],
    Shares[],
  ];
  return ibdCoachOnShares(p, [app!, non!, cost!, costSq!, gp!, gpSq!, low!, high!]);
}

async function ibdCoachOnShares(p: Party, columns: IbdCoachColumns): Promise<IbdCoachCellResult[]> {
  const [app, non, cost, costSq, gp, gpSq, low, high] = columns;
  // Cross cells: owner-side one-hot columns of two owners, multiplied on shares (one round).
  const cross = await p.mul([
    [app, low],
    [app, high],
    [non, low],
    [non, high],
  ]);
  // Two partitions of disjoint cells: app use, and app use × income group.
  const results = await disclosedGroupStatistics(p, [[app, non], cross], cost, costSq, {
    minCell: MIN_CELL,
    valueBits: COST_BITS,
    dominanceTwo: true,
    also: [[gp, gpSq]],
  });
  return results.map((r, i) => cellResult(IBD_COACH_CELLS[i]!, r));
}

/** The same table computed in the clear (tests and the benchmark's check); same rules. */
export function ibdCoachPlaintext(
  hospital: readonly (HospitalRow | undefined)[],
  insurer: readonly (InsurerRow | undefined)[],
  statistics: readonly (StatisticsRow | undefined)[],
): IbdCoachCellResult[] {
  const [app, non] = hospitalColumns(hospital) as [bigint[], bigint[]];
  const [cost, , gp] = insurerColumns(insurer) as [bigint[], bigint[], bigint[]];
  const [low, high] = statisticsColumns(statistics) as [bigint[], bigint[]];
  const member = [
    app,
    non,
    ...[app, app, non, non].map((g, i) => g.map((x, k) => x * [low, high][i % 2]![k]!)),
  ];
  return member.map((col, i) => {
    const cell = IBD_COACH_CELLS[i]!;
    const values = cost.filter((_, k) => col[k] === 1n);
    const visits = gp.filter((_, k) => col[k] === 1n);
    const count = BigInt(values.length);
    const of = (xs: bigint[]): Moments =>
      moments(
        count,
        xs.reduce((a, b) => a + b, 0n),
        xs.reduce((a, b) => a + b * b, 0n),
      );
    const main = of(values);
    const [first = 0n, second = 0n] = [...values].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const dominated = 2n * first > main.sum || 100n * (first + second) > 67n * main.sum;
    if (values.length < MIN_CELL || dominated) return { cell, suppressed: true };
    return cellResult(cell, { suppressed: false, count, ...main, also: [of(visits)] });
  });
}

/** The output as JSON (what is digested, stated on the log and released). */
export function cellsJson(cells: readonly IbdCoachCellResult[]): Json {
  return cells.map((c) => ({ ...c })) as Json;
}
