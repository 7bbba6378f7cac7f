/**
 * A sub-engine for the bitwise part of comparisons: Shamir (2,3) over the small prime
 * q = 2^26 − 5, with shares in Float64Arrays. A product of two elements is below 2^52, exact in a
 * double, so every operation is machine arithmetic — no BigInt, no allocation per element. The same
 * three parties, transport, rounds and pairwise streams as the engine (engine.ts), under stream
 * purposes of their own. Bits and the few values a zero test needs fit q; the masked opening that
 * needs ℓ + κ bits stays in the engine's field (compare.ts). The vector loops — sharing, products,
 * resharing, stream elements, the range check of a received vector — run in WebAssembly (q26.wat),
 * compiled before their first call: a first comparison's 10^5 elements a loop would otherwise run
 * interpreted or in a baseline tier on a loaded machine.
 */
import type { Party } from './engine.ts';
import { STREAM } from './prss.ts';
import { PARTY_INDICES, type PartyIndex } from './shamir.ts';
import type { RandomBytes } from './field.ts';
import { MpcProtocolError } from './transport.ts';
import { Q26_WASM } from './q26-wasm.ts';
import { wasmKernels } from './wasm-kernels.ts';

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

type Kernels = {
  readonly memory: WebAssembly.Memory;
  share(
    s: number,
    u: number,
    own: number,
    other: number,
    n: number,
    half: number,
    cOwn: number,
    cOther: number,
  ): void;
  mul(a: number, b: number, o: number, n: number): void;
  scale(a: number, c: number, n: number): void;
  addto(a: number, o: number, n: number): void;
  elements(raw: number, m: number, o: number, want: number): number;
  max(a: number, n: number): number;
};

/** The kernels, with at least `bytes` of memory (compiled when this module loads). */
const kernels = wasmKernels<Kernels>(Q26_WASM);

/** Elements into kernel memory at byte `at` (a native conversion from doubles or words). */
const put = (k: Kernels, at: number, xs: Float64Array | Uint32Array): void =>
  new Uint32Array(k.memory.buffer, at, xs.length).set(xs);
/** n elements from kernel memory at byte `at`, as doubles. */
const take = (k: Kernels, at: number, n: number): Float64Array =>
  new Float64Array(new Uint32Array(k.memory.buffer, at, n));

/** `count` uniform elements of [0, q) from a stream (26-bit words, the rare one ≥ q rejected). */
export function streamElements(rng: RandomBytes, count: number): Float64Array {
  if (!LITTLE) return streamElementsPortable(rng, count);
  const out = new Float64Array(count);
  let k = 0;
  while (k < count) {
    const need = count - k + 2;
    const raw = rng(need * 4);
    const z = need * 4;
    const ker = kernels(2 * z);
    new Uint8Array(ker.memory.buffer, 0, z).set(raw);
    const got = ker.elements(0, need, z, count - k);
    out.set(new Uint32Array(ker.memory.buffer, z, got), k);
    k += got;
  }
  return out;
}

/** streamElements on a big-endian machine: the same elements, a word at a time. */
function streamElementsPortable(rng: RandomBytes, count: number): Float64Array {
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
  const n = body.length / WIDTH;
  if (!LITTLE) {
    const w = words32(body);
    if (w.some((x) => x >= Q)) throw new RangeError('element out of the small field');
    return new Float64Array(w);
  }
  const k = kernels(body.length);
  new Uint8Array(k.memory.buffer, 0, body.length).set(body);
  if (n && k.max(0, n) >= Q) throw new RangeError('element out of the small field');
  return take(k, 0, n);
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
  const deal = await prepareDealQ(p, mine, counts);
  const got = await p.exchangeBytes(
    deal.out,
    new Map([...deal.expect].map(([x, bytes]) => [x, bytes / WIDTH])),
    WIDTH,
  );
  return deal.finish(got);
}

