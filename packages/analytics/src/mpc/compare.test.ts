import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { M127, M61, type Field } from './field.ts';
import { Party } from './engine.ts';
import { inProcessTransports } from './transport.ts';
import type { PartyIndex } from './shamir.ts';
import { CompareRangeError, lessThan, randomMasks } from './compare.ts';

function parties(f: Field): Party[] {
  const ts = inProcessTransports();
  return ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: f, me, transport: ts[me - 1]!, specHash: 'h' }),
  );
}

describe('jointly generated random bits', () => {
  it('are bits and roughly balanced', async () => {
    const ps = parties(M61);
    const res = await Promise.all(
      ps.map(async (p) => {
        const { bits } = await randomMasks(p, 2000, 0, 40);
        return (await p.open([bits]))[0]!;
      }),
    );
    expect(res[0]).toEqual(res[1]);
    for (const b of res[0]!) expect(b === 0n || b === 1n).toBe(true);
    const ones = res[0]!.filter((b) => b === 1n).length;
    expect(ones).toBeGreaterThan(850);
    expect(ones).toBeLessThan(1150);
  });
});

describe.each([
  [M61, 16],
  [M127, 64],
])('less-than over %s', (f, ell) => {
  it('matches plaintext on random and edge inputs (property), shared and public thresholds', async () => {
    const max = ell >= 48 ? 2 ** 48 : 2 ** ell;
    const xs: bigint[] = [0n, 1n, BigInt(max - 1), 5n, 5n, 0n];
    const ts: bigint[] = [0n, 0n, BigInt(max - 1), 5n, 6n, BigInt(max - 1)];
    for (let i = 0; i < 150; i++) {
      xs.push(BigInt(randomInt(0, Math.min(max, 2 ** 47))));
      ts.push(BigInt(randomInt(0, Math.min(max, 2 ** 47))));
    }
    const ps = parties(f);
    const res = await Promise.all(
      ps.map(async (p) => {
        const [sx, st] = await p.input(
          [
            { owner: 1, count: xs.length },
            { owner: 2, count: ts.length },
          ],
          p.me === 1 ? [xs] : p.me === 2 ? [ts] : [],
        );
        const lt = await lessThan(p, sx!, st!, ell);
        const lt3 = await lessThan(p, sx!, 3n, ell);
        return await p.open([lt, lt3, p.sum(lt3)]);
      }),
    );
    const want = xs.map((x, k) => (x < ts[k]! ? 1n : 0n));
    const want3 = xs.map((x) => (x < 3n ? 1n : 0n));
    for (const r of res) {
      expect(r[0]).toEqual(want);
      expect(r[1]).toEqual(want3);
      expect(r[2]).toEqual([want3.reduce<bigint>((a, b) => a + b, 0n)]);
    }
  });
});

it('refuses a bit length that does not fit the field', async () => {
  const [p] = parties(M61);
  await expect(lessThan(p!, [1n], 2n, 30)).rejects.toBeInstanceOf(CompareRangeError);
});
