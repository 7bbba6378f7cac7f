/**
 * Inner products of shares at machine speed in 2^61 − 1: a vector's machine words (m61.ts — the
 * engine's own, or each share written once into a BigUint64Array) are copied into a WebAssembly
 * memory and summed there by a SIMD kernel (dot.wat: two 64-bit lanes, 32-bit halves, Mersenne
 * folding per term). One BigInt per inner product, none per term. WebAssembly rather than
 * JavaScript because it is compiled before its first call: a JavaScript loop runs interpreted on
 * its first call and waits for the optimising compiler, which on a loaded machine costs more than
 * the work (docs/benchmarks.md). Wider fields keep the BigInt loop (engine.ts).
 */
import type { Field } from './field.ts';
import { WORDS_NATIVE, type Words, wordsOf } from './m61.ts';
import { DOT_WASM } from './dot-wasm.ts';
import { wasmKernels } from './wasm-kernels.ts';

type Kernel = {
  readonly memory: WebAssembly.Memory;
  readonly dot: (pa: number, pb: number, n: number) => bigint;
};

/** The kernel, compiled when this module loads: a run's first inner product finds it ready. */
const kernelWith = wasmKernels<Kernel>(DOT_WASM);

/** Σ a_k·b_k mod p over two vectors of words of one length. */
export function dotWords(a: Words, b: Words): bigint {
  const n = a.length >> 1;
  const even = n + (n & 1); // the kernel takes two elements at a time: a zero pads an odd count
  const k = kernelWith(even * 16);
  const m = new Uint32Array(k.memory.buffer, 0, even * 4);
  m.set(a, 0);
  m.set(b, even * 2);
  if (n & 1) m.fill(0, 2 * n, even * 2).fill(0, even * 2 + 2 * n);
  return k.dot(0, even * 8, even);
}

/** Σ a_k·b_k mod p, or undefined when the fast path does not apply to these vectors. */
export function fastDot(f: Field, a: readonly bigint[], b: readonly bigint[]): bigint | undefined {
  if (f.bits !== 61 || !WORDS_NATIVE || a.length !== b.length) return undefined;
  const A = wordsOf(a);
  const B = A && wordsOf(b);
  return A && B ? dotWords(A, B) : undefined;
}
