/**
 * Vectors of 2^61 − 1 elements in machine words: element k is the pair (lo, hi) = words[2k],
 * words[2k + 1] of a Uint32Array (the little-endian layout of a BigUint64Array, so the same
 * buffer converts to and from bigints natively and gives dot.ts its 16-bit limbs). Sharing,
 * resharing and products run here in doubles — no BigInt and no allocation per element; the
 * engine (engine.ts) turns a vector into bigints once, at its API.
 *
 * Products split each factor into limbs of 21, 21 and 19 bits: a limb product is below 2^42 and a
 * column of them below 2^44, exact in a double; the columns fold with 2^61 ≡ 1 (so 2^63 ≡ 2^2 and
 * 2^84 ≡ 2^23) and carry back into 61 bits.
 */
import type { RandomBytes } from './field.ts';
import { MpcProtocolError } from './transport.ts';

export type Words = Uint32Array;

/** Words are little-endian pairs only on a little-endian machine (every platform Node ships for). */
export const WORDS_NATIVE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const P = (1n << 61n) - 1n;
const HI_MASK = 0x1fff_ffff; // the 29 high bits of p
const LO_MAX = 0xffff_ffff;
const TWO32 = 2 ** 32;
const TWO21 = 2 ** 21;
const INV21 = 2 ** -21;

/** The words of a vector of reduced elements, or undefined when one is not in [0, p). */
export function toWords(xs: readonly bigint[]): Words | undefined {
  const big = new BigUint64Array(xs.length);
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    if (x < 0n || x >= P) return undefined;
    big[k] = x;
  }
  return new Uint32Array(big.buffer);
}

/** The elements as bigints (one allocation each: the engine's API). */
export function fromWords(w: Words): bigint[] {
  const big = new BigUint64Array(w.buffer, w.byteOffset, w.length >> 1);
  const out = new Array<bigint>(big.length);
  for (let k = 0; k < big.length; k++) out[k] = big[k]!;
  return out;
}

const INV32 = 2 ** -32;
const TWO29 = 2 ** 29;
const INV29 = 2 ** -29;

/**
 * Store lo + hi·2^32 mod p at element k, for any lo, hi in [0, 2^53): sums of a few elements and
 * their multiples are reduced once, here, not after every addition.
 */
function put(out: Words, k: number, lo: number, hi: number): void {
  let c = Math.floor(lo * INV32);
  lo -= c * TWO32;
  hi += c;
  c = Math.floor(hi * INV29); // the part at 2^61 ≡ 1
  hi -= c * TWO29;
  lo += c;
  if (lo >= TWO32) {
    lo -= TWO32;
    hi += 1;
    if (hi === TWO29) {
      hi = 0;
      lo += 1;
    }
  }
  if (hi === HI_MASK && lo === LO_MAX) lo = hi = 0;
  out[2 * k] = lo;
  out[2 * k + 1] = hi;
}

/** a + b, element-wise. */
export function addWords(a: Words, b: Words): Words {
  const out = new Uint32Array(a.length);
  for (let k = 0; k < a.length >> 1; k++) put(out, k, a[2 * k]! + b[2 * k]!, a[2 * k + 1]! + b[2 * k + 1]!);
  return out;
}

/** a − b, element-wise (as a + (p − b)). */
export function subWords(a: Words, b: Words): Words {
  const out = new Uint32Array(a.length);
  for (let k = 0; k < a.length >> 1; k++)
    put(out, k, a[2 * k]! + LO_MAX - b[2 * k]!, a[2 * k + 1]! + HI_MASK - b[2 * k + 1]!);
  return out;
}

/** a·b mod p, element-wise. */
export function mulWords(a: Words, b: Words): Words {
  const out = new Uint32Array(a.length);
  for (let k = 0; k < a.length >> 1; k++) {
    const alo = a[2 * k]!;
    const ahi = a[2 * k + 1]!;
    const blo = b[2 * k]!;
    const bhi = b[2 * k + 1]!;
    const a0 = alo & 0x1f_ffff;
    const a1 = (alo >>> 21) | ((ahi & 0x3ff) << 11);
    const a2 = ahi >>> 10;
    const b0 = blo & 0x1f_ffff;
    const b1 = (blo >>> 21) | ((bhi & 0x3ff) << 11);
    const b2 = bhi >>> 10;
    // columns at 2^0, 2^21, 2^42, 2^63 ≡ 2^2, 2^84 ≡ 2^23 = 2^2·2^21
    let t0 = a0 * b0 + 4 * (a1 * b2 + a2 * b1);
    let t1 = a0 * b1 + a1 * b0 + 4 * (a2 * b2);
    const t2 = a0 * b2 + a1 * b1 + a2 * b0;
    // carry t0 and t1 into 21 bits each; t2 (< 2^44) then holds bits 42 and up
    let c = Math.floor(t0 * INV21);
    t0 -= c * TWO21;
    t1 += c;
    c = Math.floor(t1 * INV21);
    t1 -= c * TWO21;
    // value = t0 + t1·2^21 + (t2 + c)·2^42 = lo + hi·2^32 with hi = (t1 >> 11) + (t2 + c)·2^10
    put(out, k, t0 + (t1 % 2048) * TWO21, Math.floor(t1 / 2048) + (t2 + c) * 1024);
  }
  return out;
}

