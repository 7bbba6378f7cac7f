/**
 * Shamir (t = 1, n = 3) secret sharing: a secret s is hidden in f(x) = s + r·x, party i ∈ {1,2,3}
 * holds f(i). Any two shares reconstruct; one share is uniformly random (information-theoretic).
 * A product of two degree-1 sharings is a degree-2 sharing which all three shares reconstruct.
 */
import {
  type Field,
  type RandomBytes,
  add,
  cryptoRandomBytes,
  inv,
  mod,
  mul,
  randomElements,
  sub,
} from './field.ts';

export const PARTIES = 3;
export type PartyIndex = 1 | 2 | 3;
export const PARTY_INDICES: readonly PartyIndex[] = [1, 2, 3];

export class ShamirError extends Error {
  override readonly name = 'ShamirError';
}

/** Share each secret (degree 1). Returns shares[partyIndex − 1][k]. */
export function share(
  f: Field,
  secrets: readonly bigint[],
  rng: RandomBytes = cryptoRandomBytes,
): [bigint[], bigint[], bigint[]] {
  const r = randomElements(f, secrets.length, rng);
  const out: [bigint[], bigint[], bigint[]] = [[], [], []];
  for (let k = 0; k < secrets.length; k++) {
    const s = mod(f, secrets[k]!);
    const rk = r[k]!;
    const s1 = add(f, s, rk);
    const s2 = add(f, s1, rk);
    const s3 = add(f, s2, rk);
    out[0].push(s1);
    out[1].push(s2);
    out[2].push(s3);
  }
  return out;
}

/**
 * Share each secret so that party `at` holds a given value: the line through (0, s) and (at, u).
 * With u uniform (drawn from a stream the owner and party `at` share) this is an ordinary sharing,
 * and only the third party's share has to be sent. Returns shares[partyIndex − 1][k].
 */
export function shareThrough(
  f: Field,
  secrets: readonly bigint[],
  at: PartyIndex,
  u: readonly bigint[],
): [bigint[], bigint[], bigint[]] {
  if (u.length !== secrets.length) throw new ShamirError('one fixed share per secret, please');
  const scale = at === 1 ? 1n : inv(f, BigInt(at));
  const out: [bigint[], bigint[], bigint[]] = [
    new Array<bigint>(secrets.length),
    new Array<bigint>(secrets.length),
    new Array<bigint>(secrets.length),
  ];
  for (let k = 0; k < secrets.length; k++) {
    const v = secrets[k]!;
    const s = v >= 0n && v < f.p ? v : mod(f, v);
    const d = sub(f, u[k]!, s);
    // slope (u − s)/at; halving (at = 2) without a multiplication: p is odd, so d or d + p is even
    const r = at === 1 ? d : at === 2 ? ((d & 1n) === 0n ? d >> 1n : (d + f.p) >> 1n) : mul(f, d, scale);
    const s1 = add(f, s, r);
    const s2 = add(f, s1, r);
    out[0][k] = s1;
    out[1][k] = s2;
    out[2][k] = add(f, s2, r);
  }
  return out;
}

/** Lagrange coefficients at x = 0 for the given distinct evaluation points. */
export function lagrangeAtZero(f: Field, xs: readonly number[]): bigint[] {
  if (new Set(xs).size !== xs.length) throw new ShamirError('duplicate evaluation points');
  for (const x of xs)
    if (!PARTY_INDICES.includes(x as PartyIndex)) throw new ShamirError(`bad party index ${x}`);
  return xs.map((xi, i) => {
    let num = 1n;
    let den = 1n;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = mul(f, num, mod(f, BigInt(-xj)));
      den = mul(f, den, mod(f, BigInt(xi - xj)));
    });
    return mul(f, num, inv(f, den));
  });
}

/**
 * Reconstruct secrets from shares held by the given parties. Degree-1 sharings need 2 parties,
 * degree-2 (unreduced products) need all 3.
 */
export function reconstruct(
  f: Field,
  parties: readonly PartyIndex[],
  shares: readonly (readonly bigint[])[],
  degree: 1 | 2 = 1,
): bigint[] {
  if (parties.length !== shares.length) throw new ShamirError('parties and shares differ in length');
  if (parties.length < degree + 1) throw new ShamirError(`degree ${degree} needs ${degree + 1} shares`);
  const len = shares[0]!.length;
  if (shares.some((s) => s.length !== len)) throw new ShamirError('share vectors differ in length');
  const lambda = lagrangeAtZero(f, parties);
  const out: bigint[] = new Array<bigint>(len);
  for (let k = 0; k < len; k++) {
    let acc = 0n;
    for (let i = 0; i < parties.length; i++) acc = add(f, acc, mul(f, lambda[i]!, shares[i]![k]!));
    out[k] = acc;
  }
  return out;
}

/**
 * Check that three degree-1 shares are consistent (lie on one line): f(3) = 2·f(2) − f(1).
 * Used when all three shares are opened, so a lying or confused party is detected.
 */
export function consistent(f: Field, s1: bigint, s2: bigint, s3: bigint): boolean {
  return sub(f, add(f, s2, s2), s1) === s3;
}
