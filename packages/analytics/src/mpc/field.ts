/**
 * Prime fields for the MPC engine: p = 2^61 − 1 (integers), p = 2^89 − 1 (32-bit comparisons with
 * κ up to 53 bits of statistical masking, without the jump to 127 bits), p = 2^127 − 1 (amounts,
 * comparisons of wider values), and the Mersenne primes 2^521 − 1 and 2^1279 − 1 for exact
 * linear regression (rational results recovered from the field; see stats/regression.ts).
 * Elements are bigints in [0, p). Pure functions; randomness only from node:crypto.
 */
import { randomBytes } from 'node:crypto';

export type Field = {
  readonly name: 'M61' | 'M89' | 'M127' | 'M521' | 'M1279';
  readonly p: bigint;
  /** bits of p; p = 2^bits − 1 (Mersenne) */
  readonly bits: number;
};

export const M61: Field = Object.freeze({ name: 'M61', p: (1n << 61n) - 1n, bits: 61 });
export const M89: Field = Object.freeze({ name: 'M89', p: (1n << 89n) - 1n, bits: 89 });
export const M127: Field = Object.freeze({ name: 'M127', p: (1n << 127n) - 1n, bits: 127 });
export const M521: Field = Object.freeze({ name: 'M521', p: (1n << 521n) - 1n, bits: 521 });
export const M1279: Field = Object.freeze({ name: 'M1279', p: (1n << 1279n) - 1n, bits: 1279 });

export class FieldError extends Error {
  override readonly name = 'FieldError';
}

/** Reduce any bigint (also negative) into [0, p). */
export function mod(f: Field, a: bigint): bigint {
  const r = a % f.p;
  return r < 0n ? r + f.p : r;
}

export function add(f: Field, a: bigint, b: bigint): bigint {
  const s = a + b;
  return s >= f.p ? s - f.p : s;
}

export function sub(f: Field, a: bigint, b: bigint): bigint {
  const s = a - b;
  return s < 0n ? s + f.p : s;
}

export function neg(f: Field, a: bigint): bigint {
  return a === 0n ? 0n : f.p - a;
}

/** Product with Mersenne reduction (x mod 2^k−1 = (x & p) + (x >> k), twice). */
export function mul(f: Field, a: bigint, b: bigint): bigint {
  const k = BigInt(f.bits);
  let x = a * b;
  x = (x & f.p) + (x >> k);
  x = (x & f.p) + (x >> k);
  return x >= f.p ? x - f.p : x;
}

export function pow(f: Field, base: bigint, exp: bigint): bigint {
  if (exp < 0n) throw new FieldError('negative exponent');
  let result = 1n;
  let b = mod(f, base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = mul(f, result, b);
    b = mul(f, b, b);
    e >>= 1n;
  }
  return result;
}

/** Multiplicative inverse (Fermat); throws on zero. */
export function inv(f: Field, a: bigint): bigint {
  const x = mod(f, a);
  if (x === 0n) throw new FieldError('inverse of zero');
  return pow(f, x, f.p - 2n);
}

/** Encode a signed integer |v| < p/2 into the field. */
export function fromSigned(f: Field, v: bigint): bigint {
  if (v > f.p >> 1n || -v > f.p >> 1n) throw new FieldError('value out of signed range');
  return mod(f, v);
}

/** Decode a field element to a signed integer in (−p/2, p/2]. */
export function toSigned(f: Field, a: bigint): bigint {
  return a > f.p >> 1n ? a - f.p : a;
}

/** Source of random bytes; injectable for tests, node:crypto by default. */
export type RandomBytes = (n: number) => Uint8Array;
export const cryptoRandomBytes: RandomBytes = (n) => randomBytes(n);

/**
 * Uniform element of [0, p) by rejection sampling: draw `bits` random bits, retry when ≥ p.
 * For Mersenne p only the single value p itself is rejected, so the loop ends at once in practice.
 */
export function randomElement(f: Field, rng: RandomBytes = cryptoRandomBytes): bigint {
  const nBytes = Math.ceil(f.bits / 8);
  const mask = (1n << BigInt(f.bits)) - 1n;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const buf = rng(nBytes);
    let x = 0n;
    for (const byte of buf) x = (x << 8n) | BigInt(byte);
    x &= mask;
    if (x < f.p) return x;
  }
  throw new FieldError('random source keeps producing out-of-range values');
}

/** Many uniform elements from one randomBytes call (the hot path for resharing). */
export function randomElements(f: Field, count: number, rng: RandomBytes = cryptoRandomBytes): bigint[] {
  const out: bigint[] = [];
  // Whole 64-bit words per element (one or two BigInt conversions, not one per byte), the surplus
  // high bits cleared in the buffer rather than masked off a BigInt: the hot path.
  const words = Math.ceil(f.bits / 64);
  const surplus = words * 64 - f.bits;
  const zeroBytes = surplus >> 3;
  const topMask = 0xff >> (surplus & 7);
  while (out.length < count) {
    const need = count - out.length;
    const buf = rng(need * words * 8);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < need; i++) {
      const at = i * words * 8;
      for (let z = 0; z < zeroBytes; z++) buf[at + z] = 0;
      buf[at + zeroBytes] = buf[at + zeroBytes]! & topMask;
      let x = view.getBigUint64(at);
      for (let j = 1; j < words; j++) x = (x << 64n) | view.getBigUint64(at + j * 8);
      if (x < f.p) out.push(x);
    }
  }
  return out;
}