/** 3·(h1 − h2) + h3: degree-2 shares at {1, 2, 3} recombined at 0 (Lagrange weights 3, −3, 1). */
export function recombineWords(h1: Words, h2: Words, h3: Words): Words {
  const out = new Uint32Array(h1.length);
  for (let k = 0; k < h1.length >> 1; k++)
    put(
      out,
      k,
      3 * (h1[2 * k]! + LO_MAX - h2[2 * k]!) + h3[2 * k]!,
      3 * (h1[2 * k + 1]! + HI_MASK - h2[2 * k + 1]!) + h3[2 * k + 1]!,
    );
  return out;
}

/**
 * Shamir shares of `secrets` on the line through (0, s) and (at, u) for at ∈ {1, 2} (as
 * shamir.ts's shareThrough): slope r = (u − s)/at, shares s + r, s + 2r, s + 3r.
 */
export function shareThroughWords(secrets: Words, at: 1 | 2, u: Words): [Words, Words, Words] {
  const r = subWords(u, secrets);
  const n = r.length >> 1;
  const s1 = new Uint32Array(r.length);
  const s2 = new Uint32Array(r.length);
  const s3 = new Uint32Array(r.length);
  for (let k = 0; k < n; k++) {
    let lo = r[2 * k]!;
    let hi = r[2 * k + 1]!;
    if (at === 2) {
      // halve: p is odd, so r or r + p is even (r + p < 2^62: lo, hi stay exact)
      if (lo % 2 === 1) {
        lo += LO_MAX;
        hi += HI_MASK;
      }
      lo = (lo + (hi % 2) * TWO32) / 2;
      hi = Math.floor(hi / 2);
    }
    const slo = secrets[2 * k]!;
    const shi = secrets[2 * k + 1]!;
    put(s1, k, slo + lo, shi + hi);
    put(s2, k, slo + 2 * lo, shi + 2 * hi);
    put(s3, k, slo + 3 * lo, shi + 3 * hi);
  }
  return [s1, s2, s3];
}

/** Σ of a vector: the low and high words summed apart in doubles (exact for 2^21 terms at a time). */
export function sumWords(w: Words): bigint {
  let total = 0n;
  for (let start = 0; start < w.length; start += 1 << 22) {
    let lo = 0;
    let hi = 0;
    const end = Math.min(w.length, start + (1 << 22));
    for (let i = start; i < end; i += 2) {
      lo += w[i]!;
      hi += w[i + 1]!;
    }
    total += BigInt(lo) + (BigInt(hi) << 32n);
  }
  return total % P;
}

/**
 * `count` uniform elements from a stream, the same values as field.ts's randomElements for
 * 2^61 − 1 (a big-endian 64-bit word with its 3 top bits cleared; p itself rejected).
 */
export function randomWords(rng: RandomBytes, count: number): Words {
  const out = new Uint32Array(2 * count);
  let k = 0;
  while (k < count) {
    const need = count - k;
    const raw = rng(need * 8);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < need; i++) {
      const hi = view.getUint32(i * 8) & HI_MASK;
      const lo = view.getUint32(i * 8 + 4);
      if (hi === HI_MASK && lo === LO_MAX) continue;
      out[2 * k] = lo;
      out[2 * k + 1] = hi;
      k++;
    }
  }
  return out;
}

/** The wire format of codec.ts for 2^61 − 1: 8 bytes per element, big-endian. */
export function packWords(w: Words): Uint8Array {
  const out = new Uint8Array(w.length * 4);
  const view = new DataView(out.buffer);
  for (let k = 0; k < w.length >> 1; k++) {
    view.setUint32(k * 8, w[2 * k + 1]!);
    view.setUint32(k * 8 + 4, w[2 * k]!);
  }
  return out;
}

export function unpackWords(body: Uint8Array, count: number): Words {
  if (body.length !== count * 8)
    throw new MpcProtocolError(`body has ${body.length} bytes, expected ${count * 8}`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = new Uint32Array(2 * count);
  for (let k = 0; k < count; k++) {
    const hi = view.getUint32(k * 8);
    const lo = view.getUint32(k * 8 + 4);
    if (hi > HI_MASK || (hi === HI_MASK && lo === LO_MAX))
      throw new MpcProtocolError('element out of field range');
    out[2 * k] = lo;
    out[2 * k + 1] = hi;
  }
  return out;
}

/**
 * The words of vectors the engine has handed out (keyed by the bigint array itself): a vector made
 * from words, or converted once, is not converted again for a product or an inner product. The
 * engine never changes a vector in place, and callers treat shares as values.
 */
const known = new WeakMap<readonly bigint[], Words>();

/** The words of `xs`: remembered, or converted now (undefined when a value is not in [0, p)). */
export function wordsOf(xs: readonly bigint[]): Words | undefined {
  let w = known.get(xs);
  if (w && w.length === 2 * xs.length) return w;
  w = toWords(xs);
  if (w) known.set(xs, w);
  return w;
}

/** A vector of bigints from words, remembered with them. */
export function vectorOf(w: Words): bigint[] {
  const xs = fromWords(w);
  known.set(xs, w);
  return xs;
}
