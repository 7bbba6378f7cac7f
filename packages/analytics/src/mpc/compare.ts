/**
 * Jointly generated random bits and secure less-than, with no dealer.
 *
 * Random bits: XOR of one random bit input by each of parties 1 and 2 (2 rounds, batched, no
 * dealer). With at most one corrupt party (the engine's honest-majority model) at least one of the
 * two contributors is honest, so the XOR is uniform and unknown to any single party; party 3's
 * contribution would add work, not secrecy. The κ-bit mask integers are likewise the sum of two.
 *
 * [x < t] for x, t ∈ [0, 2^ℓ): z = x − t + 2^ℓ; mask z with r = Σ 2^i b_i + 2^ℓ·R (R random κ-bit),
 * open c = z + r, then z mod 2^ℓ = c mod 2^ℓ − r_low + 2^ℓ·[c_low < r_low], and the bitwise
 * comparison of public c with shared bits is a suffix product (log ℓ rounds, Hillis–Steele);
 * [c < r] = Σ_i (1 − c_i)(Q_{i+1} − Q_i) with Q_i = Π_{j ≥ i}(1 − c_i ⊕ r_i). Statistical hiding
 * 2^−κ requires ℓ + κ + 3 < bits(p).
 */
import { randomBytes } from 'node:crypto';
import { add, inv, mod, mul, sub } from './field.ts';
import type { Party, Shares } from './engine.ts';

export class CompareRangeError extends Error {
  override readonly name = 'CompareRangeError';
}

function randomKappaInts(count: number, kappa: number): bigint[] {
  const nBytes = Math.ceil(kappa / 8);
  const mask = (1n << BigInt(kappa)) - 1n;
  const buf = randomBytes(count * nBytes);
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) {
    let x = 0n;
    for (let j = 0; j < nBytes; j++) x = (x << 8n) | BigInt(buf[i * nBytes + j]!);
    out[i] = x & mask;
  }
  return out;
}

/**
 * Shared random masks: `nBits` bits and `nInts` κ-bit-ish integers (sum of two), 2 rounds.
 * Each bit is the XOR of one random bit from parties 1 and 2 (uniform while one of them is
 * honest): a ⊕ b = a + b − 2ab, one multiplication round, no exponentiation.
 */
export async function randomMasks(
  p: Party,
  nBits: number,
  nInts: number,
  kappa: number,
): Promise<{ bits: Shares; ints: Shares }> {
  const specs = ([1, 2] as const).flatMap((owner) => [
    { owner, count: nBits },
    { owner, count: nInts },
  ]);
  const mine = p.me === 3 ? [] : [randomKappaInts(nBits, 1), randomKappaInts(nInts, kappa)];
  const got = await p.input(specs, mine);
  const ints = p.add(got[1]!, got[3]!);
  const [ab] = await p.mul([[got[0]!, got[2]!]]);
  const bits = p.sub(p.add(got[0]!, got[2]!), p.scale(ab!, 2n));
  return { bits, ints };
}

/** Shared bits [x_k < t_k] for x, t ∈ [0, 2^ℓ) (t shared or public). 3 + ⌈log2 ℓ⌉ rounds. */
export async function lessThan(
  p: Party,
  x: Shares,
  t: Shares | bigint,
  ell: number,
  kappa = 40,
): Promise<Shares> {
  const f = p.field;
  if (!Number.isInteger(ell) || ell < 1 || ell + kappa + 3 >= f.bits)
    throw new CompareRangeError(`ℓ = ${ell} with κ = ${kappa} does not fit field ${f.name}`);
  const n = x.length;
  const L = 1n << BigInt(ell);
  const z = typeof t === 'bigint' ? p.addConst(x, L - t) : p.addConst(p.sub(x, t), L);
  const { bits, ints } = await randomMasks(p, n * ell, n, kappa);
  const rLow = new Array<bigint>(n);
  const masked = new Array<bigint>(n);
  for (let k = 0; k < n; k++) {
    let acc = 0n;
    for (let i = ell - 1; i >= 0; i--) acc = add(f, add(f, acc, acc), bits[k * ell + i]!);
    rLow[k] = acc;
    masked[k] = add(f, add(f, z[k]!, acc), mul(f, mod(f, L), ints[k]!));
  }
  const [c] = await p.open([masked]);
  // e_{k,i} = c_i ⊕ r_i; Q starts as 1 − e.
  const cBits: number[] = new Array<number>(n * ell);
  let q: bigint[] = new Array<bigint>(n * ell);
  for (let k = 0; k < n; k++) {
    const ck = c![k]!;
    for (let i = 0; i < ell; i++) {
      const ci = Number((ck >> BigInt(i)) & 1n);
      cBits[k * ell + i] = ci;
      const r = bits[k * ell + i]!;
      q[k * ell + i] = ci === 1 ? r : sub(f, 1n, r); // 1 − (c ⊕ r)
    }
  }
  // Inclusive suffix products within each block of ℓ, one round per doubling.
  for (let d = 1; d < ell; d *= 2) {
    const left: bigint[] = [];
    const right: bigint[] = [];
    const at: number[] = [];
    for (let k = 0; k < n; k++)
      for (let i = 0; i + d < ell; i++) {
        at.push(k * ell + i);
        left.push(q[k * ell + i]!);
        right.push(q[k * ell + i + d]!);
      }
    const [prod] = await p.mul([[left, right]]);
    const next = q.slice();
    at.forEach((idx, j) => (next[idx] = prod![j]!));
    q = next;
  }
  const inv2l = inv(f, mod(f, L));
  const out = new Array<bigint>(n);
  for (let k = 0; k < n; k++) {
    let u = 0n;
    for (let i = 0; i < ell; i++) {
      if (cBits[k * ell + i] === 1) continue;
      const qNext = i + 1 < ell ? q[k * ell + i + 1]! : 1n;
      u = add(f, u, sub(f, qNext, q[k * ell + i]!));
    }
    const cLow = c![k]! & (L - 1n);
    const zMod = add(f, sub(f, cLow, rLow[k]!), mul(f, mod(f, L), u));
    // [x < t] = 1 − (z − z mod 2^ℓ) / 2^ℓ
    out[k] = sub(f, 1n, mul(f, sub(f, z[k]!, zMod), inv2l));
  }
  return out;
}
