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
} from './ibd-coach.ts';

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
    const i = Array.from({ length: n }, () => ({ costEur: randomInt(0, 20_000) }));
    // income known for most; very few in the high quintiles among app users → small cells
    const s = Array.from({ length: n }, (_, k) =>
      k % 7 === 0 ? undefined : { incomeQuintile: (k % 11 === 0 ? 4 : 1 + (k % 2)) as 1 | 2 | 4 },
    );
    const got = await secure(h, i, s);
    expect(got).toEqual(ibdCoachPlaintext(h, i, s));
    expect(got.some((c) => c.suppressed)).toBe(true);
    expect(got.some((c) => !c.suppressed)).toBe(true);
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
    const h = ids.map((_, k) => (k % 3 === 0 ? undefined : { ibd: k % 4 !== 0, appUser: randomInt(0, 2) === 1 }));
    const i = ids.map(() => ({ costEur: randomInt(0, 20_000) }));
    const s = ids.map((_, k) => (k % 10 === 0 ? undefined : { incomeQuintile: (1 + (k % 5)) as 1 | 2 | 3 | 4 | 5 }));
    const shuffled = <T,>(xs: T[]): T[] => {
      const out = [...xs];
      for (let a = out.length - 1; a > 0; a--) {
        const b = randomInt(a + 1);
        [out[a], out[b]] = [out[b]!, out[a]!];
      }
      return out;
    };
    const own = <R,>(rows: (R | undefined)[], columns: (rs: R[]) => bigint[][], strangers: R[]) => {
      const kept = shuffled([
        ...ids.flatMap((p, k) => (rows[k] ? [{ p, r: rows[k] }] : [])),
        ...strangers.map((r, k) => ({ p: `stranger-${k}-${randomInt(1 << 30)}`, r })),
      ]);
      return { pseudonyms: kept.map((x) => x.p), columns: columns(kept.map((x) => x.r)) };
    };
    const lists = [
      own(h, hospitalColumns, [{ ibd: true, appUser: true }, { ibd: true, appUser: false }]),
      own(i, insurerColumns, []),
      own(s, statisticsColumns, [{ incomeQuintile: 1 }]),
    ];
    const sizes = { hospital: lists[0]!.pseudonyms.length, insurer: n, statistics: lists[2]!.pseudonyms.length };
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
