/**
 * A sub-engine for the bitwise part of comparisons: Shamir (2,3) over the small prime
 * q = 2^26 − 5, with shares in Float64Arrays. A product of two elements is below 2^52, exact in a
 * double, so every operation is machine arithmetic — no BigInt, no allocation per element. The same
 * three parties, transport, rounds and pairwise streams as the engine (engine.ts), under stream
 * purposes of their own. Bits and the few values a zero test needs fit q; the masked opening that
 * needs ℓ + κ bits stays in the engine's field (compare.ts).
 */
import type { Party } from './engine.ts';
import { STREAM } from './prss.ts';
import { PARTY_INDICES, type PartyIndex } from './shamir.ts';
import type { RandomBytes } from './field.ts';

/** The small prime: q < 2^26, so a·b < 2^52 is exact in a double. */
export const Q = 67_108_859;
const WIDTH = 4;
const MASK26 = 0x3ff_ffff;

/** Lagrange weights at 0 for the points {1, 2, 3}: 3, −3, 1. */
const LAMBDA = [3, Q - 3, 1] as const;

/** The owner that deals a value shares its lower peer's share through their common stream. */
const derivedPeer = (owner: PartyIndex): PartyIndex => PARTY_INDICES.find((p) => p !== owner)!;

const INV_Q = 1 / Q;
/** a·b mod q: the quotient from a double estimate, off by at most one, then corrected (no fmod). */
export const mulQ = (a: number, b: number): number => {
  const x = a * b;
  const r = x - Math.floor(x * INV_Q) * Q;
  return r < 0 ? r + Q : r >= Q ? r - Q : r;
};
export const addQ = (a: number, b: number): number => {
  const s = a + b;
  return s >= Q ? s - Q : s;
};
export const subQ = (a: number, b: number): number => {
  const s = a - b;
  return s < 0 ? s + Q : s;
};

/** g(me) on the line g(x) = 1 − x (g(0) = 1, g(1) = 0): how a value known to parties 2 and 3 is shared. */
export const pairShareWeight = (me: PartyIndex): number => (me === 1 ? 0 : Q + 1 - me);

/** Elements travel and streams are read as little-endian 32-bit words: native typed arrays on such a machine. */
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The bytes as 32-bit little-endian words (a view when aligned, else a copy). */
function words32(raw: Uint8Array): Uint32Array {
  if (!LITTLE) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Uint32Array.from({ length: raw.length >> 2 }, (_, i) => view.getUint32(i * 4, true));
  }
  const aligned = raw.byteOffset % 4 === 0 ? raw : raw.slice();
  return new Uint32Array(aligned.buffer, aligned.byteOffset, raw.length >> 2);
}

/** `count` uniform elements of [0, q) from a stream (26-bit words, the rare one ≥ q rejected). */
export function streamElements(rng: RandomBytes, count: number): Float64Array {
  const out = new Float64Array(count);
  let k = 0;
  while (k < count) {
    const need = count - k + 2;
    const raw = words32(rng(need * 4));
    for (let i = 0; i < need && k < count; i++) {
      const x = raw[i]! & MASK26;
      if (x < Q) out[k++] = x;
    }
  }
  return out;
}

/** `count` bits (0 or 1) from a stream. */
export function streamBits(rng: RandomBytes, count: number): Uint8Array {
  const raw = rng(Math.ceil(count / 8));
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) out[k] = (raw[k >> 3]! >> (k & 7)) & 1;
  return out;
}

/** `count` uniform nonzero elements of [1, q) from a stream. */
export function streamNonzero(rng: RandomBytes, count: number): Float64Array {
  const out = new Float64Array(count);
  let k = 0;
  while (k < count) {
    const more = streamElements(rng, count - k);
    for (const x of more) if (x !== 0) out[k++] = x;
  }
  return out;
}

function packQ(xs: Float64Array): Uint8Array {
  if (LITTLE) return new Uint8Array(new Uint32Array(xs).buffer); // a native conversion: integers below 2^26
  const out = new Uint8Array(xs.length * WIDTH);
  const view = new DataView(out.buffer);
  for (let i = 0; i < xs.length; i++) view.setUint32(i * WIDTH, xs[i]!, true);
  return out;
}

function unpackQ(body: Uint8Array): Float64Array {
  const w = words32(body);
  let top = 0;
  for (let i = 0; i < w.length; i++) if (w[i]! > top) top = w[i]!;
  if (top >= Q) throw new RangeError('element out of the small field');
  return new Float64Array(w);
}

/**
 * One round in which each owner deals `counts[owner]` values as Shamir shares over q (`mine`: this
 * party's values, empty if it deals none). The share for the owner's lower peer comes from their
 * stream, so only the other peer's shares travel. Returns this party's shares, per owner.
 */
