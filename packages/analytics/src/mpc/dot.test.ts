import { describe, expect, it } from 'vitest';
import { M127, M61, randomElements } from './field.ts';
import { fastDot } from './dot.ts';

const p = M61.p;
const slow = (a: readonly bigint[], b: readonly bigint[]): bigint =>
  a.reduce((s, x, k) => (s + x * b[k]!) % p, 0n);

describe('inner products in 2^61 − 1 (WebAssembly SIMD kernel)', () => {
  it('matches BigInt arithmetic for odd, even, empty and one-element vectors', () => {
    for (const n of [0, 1, 2, 3, 1000, 4351]) {
      const a = randomElements(M61, n);
      const b = randomElements(M61, n);
      expect(fastDot(M61, a, b)).toBe(slow(a, b));
    }
  });
  it('stays exact with every term at its largest (p − 1)², 2^17 terms', () => {
    const a = new Array<bigint>(1 << 17).fill(p - 1n);
    expect(fastDot(M61, a, a)).toBe(slow(a, a));
  });
  it('stays exact on values around the 32-bit split', () => {
    const edges = [0n, 1n, (1n << 32n) - 1n, 1n << 32n, (1n << 32n) + 1n, p - 1n, p >> 1n, 1n << 60n];
    const a = edges.flatMap((x) => edges.map(() => x));
    const b = edges.flatMap(() => edges);
    expect(fastDot(M61, a, b)).toBe(slow(a, b));
  });
  it('a shorter vector after a longer one does not see the longer one’s tail', () => {
    const long = randomElements(M61, 5001);
    fastDot(M61, long, long);
    const a = randomElements(M61, 7);
    const b = randomElements(M61, 7);
    expect(fastDot(M61, a, b)).toBe(slow(a, b));
  });
  it('declines other fields, unequal lengths and values outside [0, p)', () => {
    expect(fastDot(M127, [1n], [1n])).toBeUndefined();
    expect(fastDot(M61, [1n, 2n], [1n])).toBeUndefined();
    expect(fastDot(M61, [p], [1n])).toBeUndefined();
  });
});
