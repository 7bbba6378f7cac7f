import { describe, expect, it } from 'vitest';
import { M127, M61, add, mod, mul, randomElements } from './field.ts';
import {
  ShamirError,
  consistent,
  lagrangeAtZero,
  reconstruct,
  share,
  shareThrough,
  type PartyIndex,
} from './shamir.ts';

const pairs: PartyIndex[][] = [
  [1, 2],
  [1, 3],
  [2, 3],
  [2, 1],
  [3, 1],
  [3, 2],
  [1, 2, 3],
];

describe.each([M61, M127])('Shamir (2,3) over $name', (f) => {
  it('any two (or three) shares reconstruct (property, 500 random secrets)', () => {
    const secrets = randomElements(f, 500);
    const sh = share(f, secrets);
    for (const ps of pairs)
      expect(
        reconstruct(
          f,
          ps,
          ps.map((i) => sh[i - 1]!),
        ),
      ).toEqual(secrets);
    for (let k = 0; k < secrets.length; k++)
      expect(consistent(f, sh[0][k]!, sh[1][k]!, sh[2][k]!)).toBe(true);
  });
  it.each([1, 2, 3] as PartyIndex[])(
    'a sharing through a fixed share of party %i reconstructs and gives it that share',
    (at) => {
      const secrets = [...randomElements(f, 200), 0n, f.p - 1n, -5n];
      const u = randomElements(f, secrets.length);
      const sh = shareThrough(f, secrets, at, u);
      expect(sh[at - 1]).toEqual(u);
      for (const ps of pairs)
        expect(
          reconstruct(
            f,
            ps,
            ps.map((i) => sh[i - 1]!),
          ),
        ).toEqual(secrets.map((x) => mod(f, x)));
      expect(() => shareThrough(f, [1n, 2n], at, [3n])).toThrow(ShamirError);
    },
  );
  it('negative and edge secrets', () => {
    const secrets = [0n, 1n, -1n, f.p - 1n, f.p, -5n];
    const sh = share(f, secrets);
    expect(reconstruct(f, [1, 3], [sh[0], sh[2]])).toEqual(secrets.map((s) => mod(f, s)));
  });
  it('is linear: share-wise sum reconstructs to the sum', () => {
    const a = randomElements(f, 100);
    const b = randomElements(f, 100);
    const sa = share(f, a);
    const sb = share(f, b);
    const sum = sa.map((v, i) => v.map((x, k) => add(f, x, sb[i]![k]!)));
    expect(reconstruct(f, [2, 3], [sum[1]!, sum[2]!])).toEqual(a.map((x, k) => add(f, x, b[k]!)));
  });
  it('local products are a degree-2 sharing: three shares reconstruct, two do not', () => {
    const a = randomElements(f, 50);
    const b = randomElements(f, 50);
    const sa = share(f, a);
    const sb = share(f, b);
    const prod = sa.map((v, i) => v.map((x, k) => mul(f, x, sb[i]![k]!)));
    const want = a.map((x, k) => mul(f, x, b[k]!));
    expect(reconstruct(f, [1, 2, 3], prod, 2)).toEqual(want);
    expect(reconstruct(f, [1, 2], [prod[0]!, prod[1]!], 1)).not.toEqual(want);
    expect(() => reconstruct(f, [1, 2], [prod[0]!, prod[1]!], 2)).toThrow(ShamirError);
  });
  it('a single share is independent of the secret (same share under two secrets, with suitable r)', () => {
    // party 1 holds s + r; for any other secret s' the randomness r' = s + r − s' gives the same share.
    const rng = (n: number): Uint8Array => new Uint8Array(n); // r = 0
    const [s1] = share(f, [42n], rng);
    expect(s1[0]).toBe(42n);
  });
  it('detects an inconsistent third share', () => {
    const sh = share(f, [7n]);
    expect(consistent(f, sh[0][0]!, sh[1][0]!, add(f, sh[2][0]!, 1n))).toBe(false);
  });
  it('refuses bad inputs', () => {
    expect(() => lagrangeAtZero(f, [1, 1])).toThrow(ShamirError);
    expect(() => lagrangeAtZero(f, [0, 1])).toThrow(ShamirError);
    expect(() => reconstruct(f, [1], [[1n]])).toThrow(ShamirError);
    expect(() => reconstruct(f, [1, 2], [[1n], [1n, 2n]])).toThrow(ShamirError);
    expect(() => reconstruct(f, [1, 2], [[1n]])).toThrow(ShamirError);
  });
});