export async function dealQ(
  p: Party,
  mine: Float64Array,
  counts: ReadonlyMap<PartyIndex, number>,
): Promise<Map<PartyIndex, Float64Array>> {
  await p.keyStream({ peer: p.peers[0]! }, STREAM.bitwisePair, 0); // the seed round, if none ran yet
  const round = p.stats.rounds + 1;
  const me = p.me;
  const at = derivedPeer(me);
  const n = mine.length;
  const own = new Float64Array(n);
  const other = new Float64Array(n);
  const otherPeer = p.peers.find((x) => x !== at)!;
  if (n) {
    const u = streamElements(await p.keyStream({ owner: me, to: at }, STREAM.bitwiseDeal, round), n);
    // the line through (0, s) and (at, u): slope (u − s)/at; at ∈ {1, 2} (the lowest other index)
    for (let k = 0; k < n; k++) {
      const s = mine[k]!;
      let r = subQ(u[k]!, s);
      if (at === 2) r = r % 2 === 0 ? r / 2 : (r + Q) / 2;
      const r2 = addQ(r, r);
      const r3 = addQ(r2, r);
      own[k] = addQ(s, me === 1 ? r : me === 2 ? r2 : r3);
      other[k] = addQ(s, otherPeer === 1 ? r : otherPeer === 2 ? r2 : r3);
    }
  }
  const out = new Map<PartyIndex, Uint8Array>(
    p.peers.map((x) => [x, x === otherPeer && n ? packQ(other) : new Uint8Array(0)]),
  );
  const expect = new Map<PartyIndex, number>(
    p.peers.map((x) => [x, derivedPeer(x) === me ? 0 : counts.get(x)!]),
  );
  const got = await p.exchangeBytes(out, expect, WIDTH);
  const result = new Map<PartyIndex, Float64Array>([[me, own]]);
  for (const x of p.peers) {
    const c = counts.get(x)!;
    result.set(
      x,
      derivedPeer(x) === me
        ? streamElements(await p.keyStream({ owner: x, to: me }, STREAM.bitwiseDeal, round), c)
        : unpackQ(got.get(x)!),
    );
  }
  return result;
}

/**
 * Degree reduction over q of `count` degree-2 shares `d` held by `holders` (zero at the others):
 * each holder deals λ_h·d_h, every party adds what it receives. One round.
 */
export async function reshareQ(
  p: Party,
  d: Float64Array,
  holders: readonly PartyIndex[],
  count: number,
): Promise<Float64Array> {
  let mine = new Float64Array(0);
  if (holders.includes(p.me)) {
    const lambda = LAMBDA[p.me - 1]!;
    mine = new Float64Array(d.length);
    for (let k = 0; k < d.length; k++) mine[k] = mulQ(d[k]!, lambda);
  }
  const parts = await dealQ(p, mine, new Map(PARTY_INDICES.map((x) => [x, holders.includes(x) ? count : 0])));
  const out = new Float64Array(count);
  for (const h of holders) {
    const part = parts.get(h)!;
    for (let k = 0; k < count; k++) out[k] = addQ(out[k]!, part[k]!);
  }
  return out;
}

/** Element-wise products of degree-1 sharings over q (local product, then resharing). One round. */
export async function mulQShares(p: Party, a: Float64Array, b: Float64Array): Promise<Float64Array> {
  const d = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) d[k] = mulQ(a[k]!, b[k]!);
  return reshareQ(p, d, PARTY_INDICES, a.length);
}

/**
 * Open degree-2 values over q in one round: each party sends λ·d plus its share of a pseudo-random
 * zero (the pair streams), so a message is uniform apart from the sum (as openProducts in the engine).
 */
export async function openProductsQ(p: Party, d: Float64Array): Promise<Float64Array> {
  const n = d.length;
  const counter = p.nextCounter();
  const mine = new Float64Array(n);
  const lambda = LAMBDA[p.me - 1]!;
  for (let k = 0; k < n; k++) mine[k] = mulQ(d[k]!, lambda);
  for (const peer of p.peers) {
    const r = streamElements(await p.keyStream({ peer }, STREAM.bitwisePair, counter), n);
    const plus = p.me < peer;
    for (let k = 0; k < n; k++) mine[k] = plus ? addQ(mine[k]!, r[k]!) : subQ(mine[k]!, r[k]!);
  }
  const body = packQ(mine);
  const got = await p.exchangeBytes(
    new Map(p.peers.map((x) => [x, body])),
    new Map(p.peers.map((x) => [x, n])),
    WIDTH,
  );
  const [a, b] = p.peers.map((x) => unpackQ(got.get(x)!)) as [Float64Array, Float64Array];
  for (let k = 0; k < n; k++) mine[k] = addQ(addQ(mine[k]!, a[k]!), b[k]!);
  return mine;
}
