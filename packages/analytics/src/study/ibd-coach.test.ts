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
});
