/**
 * Inner products of shares at machine speed in 2^61 − 1: a vector's machine words (m61.ts — the
 * engine's own, or each share written once into a BigUint64Array) read as four 16-bit limbs;
 * a product of two limbs is below 2^32, so the seven limb columns of Σ a_k·b_k accumulate exactly
 * in doubles for up to 2^19 terms at a time. One BigInt reduction per inner product, not two BigInt
 * operations per term. Wider fields keep the BigInt loop (engine.ts).
 */
import { type Field, mod } from './field.ts';
import { WORDS_NATIVE, wordsOf } from './m61.ts';

/** Terms per block before the columns are folded into a BigInt: 4·(2^16 − 1)^2·2^18 < 2^53. */
const BLOCK = 1 << 18;

/** The 16-bit limbs of a vector's words (converted once per vector, never when the engine made it). */
function limbs(xs: readonly bigint[]): Uint16Array | undefined {
  const w = wordsOf(xs);
  return w && new Uint16Array(w.buffer, w.byteOffset, w.length * 2);
}

/** Σ a_k·b_k mod p, or undefined when the fast path does not apply to these vectors. */
export function fastDot(f: Field, a: readonly bigint[], b: readonly bigint[]): bigint | undefined {
  if (f.bits !== 61 || !WORDS_NATIVE || a.length !== b.length) return undefined;
  const A = limbs(a);
  const B = A && limbs(b);
  if (!A || !B) return undefined;
  let total = 0n;
  for (let start = 0; start < a.length; start += BLOCK) {
    const end = Math.min(a.length, start + BLOCK);
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    let c4 = 0;
    let c5 = 0;
    let c6 = 0;
    for (let k = start; k < end; k++) {
      const i = k * 4;
      const a0 = A[i]!;
      const a1 = A[i + 1]!;
      const a2 = A[i + 2]!;
      const a3 = A[i + 3]!;
      const b0 = B[i]!;
      const b1 = B[i + 1]!;
      const b2 = B[i + 2]!;
      const b3 = B[i + 3]!;
      c0 += a0 * b0;
      c1 += a0 * b1 + a1 * b0;
      c2 += a0 * b2 + a1 * b1 + a2 * b0;
      c3 += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
      c4 += a1 * b3 + a2 * b2 + a3 * b1;
      c5 += a2 * b3 + a3 * b2;
      c6 += a3 * b3;
    }
    total +=
      BigInt(c0) +
      (BigInt(c1) << 16n) +
      (BigInt(c2) << 32n) +
      (BigInt(c3) << 48n) +
      (BigInt(c4) << 64n) +
      (BigInt(c5) << 80n) +
      (BigInt(c6) << 96n);
  }
  return mod(f, total);
}
