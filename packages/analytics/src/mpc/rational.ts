/**
 * Rational reconstruction: the fraction r/s with |r| < 2^numBits and 0 < s < 2^denBits that a field
 * element u equals (u·s ≡ r mod p), unique when numBits + denBits + 1 < bits(p) (Wang's half-extended
 * Euclid). Lets a computation on integers open an exact rational — a regression coefficient
 * adj(A)·b / det(A) — as one field element, without opening numerator and denominator.
 */
import { type Field, FieldError } from './field.ts';

export type Rational = { readonly num: bigint; readonly den: bigint };

export function reconstructRational(f: Field, u: bigint, numBits: number, denBits: number): Rational {
  if (numBits + denBits + 1 >= f.bits)
    throw new FieldError(`a ${numBits}/${denBits}-bit fraction does not fit field ${f.name}`);
  const R = 1n << BigInt(numBits);
  const S = 1n << BigInt(denBits);
  let [r0, r1] = [f.p, u];
  let [s0, s1] = [0n, 1n];
  while (r1 >= R) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  const den = s1 < 0n ? -s1 : s1;
  if (den === 0n || den >= S) throw new FieldError('no fraction within the bounds');
  return { num: s1 < 0n ? -r1 : r1, den };
}

/** The fraction as a double, correctly rounded to within a few ulps even for huge parts. */
export function rationalToNumber(x: Rational): number {
  const bits = (v: bigint): number => (v < 0n ? -v : v).toString(2).length;
  const shift = Math.max(0, bits(x.den) - bits(x.num) + 64);
  return Number((x.num << BigInt(shift)) / x.den) / 2 ** shift;
}
