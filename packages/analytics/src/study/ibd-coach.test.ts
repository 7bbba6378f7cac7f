import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import {
  IBD_COACH_FIELD,
  hospitalColumns,
  ibdCoachPlaintext,
  insurerColumns,
  runIbdCoach,
  runIbdCoachLinked,
  statisticsColumns,
  type HospitalRow,
  type InsurerRow,
  type StatisticsRow,
  appUseEffect,
} from './ibd-coach.ts';
import { plaintextOls } from '../stats/ols-plaintext.ts';

async function secure(
  h: (HospitalRow | undefined)[],
  i: (InsurerRow | undefined)[],
  s: (StatisticsRow | undefined)[],
) {
  const ts = inProcessTransports();
  const cols = [hospitalColumns(h), insurerColumns(i), statisticsColumns(s)];
  const out = await Promise.all(
    ([1, 2, 3] as PartyIndex[]).map((me) =>
      runIbdCoach(
        new Party({ field: IBD_COACH_FIELD, me, transport: ts[me - 1]!, specHash: 'h' }),
        h.length,
        cols[me - 1]!,
      ),
    ),
  );
  expect(out[0]).toEqual(out[1]);
  expect(out[1]).toEqual(out[2]);
  return out[0]!;
}

describe('the IBD-coach study on shares', () => {
  it('equals the plaintext table on random data, suppressing small and dominated cells', async () => {
    const n = 160;
    const h = Array.from({ length: n }, (_, k) =>
      k % 10 === 9 ? undefined : { ibd: k % 3 !== 0, appUser: randomInt(0, 2) === 1 },
    );
    const i = Array.from({ length: n }, () => ({
      costEur: randomInt(0, 20_000),
      gpVisits: randomInt(0, 15),
    }));
    // income known for most; very few in the high quintiles among app users → small cells
    const s = Array.from({ length: n }, (_, k) =>
      k % 7 === 0 ? undefined : { incomeQuintile: (k % 11 === 0 ? 4 : 1 + (k % 2)) as 1 | 2 | 4 },
    );
    const got = await secure(h, i, s);
    expect(got).toEqual(ibdCoachPlaintext(h, i, s));
    expect(got.some((c) => c.suppressed)).toBe(true);
    expect(got.some((c) => !c.suppressed)).toBe(true);
  });

  it('estimates the effect of app use on cost and GP visits from the released cells, as OLS on the rows does', async () => {
    const n = 240;
    // a known truth: app use −2 GP visits and −€300, high income −€100, noise from k
    const h = Array.from({ length: n }, (_, k) => ({ ibd: k % 8 !== 0, appUser: k % 3 !== 1 }));
    const s = Array.from({ length: n }, (_, k) => ({
      incomeQuintile: (1 + ((k * 7 + (k >> 2)) % 5)) as 1 | 2 | 3 | 4 | 5,
    }));
    const i = h.map((r, k) => {
      const gpVisits = 5 + (k % 4) - (r.appUser ? 2 : 0);
      const high = s[k]!.incomeQuintile >= 3;
      return {
        gpVisits,
        costEur: 2000 + 35 * gpVisits + (k % 7) * 120 - (r.appUser ? 300 : 0) - (high ? 100 : 0),
      };
    });
    const got = await secure(h, i, s);
    expect(got).toEqual(ibdCoachPlaintext(h, i, s));
    const effect = appUseEffect(got)!;
    const rows = h.flatMap((r, k) => (r.ibd ? [k] : []));
    const X = rows.map((k) => [1, h[k]!.appUser ? 1 : 0, s[k]!.incomeQuintile >= 3 ? 1 : 0]);
    const cost = plaintextOls(
      X,
      rows.map((k) => i[k]!.costEur),
    );
    const gp = plaintextOls(
      X,
      rows.map((k) => i[k]!.gpVisits),
    );
    expect(effect.n).toBe(rows.length);
    expect(Math.abs(effect.costEur.coefficient - cost.beta[1]!)).toBeLessThan(1e-6);
    expect(Math.abs(effect.costEur.standardError - cost.se[1]!)).toBeLessThan(1e-6);
    expect(Math.abs(effect.gpVisits.coefficient - gp.beta[1]!)).toBeLessThan(1e-6);
    expect(Math.abs(effect.gpVisits.standardError - gp.se[1]!)).toBeLessThan(1e-6);
    // near the truth the data were made with
    expect(effect.gpVisits.coefficient).toBeCloseTo(-2, 0);
    expect(Math.abs(effect.costEur.coefficient - (-300 - 2 * 35))).toBeLessThan(60);
    // one suppressed cell: no effect estimate
    expect(
      appUseEffect(
        got.map((c) => (c.cell === 'app-user/income-q3-5' ? { cell: c.cell, suppressed: true } : c)),
      ),
    ).toBeUndefined();
  });

  it('suppresses a cell whose largest contributor holds more than half of its total', async () => {
    const n = 30;
    const h = Array.from({ length: n }, () => ({ ibd: true, appUser: true }));
    const i = Array.from({ length: n }, (_, k) => ({ costEur: k === 0 ? 900_000 : 100 }));
    const s = Array.from({ length: n }, () => ({ incomeQuintile: 1 as const }));
    const got = await secure(h, i, s);
    expect(got[0]).toEqual({ cell: 'app-user', suppressed: true });
    expect(got[1]).toEqual({ cell: 'non-user', suppressed: true }); // empty
    expect(got).toEqual(ibdCoachPlaintext(h, i, s));
  });

  it('links the three parties by private set intersection and equals the plaintext of the linked rows', async () => {
    const n = 150;
    const id = (k: number): string => `pseudonym-${k}-${randomInt(1 << 30)}`;
    const ids = Array.from({ length: n }, (_, k) => id(k));
    // The insurer holds everyone; the hospital 2/3 of them (plus strangers), the statistics office 90%.
    const h = ids.map((_, k) =>
      k % 3 === 0 ? undefined : { ibd: k % 4 !== 0, appUser: randomInt(0, 2) === 1 },
    );
    const i = ids.map(() => ({ costEur: randomInt(0, 20_000), gpVisits: randomInt(0, 15) }));
    const s = ids.map((_, k) =>
      k % 10 === 0 ? undefined : { incomeQuintile: (1 + (k % 5)) as 1 | 2 | 3 | 4 | 5 },
    );
    const shuffled = <T>(xs: T[]): T[] => {
      const out = [...xs];
      for (let a = out.length - 1; a > 0; a--) {
        const b = randomInt(a + 1);
        [out[a], out[b]] = [out[b]!, out[a]!];
      }
      return out;
    };
    const own = <R>(rows: (R | undefined)[], columns: (rs: R[]) => bigint[][], strangers: R[]) => {
      const kept = shuffled([
        ...ids.flatMap((p, k) => (rows[k] ? [{ p, r: rows[k] }] : [])),
        ...strangers.map((r, k) => ({ p: `stranger-${k}-${randomInt(1 << 30)}`, r })),
      ]);
      return { pseudonyms: kept.map((x) => x.p), columns: columns(kept.map((x) => x.r)) };
    };
    const lists = [
      own(h, hospitalColumns, [
        { ibd: true, appUser: true },
        { ibd: true, appUser: false },
      ]),
      own(i, insurerColumns, []),
      own(s, statisticsColumns, [{ incomeQuintile: 1 }]),
    ];
    const sizes = {
      hospital: lists[0]!.pseudonyms.length,
      insurer: n,
      statistics: lists[2]!.pseudonyms.length,
    };
    const ts = inProcessTransports();
    const out = await Promise.all(
      ([1, 2, 3] as PartyIndex[]).map((me) =>
        runIbdCoachLinked(
          new Party({ field: IBD_COACH_FIELD, me, transport: ts[me - 1]!, specHash: 'linked' }),
          sizes,
          lists[me - 1],
        ),
      ),
    );
    expect(out[1]).toEqual(out[0]);
    expect(out[2]).toEqual(out[0]);
    expect(out[0]).toEqual(ibdCoachPlaintext(h, i, s));
    expect(out[0]!.some((c) => !c.suppressed)).toBe(true);
  });
});
