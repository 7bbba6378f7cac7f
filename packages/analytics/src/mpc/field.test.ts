import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  FieldError,
  M127,
  M61,
  add,
  fromSigned,
  inv,
  mod,
  mul,
  neg,
  pow,
  randomElement,
  randomElements,
  sub,
  toSigned,
} from './field.ts';

const fields = [M61, M127];
/** Test-only random bigint of up to `bits` bits. */
function rb(bits: number): bigint {
  const buf = randomBytes(Math.ceil(bits / 8));
  return BigInt('0x' + buf.toString('hex')) & ((1n << BigInt(bits)) - 1n);
}

describe.each(fields)('field $name', (f) => {
  const el = (): bigint => mod(f, rb(f.bits + 8));
  it('matches plain bigint arithmetic on 2,000 random inputs (property)', () => {
    for (let i = 0; i < 2000; i++) {
      const a = el();
      const b = el();
      expect(add(f, a, b)).toBe((a + b) % f.p);
      expect(sub(f, a, b)).toBe((((a - b) % f.p) + f.p) % f.p);
      expect(mul(f, a, b)).toBe((a * b) % f.p);
      expect(add(f, a, neg(f, a))).toBe(0n);
    }
  });
  it('edge values: 0, 1, p−1', () => {
    const pm1 = f.p - 1n;
    expect(mul(f, pm1, pm1)).toBe(1n);
    expect(add(f, pm1, 1n)).toBe(0n);
    expect(sub(f, 0n, 1n)).toBe(pm1);
    expect(mul(f, 0n, pm1)).toBe(0n);
    expect(neg(f, 0n)).toBe(0n);
    expect(mod(f, -1n)).toBe(pm1);
    expect(mod(f, f.p)).toBe(0n);
  });
  it('inverse: a·a⁻¹ = 1 (property), zero refused', () => {
    for (let i = 0; i < 200; i++) {
      const a = el() || 1n;
      expect(mul(f, a, inv(f, a))).toBe(1n);
    }
    expect(() => inv(f, 0n)).toThrow(FieldError);
    expect(() => pow(f, 2n, -1n)).toThrow(FieldError);
  });
  it('signed encoding round-trips and refuses out-of-range', () => {
    for (const v of [0n, 1n, -1n, 123456789n, -(f.p >> 1n), f.p >> 1n])
      expect(toSigned(f, fromSigned(f, v))).toBe(v);
    expect(() => fromSigned(f, f.p)).toThrow(FieldError);
  });
  it('random elements stay in range', () => {
    for (const x of randomElements(f, 5000)) expect(x >= 0n && x < f.p).toBe(true);
    expect(randomElement(f) < f.p).toBe(true);
  });
  it('rejection sampling rejects p itself (no modulo bias)', () => {
    const n = Math.ceil(f.bits / 8);
    // all-ones within the mask equals p → rejected; then a small value is accepted.
    const queue = [
      new Uint8Array(n).fill(0xff),
      Uint8Array.from({ length: n }, (_, i) => (i === n - 1 ? 7 : 0)),
    ];
    const rng = (len: number): Uint8Array => {
      expect(len).toBe(n);
      return queue.shift()!;
    };
    expect(randomElement(f, rng)).toBe(7n);
    expect(() => randomElement(f, () => new Uint8Array(n).fill(0xff))).toThrow(FieldError);
  });
  it('top byte is masked, not reduced: a stuck-high source still yields values < p', () => {
    const xs = randomElements(f, 3, (len) => new Uint8Array(len).fill(0xfe));
    for (const x of xs) expect(x < f.p).toBe(true);
  });
});

describe('uniformity (chi-square over 16 buckets of the low bits, M61)', () => {
  it('is not grossly biased', () => {
    const counts = new Array<number>(16).fill(0);
    const n = 16000;
    for (const x of randomElements(M61, n)) counts[Number(x & 15n)]!++;
    const e = n / 16;
    const chi = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(45); // df = 15, p ≈ 1e-4
  });
});
