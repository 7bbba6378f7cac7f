/**
 * Secure less-than with no dealer: a masked opening as Catrina–de Hoogh, whose bitwise part runs in
 * a small field at machine speed (bitwise.ts) and uses Toft's sign-randomised zero test (as MPyC's
 * SecInt comparisons do).
 *
 * [x < t] for |x − t| < 2^ℓ (both in [0, 2^ℓ), or both signed in [−2^(ℓ−1), 2^(ℓ−1))):
 * z = x − t + 2^ℓ ∈ (0, 2^(ℓ+1)) and [x < t] = 1 − ⌊z / 2^ℓ⌋.
 *
 * 1. Party 1 draws T uniform in [0, 2^(ℓ+κ+1)) and deals T, T mod 2^ℓ and a sign bit s1 in the
 *    engine's field, and over q the ℓ low bits of T, s1 and a nonzero ρ1 times each monomial of F
 *    (below), all in one round (the small field's shares ride on the engine field's: piggyback).
 * 2. V = z + T is opened to parties 2 and 3 only (one round, which also reshares s1·s23 for step 4):
 *    they learn z masked by T (statistical distance 2^−κ), party 1 learns nothing. Now z mod 2^ℓ = V_low − T_low + 2^ℓ·[V_low < T_low].
 * 3. The borrow [V_low < T_low] compares bits of V (known to parties 2 and 3, shared with no
 *    message on the line that vanishes at party 1) with the bits of T (dealt by party 1), over q:
 *    X_i = T_i ⊕ V_i and the sign bit b = s1 ⊕ s23 (s23 from the 2–3 stream) cost one product each,
 *    resharing by parties 2 and 3 only (party 1's degree-2 share is zero); with s = 2b − 1,
 *      e_i = s + T_i − V_i + 3·Σ_{j>i} X_j (i = ℓ−1 … 0),   e_ℓ = s − 1 + 3·Σ_j X_j,
 *    one e is zero exactly when (s = 1 and V_low ≥ T_low) or (s = −1 and V_low < T_low). The top
 *    two are merged with the mask in the same round: F = ρ1·ρ23·e_{ℓ−1}·e_{ℓ−2} is a polynomial in
 *    party 1's bits s1, T_{ℓ−1}, T_{ℓ−2} whose coefficients parties 2 and 3 know (s23, V's bits,
 *    their nonzero ρ23), so from ρ1 times its seven monomials, dealt by party 1, it is one more
 *    product of that kind. The product of the ℓ factors e_0 … e_{ℓ−3}, e_ℓ, F is opened (a tree, one
 *    round per level, the last level opened at degree 2; 32 factors at ℓ = 32: four levels): whether
 *    it is zero says nothing without s, and a nonzero product is uniform.
 * 4. borrow = g + b·(1 − 2g) for the public g = [product is zero], with b also in the engine's field
 *    (s1·s23 reshared by parties 2 and 3 in step 2's round); the result follows linearly.
 *
 * Field: V < 2^(ℓ+κ+2) must not wrap, so ℓ + κ + 3 ≤ bits(p); 3ℓ + 3 < q for the e values.
 * ℓ = 32 with κ = 30 (MPyC's default sec_param) fits 2^89 − 1 (M89).
 */
import { randomBytes } from 'node:crypto';
import { add, inv, mod, mul, sub } from './field.ts';
import type { Party, Shares } from './engine.ts';
import { STREAM } from './prss.ts';
import { pack, unpack } from './codec.ts';
import {
  Q,
  addQ,
  prepareDealQ,
  mulQShares,
  mulQ,
  openProductsQ,
  pairShareWeight,
  reshareQ,
  streamBits,
  streamNonzero,
  subQ,
} from './bitwise.ts';

export class CompareRangeError extends Error {
  override readonly name = 'CompareRangeError';
}

/** Largest ℓ the bitwise part supports: the e values stay below q. */
const MAX_ELL = Math.floor((Q - 4) / 3);

