import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { M127, M61, M89, type Field, fromSigned } from './field.ts';
import { Party } from './engine.ts';
import { inProcessTransports } from './transport.ts';
import type { PartyIndex } from './shamir.ts';
import { CompareRangeError, lessThan } from './compare.ts';
import { Q, dealQ, mulQ, mulQShares, openProductsQ, streamElements } from './bitwise.ts';

function parties(f: Field): Party[] {
  const ts = inProcessTransports();
  return ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: f, me, transport: ts[me - 1]!, specHash: 'h' }),
  );
}

/** [x < t] on all three parties, x shared by party 1 and t by party 2 (or t public), opened. */
async function compare(f: Field, xs: bigint[], ts: bigint[] | bigint, ell: number, kappa?: number) {
  const ps = parties(f);
  const res = await Promise.all(
    ps.map(async (p) => {
      const shared = typeof ts !== 'bigint';
      const got = await p.input(
        [{ owner: 1, count: xs.length }, ...(shared ? [{ owner: 2 as const, count: ts.length }] : [])],
        p.me === 1
          ? [xs.map((x) => fromSigned(f, x))]
          : p.me === 2 && shared
            ? [ts.map((t) => fromSigned(f, t))]
            : [],
      );
      const lt = await lessThan(p, got[0]!, shared ? got[1]! : ts, ell, kappa);
      return (await p.open([lt, p.sum(lt)])) as [bigint[], bigint[]];
    }),
  );
  expect(res[1]).toEqual(res[0]);
  expect(res[2]).toEqual(res[0]);
  return res[0]!;
}

const plain = (xs: bigint[], ts: bigint[] | bigint): bigint[] =>
  xs.map((x, k) => (x < (typeof ts === 'bigint' ? ts : ts[k]!) ? 1n : 0n));

describe('32-bit comparison in 2^89 − 1 (ℓ = 32, κ = 30, as MPyC SecInt(32))', () => {
  const top = 2n ** 31n - 1n;
  const low = -(2n ** 31n);
  it('is exact at the boundaries: 0, 2^31 − 1, −2^31, equal values, neighbours', async () => {
    const xs = [0n, 0n, 1n, top, top, top - 1n, low, low, low + 1n, -1n, 5n, 5n, 7n, top, low, 0n];
    const ts = [0n, 1n, 0n, top, top - 1n, top, low, low + 1n, low, 0n, 5n, 6n, 6n, low, top, -1n];
    const [lt, count] = await compare(M89, xs, ts, 32, 30);
    expect(lt).toEqual(plain(xs, ts));
    expect(count).toEqual([plain(xs, ts).reduce((a, b) => a + b, 0n)]);
  });

  it('matches plaintext on random signed 32-bit pairs and against a public threshold', async () => {
    const xs: bigint[] = [];
    const ts: bigint[] = [];
    for (let i = 0; i < 300; i++) {
      xs.push(BigInt(randomInt(-(2 ** 31), 2 ** 31 - 1)));
      ts.push(i % 3 === 0 ? xs[i]! : BigInt(randomInt(-(2 ** 31), 2 ** 31 - 1)));
    }
    const [lt] = await compare(M89, xs, ts, 32, 30);
    expect(lt).toEqual(plain(xs, ts));
    const gp = xs.map((x) => (x < 0n ? -x : x) % 20n);
    const [lt3, n3] = await compare(M89, gp, 3n, 32, 30);
    expect(lt3).toEqual(plain(gp, 3n));
    expect(n3).toEqual([BigInt(gp.filter((g) => g < 3n).length)]);
  });
});

describe.each([
  [M61, 16, 40],
  [M127, 64, 40],
])('less-than over %s', (f, ell, kappa) => {
  it('matches plaintext on random and edge inputs, shared and public thresholds', async () => {
    const max = 2 ** Math.min(ell, 47);
    const xs: bigint[] = [0n, 1n, BigInt(max - 1), 5n, 5n, 0n];
    const ts: bigint[] = [0n, 0n, BigInt(max - 1), 5n, 6n, BigInt(max - 1)];
    for (let i = 0; i < 150; i++) {
      xs.push(BigInt(randomInt(0, max)));
      ts.push(BigInt(randomInt(0, max)));
    }
    if (ell === 64) {
      xs.push(2n ** 64n - 1n, 2n ** 63n);
      ts.push(2n ** 63n, 2n ** 64n - 1n);
    }
    expect((await compare(f, xs, ts, ell, kappa))[0]).toEqual(plain(xs, ts));
    expect((await compare(f, xs, 3n, ell, kappa))[0]).toEqual(plain(xs, 3n));
  });
});