export type PreparedDeal = {
  /** the bytes for each peer, and how many bytes each peer sends */
  readonly out: ReadonlyMap<PartyIndex, Uint8Array>;
  readonly expect: ReadonlyMap<PartyIndex, number>;
  /** this party's shares, per owner, from what the peers sent */
  finish(got: ReadonlyMap<PartyIndex, Uint8Array>): Promise<Map<PartyIndex, Float64Array>>;
};

/**
 * dealQ's messages for the next round, which may be another operation's (Party.piggyback: the
 * comparison's masks travel with the engine field's masks).
 */
export async function prepareDealQ(
  p: Party,
  mine: Float64Array,
  counts: ReadonlyMap<PartyIndex, number>,
): Promise<PreparedDeal> {
  await p.keyStream({ peer: p.peers[0]! }, STREAM.bitwisePair, 0); // the seed round, if none ran yet
  const round = p.stats.rounds + 1;
  const me = p.me;
  const at = derivedPeer(me);
  const n = mine.length;
  let own: Float64Array = new Float64Array(n);
  let other: Float64Array = new Float64Array(n);
  const otherPeer = p.peers.find((x) => x !== at)!;
  if (n) {
    const u = streamElements(await p.keyStream({ owner: me, to: at }, STREAM.bitwiseDeal, round), n);
    // the line through (0, s) and (at, u): slope (u − s)/at; at ∈ {1, 2} (the lowest other index)
    const z = n * 4;
    const k = kernels(4 * z);
    put(k, 0, mine);
    put(k, z, u);
    k.share(0, z, 2 * z, 3 * z, n, at === 2 ? 1 : 0, me, otherPeer);
    own = take(k, 2 * z, n);
    other = take(k, 3 * z, n);
  }
  const out = new Map<PartyIndex, Uint8Array>(
    p.peers.map((x) => [x, x === otherPeer && n ? packQ(other) : new Uint8Array(0)]),
  );
  const expect = new Map<PartyIndex, number>(
    p.peers.map((x) => [x, derivedPeer(x) === me ? 0 : counts.get(x)! * WIDTH]),
  );
  const finish = async (got: ReadonlyMap<PartyIndex, Uint8Array>): Promise<Map<PartyIndex, Float64Array>> => {
    const result = new Map<PartyIndex, Float64Array>([[me, own]]);
    for (const x of p.peers) {
      const c = counts.get(x)!;
      if (derivedPeer(x) === me)
        result.set(x, streamElements(await p.keyStream({ owner: x, to: me }, STREAM.bitwiseDeal, round), c));
      else {
        const body = got.get(x)!;
        if (body.length !== c * WIDTH)
          throw new MpcProtocolError(`party ${x} dealt ${body.length} bytes, expected ${c * WIDTH}`);
        result.set(x, unpackQ(body));
      }
    }
    return result;
  };
  return { out, expect, finish };
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
  let mine: Float64Array = new Float64Array(0);
  if (holders.includes(p.me)) {
    const k = kernels(d.length * 4);
    put(k, 0, d);
    k.scale(0, LAMBDA[p.me - 1]!, d.length);
    mine = take(k, 0, d.length);
  }
  const parts = await dealQ(p, mine, new Map(PARTY_INDICES.map((x) => [x, holders.includes(x) ? count : 0])));
  const z = count * 4;
  const k = kernels(2 * z);
  new Uint32Array(k.memory.buffer, z, count).fill(0);
  for (const h of holders) {
    put(k, 0, parts.get(h)!);
    k.addto(0, z, count);
  }
  return take(k, z, count);
}

/** Element-wise products of degree-1 sharings over q (local product, then resharing). One round. */
export async function mulQShares(p: Party, a: Float64Array, b: Float64Array): Promise<Float64Array> {
  const z = a.length * 4;
  const k = kernels(3 * z);
  put(k, 0, a);
  put(k, z, b);
  k.mul(0, z, 2 * z, a.length);
  return reshareQ(p, take(k, 2 * z, a.length), PARTY_INDICES, a.length);
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
