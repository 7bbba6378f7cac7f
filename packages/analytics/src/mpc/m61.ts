/**
 * Vectors of 2^61 − 1 elements in machine words: element k is the pair (lo, hi) = words[2k],
 * words[2k + 1] of a Uint32Array (the little-endian layout of a BigUint64Array, so the same
 * buffer converts to and from bigints natively and dot.ts reads it as it is). Sharing, resharing,
 * products and the wire format run in WebAssembly (m61.wat: 64-bit integers, 32-bit halves for a
 * product, Mersenne folding) — no BigInt and no allocation per element, and compiled before the
 * first call, where a JavaScript loop would run interpreted until the optimising compiler has it.
 * The engine (engine.ts) turns a vector into bigints once, at its API.
 */
import type { RandomBytes } from './field.ts';
import { MpcProtocolError } from './transport.ts';
import { M61_WASM } from './m61-wasm.ts';
import { wasmKernels } from './wasm-kernels.ts';

export type Words = Uint32Array;

/** Words are little-endian pairs only on a little-endian machine (every platform Node ships for). */
export const WORDS_NATIVE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const P = (1n << 61n) - 1n;
const HI_MASK = 0x1fff_ffff; // the 29 high bits of p
const LO_MAX = 0xffff_ffff;

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

type Kernels = {
  readonly memory: WebAssembly.Memory;
  share(s: number, u: number, o1: number, o2: number, o3: number, n: number, half: number): void;
  mul(a: number, b: number, o: number, n: number): void;
  recombine(h1: number, h2: number, h3: number, o: number, n: number): void;
  swap(src: number, dst: number, n: number): void;
  outside(w: number, n: number): number;
  low61(w: number, n: number): void;
};

/** The kernels, with at least `bytes` of memory (compiled when this module loads). */
const kernels = wasmKernels<Kernels>(M61_WASM);

/** Bytes of one vector of n elements in kernel memory (rounded up to two elements for the SIMD swap). */
const slot = (n: number): number => ((n + 1) & ~1) * 8;

function put(k: Kernels, at: number, w: Words): void {
  new Uint32Array(k.memory.buffer, at, w.length).set(w);
}

function take(k: Kernels, at: number, n: number): Words {
  return new Uint32Array(k.memory.buffer, at, 2 * n).slice();
}

/** a·b mod p, element-wise. */
export function mulWords(a: Words, b: Words): Words {
  const n = a.length >> 1;
  const z = slot(n);
  const k = kernels(3 * z);
  put(k, 0, a);
  put(k, z, b);
  k.mul(0, z, 2 * z, n);
  return take(k, 2 * z, n);
}

/** 3·(h1 − h2) + h3: degree-2 shares at {1, 2, 3} recombined at 0 (Lagrange weights 3, −3, 1). */
export function recombineWords(h1: Words, h2: Words, h3: Words): Words {
  const n = h1.length >> 1;
  const z = slot(n);
  const k = kernels(4 * z);
  put(k, 0, h1);
  put(k, z, h2);
  put(k, 2 * z, h3);
  k.recombine(0, z, 2 * z, 3 * z, n);
  return take(k, 3 * z, n);
}

/**
 * Shamir shares of `secrets` on the line through (0, s) and (at, u) for at ∈ {1, 2} (as
 * shamir.ts's shareThrough): slope r = (u − s)/at, shares s + r, s + 2r, s + 3r.
 */
export function shareThroughWords(secrets: Words, at: 1 | 2, u: Words): [Words, Words, Words] {
  const n = secrets.length >> 1;
  const z = slot(n);
  const k = kernels(5 * z);
  put(k, 0, secrets);
  put(k, z, u);
  k.share(0, z, 2 * z, 3 * z, 4 * z, n, at === 2 ? 1 : 0);
  return [take(k, 2 * z, n), take(k, 3 * z, n), take(k, 4 * z, n)];
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
 * 2^61 − 1: a big-endian 64-bit word with its 3 top bits cleared, p itself rejected (probability
 * 2^−61 a word; then the batch is drawn again element by element, so both ends of the stream agree).
 */
export function randomWords(rng: RandomBytes, count: number): Words {
  const raw = rng(count * 8);
  const z = slot(count);
  const k = kernels(2 * z);
  new Uint8Array(k.memory.buffer, 0, raw.length).set(raw);
  k.swap(0, z, count);
  k.low61(z, count);
  return k.outside(z, count) === 0 ? take(k, z, count) : rejecting(raw, rng, count);
}

/** randomWords when a word equals p: skip it and draw on, as randomElements does. */
function rejecting(first: Uint8Array, rng: RandomBytes, count: number): Words {
  const out = new Uint32Array(2 * count);
  let k = 0;
  let raw = first;
  while (k < count) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < raw.length / 8 && k < count; i++) {
      const hi = view.getUint32(i * 8) & HI_MASK;
      const lo = view.getUint32(i * 8 + 4);
      if (hi === HI_MASK && lo === LO_MAX) continue;
      out[2 * k] = lo;
      out[2 * k + 1] = hi;
      k++;
    }
    if (k < count) raw = rng((count - k) * 8);
  }
  return out;
}

/** The wire format of codec.ts for 2^61 − 1: 8 bytes per element, big-endian. */
export function packWords(w: Words): Uint8Array {
  const n = w.length >> 1;
  const z = slot(n);
  const k = kernels(2 * z);
  put(k, 0, w);
  k.swap(0, z, n);
  return new Uint8Array(k.memory.buffer, z, 8 * n).slice();
}

export function unpackWords(body: Uint8Array, count: number): Words {
  if (body.length !== count * 8)
    throw new MpcProtocolError(`body has ${body.length} bytes, expected ${count * 8}`);
  const z = slot(count);
  const k = kernels(2 * z);
  new Uint8Array(k.memory.buffer, 0, body.length).set(body);
  k.swap(0, z, count);
  if (k.outside(z, count) !== 0) throw new MpcProtocolError('element out of field range');
  return take(k, z, count);
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