describe('every pair of small inputs (all patterns of the top two bits, whose factors are merged)', () => {
  it.each([1, 2, 3, 4])('ℓ = %i: x < t exact for all x, t in [0, 2^ℓ)', async (ell) => {
    const xs: bigint[] = [];
    const ts: bigint[] = [];
    for (let x = 0; x < 2 ** ell; x++)
      for (let t = 0; t < 2 ** ell; t++) {
        xs.push(BigInt(x));
        ts.push(BigInt(t));
      }
    for (let rep = 0; rep < 4; rep++) expect((await compare(M61, xs, ts, ell, 40))[0]).toEqual(plain(xs, ts));
  });

  it('a 32-bit comparison takes 8 rounds (the masks in both fields, the opening with the product of the sign bits, the cross products, four levels of a product tree of 32 factors, the zero test)', async () => {
    const ps = parties(M89);
    await Promise.all(ps.map((p) => p.exchange(new Map(), new Map())));
    const rounds = await Promise.all(
      ps.map(async (p) => {
        const [x] = await p.input([{ owner: 1, count: 3 }], p.me === 1 ? [[1n, 2n, 3n]] : []);
        const r0 = p.stats.rounds;
        await lessThan(p, x!, 2n, 32, 30);
        return p.stats.rounds - r0;
      }),
    );
    expect(rounds).toEqual([8, 8, 8]);
  });
});

describe('refusals', () => {
  it('refuses ℓ + κ that does not fit the field (32-bit with κ = 30 in 2^61 − 1)', async () => {
    const [p] = parties(M61);
    await expect(lessThan(p!, [1n], 2n, 32, 30)).rejects.toBeInstanceOf(CompareRangeError);
    const [q] = parties(M89);
    await expect(lessThan(q!, [1n], 2n, 32, 55)).rejects.toBeInstanceOf(CompareRangeError);
  });
  it('refuses a bit length or κ that is not a positive integer, and vectors of different length', async () => {
    const [p] = parties(M89);
    for (const [ell, kappa] of [
      [0, 30],
      [2.5, 30],
      [32, 0],
      [-1, 30],
    ])
      await expect(lessThan(p!, [1n], 2n, ell!, kappa)).rejects.toBeInstanceOf(CompareRangeError);
    await expect(lessThan(p!, [1n, 2n], [1n], 8, 30)).rejects.toBeInstanceOf(CompareRangeError);
  });
  it('sends nothing before refusing', async () => {
    const [p] = parties(M89);
    await expect(lessThan(p!, [1n], 2n, 32, 60)).rejects.toBeInstanceOf(CompareRangeError);
    expect(p!.stats.rounds).toBe(0);
  });
});

describe('the bitwise sub-engine over q = 2^26 − 5', () => {
  it('deals, multiplies and opens products exactly, including values near q', async () => {
    const xs = Float64Array.from([0, 1, 2, Q - 1, Q - 2, 12_345_678, 65_536, 3]);
    const ys = Float64Array.from([Q - 1, Q - 1, Q - 1, Q - 1, 7, 54_321, 65_536, 0]);
    const ps = parties(M61);
    const res = await Promise.all(
      ps.map(async (p) => {
        const a = (
          await dealQ(
            p,
            p.me === 1 ? xs : new Float64Array(0),
            new Map([
              [1, 8],
              [2, 0],
              [3, 0],
            ]),
          )
        ).get(1)!;
        const b = (
          await dealQ(
            p,
            p.me === 3 ? ys : new Float64Array(0),
            new Map([
              [1, 0],
              [2, 0],
              [3, 8],
            ]),
          )
        ).get(3)!;
        const ab = await mulQShares(p, a, b);
        return openProductsQ(p, ab); // a degree-1 sharing opened as degree 2
      }),
    );
    const want = Array.from(xs, (x, k) => Number((BigInt(x) * BigInt(ys[k]!)) % BigInt(Q)));
    for (const r of res) expect(Array.from(r)).toEqual(want);
    expect(mulQ(Q - 1, Q - 1)).toBe(1);
  });

  it('draws stream elements as the low 26 bits of little-endian words, skipping those ≥ q', () => {
    // words whose low 26 bits are q, q + 4 (both rejected), q − 1, 0 and a high-bit-only word
    const words = [Q, 0x3ff_ffff, Q - 1, 0, 0xfc00_0000, 12_345, 0x0400_0001, 7, 8, 9];
    const bytes = new Uint8Array(new Uint32Array(words).buffer);
    let at = 0;
    const rng = (n: number): Uint8Array => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes[(at + i) % bytes.length]!;
      at += n;
      return out;
    };
    const want = [Q - 1, 0, 0, 12_345, 1, 7, 8, 9, Q - 1, 0];
    expect(Array.from(streamElements(rng, 10))).toEqual(want);
  });
});
