import { describe, expect, it } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { M61, add, mul, randomElements, sub, type RandomBytes } from './field.ts';
import { shareThrough } from './shamir.ts';
import {
  fromWords,
  mulWords,
  packWords,
  randomWords,
  recombineWords,
  shareThroughWords,
  sumWords,
  toWords,
  unpackWords,
} from './m61.ts';
import { pack } from './codec.ts';
import { MpcProtocolError } from './transport.ts';

const p = M61.p;
const edges = [0n, 1n, 2n, p - 1n, p - 2n, (1n << 32n) - 1n, 1n << 32n, (1n << 60n) + 12345n, p >> 1n];
const stream = (key: Uint8Array): RandomBytes => {
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (n) => c.update(Buffer.alloc(n));
};
const sample = (n: number): bigint[] => [...edges, ...randomElements(M61, n)];
const w = (xs: bigint[]) => toWords(xs)!;

describe('2^61 − 1 in machine words', () => {
  const a = sample(5000);
  const b = [...sample(5000)].reverse();
  it('multiplies as the BigInt field does, edge values included, odd and even lengths', () => {
    const cross = edges.flatMap((x) => edges.map((y) => [x, y] as const));
    const xa = [...a, ...cross.map(([x]) => x)];
    const xb = [...b, ...cross.map(([, y]) => y)];
    expect(fromWords(mulWords(w(xa), w(xb)))).toEqual(xa.map((x, k) => mul(M61, x, xb[k]!)));
    expect(fromWords(mulWords(w(xa.slice(1)), w(xb.slice(1))))).toEqual(
      xa.slice(1).map((x, k) => mul(M61, x, xb[k + 1]!)),
    );
    expect(mulWords(new Uint32Array(0), new Uint32Array(0))).toEqual(new Uint32Array(0));
  });
  it('shares through party 1 or 2 exactly as shareThrough does', () => {
    for (const at of [1, 2] as const) {
      const words = shareThroughWords(w(a), at, w(b));
      const big = shareThrough(M61, a, at, b);
      expect(words.map(fromWords)).toEqual(big);
    }
  });
  it('recombines degree-2 shares with the weights 3, −3, 1', () => {
    const c = sample(10);
    const want = a.map((x, k) => add(M61, mul(M61, 3n, sub(M61, x, b[k]!)), c[k % c.length]!));
    const cc = a.map((_, k) => c[k % c.length]!);
    expect(fromWords(recombineWords(w(a), w(b), w(cc)))).toEqual(want);
  });
  it('draws the same elements from a stream as randomElements', () => {
    const key = randomBytes(32);
    expect(fromWords(randomWords(stream(key), 3001))).toEqual(randomElements(M61, 3001, stream(key)));
  });
  it('skips a word equal to p as randomElements does', () => {
    // the first word drawn is p (its top 3 bits are dropped), the rest from a stream
    const withP = (key: Uint8Array): RandomBytes => {
      const rest = stream(key);
      let first = true;
      return (n) => {
        const out = rest(n);
        if (first) out.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        first = false;
        return out;
      };
    };
    const key = randomBytes(32);
    expect(fromWords(randomWords(withP(key), 5))).toEqual(randomElements(M61, 5, withP(key)));
  });
  it('packs as the codec does and refuses an element out of range', () => {
    expect(packWords(w(a))).toEqual(pack(M61, a));
    expect(fromWords(unpackWords(packWords(w(a)), a.length))).toEqual(a);
    const bad = pack(M61, [p - 1n]);
    bad[7] = 0xff; // p itself
    expect(() => unpackWords(bad, 1)).toThrow(MpcProtocolError);
    expect(() => unpackWords(new Uint8Array(9), 1)).toThrow(MpcProtocolError);
  });
  it('sums as BigInt arithmetic does', () => {
    expect(sumWords(w(a))).toBe(a.reduce((s, x) => s + x, 0n) % p);
    expect(sumWords(w(new Array<bigint>(70_000).fill(p - 1n)))).toBe((70_000n * (p - 1n)) % p);
    expect(sumWords(new Uint32Array(0))).toBe(0n);
  });
  it('has no words for a value outside [0, p)', () => {
    expect(toWords([1n, p])).toBeUndefined();
    expect(toWords([-1n])).toBeUndefined();
  });
});
