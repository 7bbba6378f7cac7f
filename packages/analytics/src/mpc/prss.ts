/**
 * Pairwise keys and the pseudo-random sharings they give (PRSS, Cramer–Damgård–Ishai), so that
 * randomness the parties would otherwise send each other is expanded locally instead:
 *
 * - dealing: an owner's share for its lower-indexed peer is drawn from a stream both know, so an
 *   input or a resharing is sent to one peer instead of two (half the bytes);
 * - zero sharing: additive masks that sum to 0, so a degree-2 value (an inner product) is opened
 *   in one round without first being reshared;
 * - random sharing: a Shamir sharing of a random element no single party knows, with no message.
 *
 * Every party draws a 256-bit seed for each peer from node:crypto and sends it in the first round
 * (the engine appends it to that round's messages). Streams are AES-256-CTR keyed by a seed (or by
 * SHA-256 of both seeds of a pair), with the purpose and a counter in the IV, so both ends of a
 * stream draw the same elements in the same order. Security rests on the honest majority as
 * before: a single party misses the key of the pair it is not in; two colluding parties knew
 * everything already (collusion.test.ts).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { type Field, type RandomBytes, add, inv, mod, mul, randomElements, sub } from './field.ts';
import { pack } from './codec.ts';
import type { PartyIndex } from './shamir.ts';
import { MpcProtocolError } from './transport.ts';

/** What a stream is for: it goes into the IV, so no two purposes share key stream. */
export const STREAM = { deal: 1, zero: 2, random: 3, bitwiseDeal: 4, bitwisePair: 5 } as const;
export type StreamPurpose = (typeof STREAM)[keyof typeof STREAM];

const SEED_BITS = 256;

/** Field elements that carry one seed (each element holds at least bits − 1 uniform bits). */
export function seedElementCount(f: Field): number {
  return Math.ceil(SEED_BITS / (f.bits - 1));
}

function keyOf(f: Field, ...seeds: readonly (readonly bigint[])[]): Buffer {
  const h = createHash('sha256').update('ketenlog-mpc-prss-v1');
  for (const s of seeds) h.update(pack(f, s));
  return h.digest();
}

/** The bytes of AES-256-CTR under `key`, with purpose and counter in the IV. */
function stream(key: Buffer, purpose: StreamPurpose, counter: number): RandomBytes {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(purpose, 0);
  iv.writeUInt32BE(counter >>> 0, 4);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return (n) => cipher.update(Buffer.alloc(n));
}

export class PairKeys {
  readonly #f: Field;
  readonly #me: PartyIndex;
  readonly #out = new Map<PartyIndex, bigint[]>();
  readonly #in = new Map<PartyIndex, bigint[]>();
  /** stream keys, derived once per (owner → peer) and per pair */
  readonly #keys = new Map<string, Buffer>();

  constructor(f: Field, me: PartyIndex, peers: readonly PartyIndex[], rng: RandomBytes) {
    this.#f = f;
    this.#me = me;
    for (const p of peers) this.#out.set(p, randomElements(f, seedElementCount(f), rng));
  }

  /** The seed elements this party sends `peer` in the first round. */
  outgoing(peer: PartyIndex): readonly bigint[] {
    return this.#out.get(peer)!;
  }

  /** The seed `peer` sent in the first round. */
  accept(peer: PartyIndex, seed: readonly bigint[]): void {
    if (this.#in.has(peer)) throw new MpcProtocolError(`a second seed from party ${peer}`);
    this.#in.set(peer, [...seed]);
  }

  get ready(): boolean {
    return this.#in.size === this.#out.size;
  }

  #key(name: string, seeds: () => readonly (readonly bigint[])[]): Buffer {
    let k = this.#keys.get(name);
    if (!k) this.#keys.set(name, (k = keyOf(this.#f, ...seeds())));
    return k;
  }

  #incoming(peer: PartyIndex): readonly bigint[] {
    const s = this.#in.get(peer);
    if (!s) throw new MpcProtocolError(`no seed from party ${peer} yet`);
    return s;
  }

  /** The stream from `owner` to `to` (one of them is this party). */
  dealStream(owner: PartyIndex, to: PartyIndex, purpose: StreamPurpose, counter: number): RandomBytes {
    if (owner === to || (owner !== this.#me && to !== this.#me))
      throw new MpcProtocolError('not a stream of this party');
    const key = this.#key(`deal ${owner}→${to}`, () => [
      owner === this.#me ? this.#out.get(to)! : this.#incoming(owner),
    ]);
    return stream(key, purpose, counter);
  }

  /** `count` elements of the stream from `owner` to `to` (one of them is this party). */
  dealt(owner: PartyIndex, to: PartyIndex, counter: number, count: number): bigint[] {
    return randomElements(this.#f, count, this.dealStream(owner, to, STREAM.deal, counter));
  }

  /** The stream this party and `peer` both draw from (the pair's key: both seeds, ordered). */
  pairStream(peer: PartyIndex, purpose: StreamPurpose, counter: number): RandomBytes {
    const key = this.#key(`pair ${peer}`, () =>
      this.#me < peer
        ? [this.#out.get(peer)!, this.#incoming(peer)]
        : [this.#incoming(peer), this.#out.get(peer)!],
    );
    return stream(key, purpose, counter);
  }

  /** `count` elements this party and `peer` both draw. */
  shared(peer: PartyIndex, purpose: StreamPurpose, counter: number, count: number): bigint[] {
    return randomElements(this.#f, count, this.pairStream(peer, purpose, counter));
  }

  /** g(me) for the line g with g(0) = 1 that vanishes at the party outside the pair {me, peer}. */
  #vanishing(peer: PartyIndex): bigint {
    const f = this.#f;
    const third = 6 - this.#me - peer;
    return mul(f, mod(f, BigInt(third - this.#me)), inv(f, BigInt(third)));
  }

  /**
   * This party's additive share of `count` zeros: + the stream shared with each higher-indexed peer,
   * − the stream shared with each lower-indexed one. The three shares sum to 0.
   */
  zeros(counter: number, count: number): bigint[] {
    const f = this.#f;
    const z = new Array<bigint>(count).fill(0n);
    for (const peer of this.#out.keys()) {
      const r = this.shared(peer, STREAM.zero, counter, count);
      const plus = this.#me < peer;
      for (let k = 0; k < count; k++) z[k] = plus ? add(f, z[k]!, r[k]!) : sub(f, z[k]!, r[k]!);
    }
    return z;
  }

  /**
   * This party's Shamir (degree 1) share of `count` random elements: Σ over the pairs {me, j} of
   * r_{me,j} · g(me), where g is the line with g(0) = 1 that vanishes at the third party m:
   * g(x) = (m − x)/m. The secret Σ r over all three pairs is unknown to any single party.
   */
  randomShares(counter: number, count: number): bigint[] {
    const f = this.#f;
    const out = new Array<bigint>(count).fill(0n);
    for (const peer of this.#out.keys()) {
      const g = this.#vanishing(peer);
      const r = this.shared(peer, STREAM.random, counter, count);
      for (let k = 0; k < count; k++) out[k] = add(f, out[k]!, mul(f, g, r[k]!));
    }
    return out;
  }
}