/** Uniform integers of `bits` bits from node:crypto (party 1's masks). */
function randomInts(count: number, bits: number): bigint[] {
  const nBytes = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  const buf = randomBytes(count * nBytes);
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) {
    let x = 0n;
    for (let j = 0; j < nBytes; j++) x = (x << 8n) | BigInt(buf[i * nBytes + j]!);
    out[i] = x & mask;
  }
  return out;
}

/** Shared bits [x_k < t_k] for |x_k − t_k| < 2^ℓ (t shared or public). 8 rounds at ℓ = 32. */
export async function lessThan(
  p: Party,
  x: Shares,
  t: Shares | bigint,
  ell: number,
  kappa = 40,
): Promise<Shares> {
  const f = p.field;
  if (!Number.isInteger(ell) || ell < 1 || ell > MAX_ELL || !Number.isInteger(kappa) || kappa < 1)
    throw new CompareRangeError(`ℓ = ${ell} with κ = ${kappa} is not a valid comparison`);
  ell = Math.max(ell, 2); // the top two bits' factors are merged (step 3): a 1-bit comparison is a 2-bit one
  if (ell + kappa + 3 > f.bits)
    throw new CompareRangeError(`ℓ = ${ell} with κ = ${kappa} does not fit field ${f.name}`);
  if (typeof t !== 'bigint' && t.length !== x.length)
    throw new CompareRangeError('comparing vectors of different length');
  const n = x.length;
  const me = p.me;
  const L = 1n << BigInt(ell);
  const Lf = mod(f, L);
  const z = typeof t === 'bigint' ? p.addConst(x, L - t) : p.addConst(p.sub(x, t), L);

  // 1. party 1's masks, in the engine's field and (bits) over q
  const T = me === 1 ? randomInts(n, ell + kappa + 1) : [];
  const s1 = me === 1 ? randomInts(n, 1) : [];
  const m = ell; // factors per element: e_0 … e_{ℓ−3}, e_ℓ and F = ρ·e_{ℓ−1}·e_{ℓ−2}
  const D = ell + 8; // dealt per element: T_0 … T_{ℓ−1}, s1 and ρ1 times the monomials of F (MONOMIALS)
  // Vectors of factors are laid out factor by factor (factor i of element k at i·n + k), so a
  // level of the product tree multiplies two halves of the array with no shuffling.
  let mine = new Float64Array(0);
  if (me === 1) {
    mine = new Float64Array(n * D);
    mine.set(lowBits(T, ell));
    const rho1 = streamNonzero(randomBytesStream, n);
    for (let k = 0; k < n; k++) {
      const a = Number(s1[k]!);
      const t1 = mine[(ell - 1) * n + k]!;
      const t2 = mine[(ell - 2) * n + k]!;
      mine[ell * n + k] = a;
      const bits = [1, a, t1, t2, a * t1, a * t2, t1 * t2];
      for (let j = 0; j < MONOMIALS; j++) mine[(ell + 1 + j) * n + k] = bits[j]! * rho1[k]!;
    }
  }
  // the masks over q ride on the round that deals them in the engine's field
  const deal = await prepareDealQ(
    p,
    mine,
    new Map([
      [1, n * D],
      [2, 0],
      [3, 0],
    ]),
  );
  const [[bigT, bigTLow, bigS1], dealtBytes] = await p.piggyback(deal.out, deal.expect, () =>
    p.input(
      [
        { owner: 1, count: n },
        { owner: 1, count: n },
        { owner: 1, count: n },
      ],
      me === 1 ? [T, T.map((v) => v & (L - 1n)), s1] : [],
    ),
  );
  const dealt = (await deal.finish(dealtBytes)).get(1)!;

  // the 2–3 pair's sign bits and nonzero ρ23, shared with no message (zero at party 1)
  const counter = p.nextCounter();
  const w = pairShareWeight(me);
  let s23: Uint8Array = new Uint8Array(n);
  let rho23: Float64Array = new Float64Array(n);
  if (me !== 1) {
    const rng = await p.keyStream({ peer: me === 2 ? 3 : 2 }, STREAM.bitwisePair, counter);
    s23 = streamBits(rng, n);
    rho23 = streamNonzero(rng, n);
  }

  // 2. V = z + T, opened to parties 2 and 3, riding on the round that reshares s1·s23 (step 4) in
  //    the engine's field
  const zT = p.add(z, bigT!);
  const opening = pack(f, zT);
  const bigW = mod(f, BigInt(1 - me)); // the line 1 − x over the engine's field
  const s1s23 = me === 1 ? [] : bigS1!.map((v, k) => (s23[k] ? mul(f, v, bigW) : 0n));
  const [prodS, openedTo] = await p.piggyback(
    new Map(p.peers.map((x) => [x, x === 1 ? new Uint8Array(0) : opening])),
    new Map(p.peers.map((x) => [x, me === 1 ? 0 : opening.length])),
    () => p.reshareFrom(s1s23, [2, 3], n),
  );
  const V =
    me === 1
      ? []
      : p.reconstruct(
          new Map([[me, zT] as const, ...p.peers.map((x) => [x, unpack(f, openedTo.get(x)!, n)] as const)]),
        );
  const vBits = lowBits(V, ell);

  // 3. the comparison of V's low bits with T's over q
  // products T_i·V_i, s1·s23 and F: degree-2 shares only at parties 2 and 3
  const cross = new Float64Array(n * (ell + 2));
  if (me !== 1) {
    for (let i = 0; i < ell; i++)
      for (let k = 0, at = i * n; k < n; k++, at++) if (vBits[at]) cross[at] = mulQ(dealt[at]!, w);
    for (let k = 0, at = ell * n; k < n; k++, at++) if (s23[k]) cross[at] = mulQ(dealt[at]!, w);
    for (let k = 0; k < n; k++) {
      const coef = monomialCoefficients(s23[k]!, vBits[(ell - 1) * n + k]!, vBits[(ell - 2) * n + k]!);
      const rw = mulQ(rho23[k]!, w);
      let acc = 0;
      for (let j = 0; j < MONOMIALS; j++)
        acc = addQ(acc, mulQ(dealt[(ell + 1 + j) * n + k]!, mulQ(coef[j]!, rw)));
      cross[(ell + 1) * n + k] = acc;
    }
  }
  const prod = await reshareQ(p, cross, [2, 3], n * (ell + 2));
  const first = new Float64Array(n * m);
  // b = s1 + s23 − 2·s1·s23, s = 2b − 1
  const sign = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const b = subQ(addQ(dealt[ell * n + k]!, s23[k] ? w : 0), addQ(prod[ell * n + k]!, prod[ell * n + k]!));
    sign[k] = subQ(addQ(b, b), 1);
  }
  const sumX = new Float64Array(n);
  for (let i = ell - 1; i >= 0; i--)
    for (let k = 0, at = i * n; k < n; k++, at++) {
      const ti = dealt[at]!;
      const vi = me !== 1 && vBits[at] ? w : 0;
      const tv = prod[at]!;
      const sx = sumX[k]!;
      // s + T_i − V_i + 3·Σ_{j>i} X_j (the top two are in F)
      if (i < ell - 2) first[at] = addQ(subQ(addQ(sign[k]!, ti), vi), addQ(addQ(sx, sx), sx));
      // X_i = T_i + V_i − 2·T_i·V_i
      sumX[k] = addQ(sx, subQ(addQ(ti, vi), addQ(tv, tv)));
    }
  for (let k = 0; k < n; k++) {
    const sx = sumX[k]!;
    first[(ell - 2) * n + k] = addQ(subQ(sign[k]!, 1), addQ(addQ(sx, sx), sx)); // e_ℓ
  }
  first.set(prod.subarray((ell + 1) * n, (ell + 2) * n), (ell - 1) * n); // F
  // the product tree: one resharing round per level until two factors are left, then opened
  let level: Float64Array = first;
  let width = m;
  while (width > 2) {
    const half = width >> 1;
    const pr = await mulQShares(p, level.subarray(0, half * n), level.subarray(half * n, 2 * half * n));
    if (width % 2 === 0) level = pr;
    else {
      const next = new Float64Array(n * (half + 1));
      next.set(pr);
      next.set(level.subarray(2 * half * n, width * n), half * n); // the odd factor waits a level
      level = next;
    }
    width -= half;
  }
  const last = new Float64Array(n);
  for (let k = 0; k < n; k++) last[k] = mulQ(level[k]!, level[n + k]!);
  const zeroTest = await openProductsQ(p, last);

  // 4. the sign bit in the engine's field (s1 ⊕ s23), the borrow and the result
  const invL = inv(f, Lf);
  const result = new Array<bigint>(n);
  for (let k = 0; k < n; k++) {
    const s23k = s23[k] ? bigW : 0n;
    const b = sub(f, add(f, bigS1![k]!, s23k), add(f, prodS[k]!, prodS[k]!));
    const g = zeroTest[k] === 0;
    const borrow = g ? sub(f, 1n, b) : b;
    const vLow = me === 1 ? 0n : mul(f, V[k]! & (L - 1n), bigW);
    const zMod = add(f, sub(f, vLow, bigTLow![k]!), mul(f, Lf, borrow));
    // [x < t] = 1 − (z − z mod 2^ℓ) / 2^ℓ
    result[k] = sub(f, 1n, mul(f, sub(f, z[k]!, zMod), invL));
  }
  return result;
}

