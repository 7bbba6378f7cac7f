import { describe, expect, it } from 'vitest';
import { M127 } from '../mpc/field.ts';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import { dominanceOneFiftyOk } from './dominance.ts';

async function check(values: bigint[]): Promise<bigint> {
  const ts = inProcessTransports();
  const ps = ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: M127, me, transport: ts[me - 1]!, specHash: 'h' }),
  );
  const res = await Promise.all(
    ps.map(async (p) => {
      const [x] = await p.input([{ owner: 2, count: values.length }], p.me === 2 ? [values] : []);
      return (await p.open([await dominanceOneFiftyOk(p, x!, 48)]))[0]![0]!;
    }),
  );
  expect(new Set(res).size).toBe(1);
  return res[0]!;
}

describe('dominance (1,50) on shares', () => {
  it('passes when no contributor holds more than half', async () => {
    expect(await check([100n, 100n, 50n, 50n])).toBe(1n); // largest is exactly 1/3
    expect(await check([500n, 250n, 250n])).toBe(1n); // exactly 50% is allowed
  });
  it('fails when one contributor holds more than half', async () => {
    expect(await check([501n, 250n, 249n])).toBe(0n);
    expect(await check([10n ** 12n, 1n, 2n, 3n])).toBe(0n);
  });
});