/** F's monomials in party 1's secrets a = s1, t1 = T_{ℓ−1}, t2 = T_{ℓ−2}: 1, a, t1, t2, a·t1, a·t2, t1·t2. */
const MONOMIALS = 7;

/**
 * The coefficients of e_{ℓ−1}·e_{ℓ−2} in F's monomials, known to parties 2 and 3 (they hold s23
 * and V's bits v1 = V_{ℓ−1}, v2 = V_{ℓ−2}). With c = 1 − 2·s23 and d1 = 1 − 2·v1,
 *   e_{ℓ−1} = 2c·a + t1 − c − v1,   e_{ℓ−2} = 2c·a + 3d1·t1 + t2 − c − v2 + 3v1,
 * and a² = a, t1² = t1 for bits. Reduced mod q.
 */
function monomialCoefficients(s23: number, v1: number, v2: number): number[] {
  const c = 1 - 2 * s23;
  const d1 = 1 - 2 * v1;
  const [a1, d1c] = [2 * c, -c - v1]; // e_{ℓ−1} = a1·a + t1 + d1c
  const [a2, b2, d2c] = [2 * c, 3 * d1, -c - v2 + 3 * v1]; // e_{ℓ−2} = a2·a + b2·t1 + t2 + d2c
  const coef = [d1c * d2c, a1 * a2 + a1 * d2c + d1c * a2, b2 + d2c + d1c * b2, d1c, a1 * b2 + a2, a1, 1];
  return coef.map((x) => ((x % Q) + Q) % Q);
}

/** The low ℓ bits of each value, bit by bit (bit i of value k at i·n + k; 32 at a time from the BigInt). */
function lowBits(values: readonly bigint[], ell: number): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(n * ell);
  for (let k = 0; k < n; k++) {
    let v = values[k]!;
    for (let i = 0; i < ell; i += 32) {
      const word = Number(BigInt.asUintN(32, v));
      for (let j = 0; j < 32 && i + j < ell; j++) out[(i + j) * n + k] = (word >>> j) & 1;
      v >>= 32n;
    }
  }
  return out;
}

/** node:crypto as a byte source for party 1's own nonzero ρ1. */
const randomBytesStream = (n: number): Uint8Array => randomBytes(n);
