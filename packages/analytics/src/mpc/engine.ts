/**
 * One party of the three-party, semi-honest, honest-majority engine over Shamir (2,3) shares.
 * Addition and constants are local; multiplication is a local product (degree 2) followed by
 * resharing in one round (each party shares its product, every party recombines with the
 * Lagrange weights at 0) — no dealer. An inner product that is to be opened anyway skips the
 * resharing: its degree-2 shares are opened at once under a pseudo-random zero mask (openProducts).
 * Each communicating call is exactly one round: one message to each peer carrying every element of
 * the batch. In 2^61 − 1, sharing, resharing and products run on machine words (m61.ts) and a
 * vector becomes bigints once, at this API. The first round also carries each party's pairwise seeds (prss.ts), from which
 * shares for one peer, zero masks and random sharings are expanded locally. Counts come from the
 * caller (the spec), and a peer whose spec hash, round or counts differ fails the run with
 * MpcMismatchError.
 */
import { type Field, type RandomBytes, add, cryptoRandomBytes, mod, mul, sub } from './field.ts';
import { type PartyIndex, PARTY_INDICES, consistent, lagrangeAtZero, shareThrough } from './shamir.ts';
import { PairKeys, STREAM, type StreamPurpose, seedElementCount } from './prss.ts';
import { pack, unpack, width } from './codec.ts';
import {
  type Words,
  WORDS_NATIVE,
  mulWords,
  packWords,
  randomWords,
  recombineWords,
  shareThroughWords,
  sumWords,
  unpackWords,
  vectorOf,
  wordsOf,
} from './m61.ts';
import { fastDot } from './dot.ts';
import { type RoundMessage, type Transport, MpcMismatchError, MpcProtocolError } from './transport.ts';

/** A vector of this party's shares. */
export type Shares = bigint[];

export type PartyOptions = {
  readonly field: Field;
  readonly me: PartyIndex;
  readonly transport: Transport;
  readonly specHash: string;
  readonly timeoutMs?: number;
  readonly rng?: RandomBytes;
};

/** An owner deals its share for its lowest-indexed peer through the stream they share (prss.ts). */
const derivedPeer = (owner: PartyIndex): 1 | 2 => (owner === 1 ? 2 : 1);

export type InputSpec = { readonly owner: PartyIndex; readonly count: number };

/** Bytes riding on a round (Party.piggyback), and what the peers' messages carried. */
type Ride = {
  readonly out: ReadonlyMap<PartyIndex, Uint8Array>;
  readonly expect: ReadonlyMap<PartyIndex, number>;
  got?: Map<PartyIndex, Uint8Array>;
};

export type PartyStats = { rounds: number; bytesSent: number; messagesSent: number };

export class Party {
  readonly field: Field;
  readonly me: PartyIndex;
  readonly peers: readonly PartyIndex[];
  readonly #transport: Transport;
  readonly #specHash: string;
  readonly #timeoutMs: number;
  readonly #rng: RandomBytes;
  readonly #lambda: bigint[];
  readonly #keys: PairKeys;
  /** 2^61 − 1 on machine words (m61.ts) */
  readonly #words: boolean;
  #randomCalls = 0;
  /** bytes riding on the next round (piggyback), and what the peers' messages carried */
  #ride: Ride | undefined;
  readonly stats: PartyStats = { rounds: 0, bytesSent: 0, messagesSent: 0 };

  constructor(o: PartyOptions) {
    this.field = o.field;
    this.me = o.me;
    this.peers = PARTY_INDICES.filter((i) => i !== o.me);
    this.#transport = o.transport;
    this.#specHash = o.specHash;
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#rng = o.rng ?? cryptoRandomBytes;
    this.#lambda = lagrangeAtZero(o.field, [1, 2, 3]);
    this.#keys = new PairKeys(o.field, o.me, this.peers, this.#rng);
    this.#words = o.field.bits === 61 && WORDS_NATIVE;
  }

  /** One round: send `out[peer]` to each peer, receive `expect[peer]` elements from each. */
  async exchange(
    out: ReadonlyMap<PartyIndex, readonly bigint[]>,
    expect: ReadonlyMap<PartyIndex, number>,
  ): Promise<Map<PartyIndex, bigint[]>> {
    const packed = new Map(this.peers.map((to) => [to, pack(this.field, out.get(to) ?? [])]));
    const got = await this.#exchangePacked(packed, expect);
    const result = new Map<PartyIndex, bigint[]>();
    for (const [from, body] of got) result.set(from, unpack(this.field, body, expect.get(from) ?? 0));
    return result;
  }

  /**
   * One round of elements of the engine's field, packed (codec.ts). The first round carries the
   * pairwise seeds after the payload. Returns each peer's payload, its length checked.
   */
  async #exchangePacked(
    out: ReadonlyMap<PartyIndex, Uint8Array>,
    expect: ReadonlyMap<PartyIndex, number>,
  ): Promise<Map<PartyIndex, Uint8Array>> {
    const seeds = this.stats.rounds === 0 ? seedElementCount(this.field) : 0;
    const w = width(this.field);
    const bodies = new Map<PartyIndex, { count: number; body: Uint8Array }>();
    for (const to of this.peers) {
      const payload = out.get(to) ?? new Uint8Array(0);
      const body = seeds ? Buffer.concat([payload, pack(this.field, this.#keys.outgoing(to))]) : payload;
      bodies.set(to, { count: body.length / w, body });
    }
    const got = await this.#round(bodies, (from) => (expect.get(from) ?? 0) + seeds, seeds);
    const result = new Map<PartyIndex, Uint8Array>();
    for (const [from, msg] of got) {
      if (msg.body.length !== msg.count * w)
        throw new MpcProtocolError(`body has ${msg.body.length} bytes, expected ${msg.count * w}`);
      const at = (msg.count - seeds) * w;
      if (seeds) this.#keys.accept(from, unpack(this.field, msg.body.subarray(at), seeds));
      result.set(from, msg.body.subarray(0, at));
    }
    return result;
  }

  /**
   * One round of elements of another field, packed by the caller in `width` bytes each (the bitwise
   * sub-engine, bitwise.ts). Never the first round: the seeds travel with the engine's own field.
   */
  async exchangeBytes(
    out: ReadonlyMap<PartyIndex, Uint8Array>,
    expect: ReadonlyMap<PartyIndex, number>,
    width: number,
  ): Promise<Map<PartyIndex, Uint8Array>> {
    await this.#ensureKeys();
    const bodies = new Map<PartyIndex, { count: number; body: Uint8Array }>();
    for (const to of this.peers) {
      const body = out.get(to) ?? new Uint8Array(0);
      bodies.set(to, { count: body.length / width, body });
    }
    const got = await this.#round(bodies, (from) => expect.get(from) ?? 0, 0);
    const result = new Map<PartyIndex, Uint8Array>();
    for (const [from, msg] of got) {
      if (msg.body.length !== msg.count * width)
        throw new MpcProtocolError(`body has ${msg.body.length} bytes, expected ${msg.count * width}`);
      result.set(from, msg.body);
    }
    return result;
  }

  /** Send one body to each peer and receive one from each, checked against spec, round and count. */
  async #round(
    bodies: ReadonlyMap<PartyIndex, { count: number; body: Uint8Array }>,
    wantCount: (from: PartyIndex) => number,
    seeds: number,
  ): Promise<Map<PartyIndex, RoundMessage>> {
    const round = ++this.stats.rounds;
    const ride = this.#ride && !this.#ride.got ? this.#ride : undefined;
    const sends = this.peers.map((to) => {
      const { count, body: own } = bodies.get(to)!;
      const extra = ride?.out.get(to);
      const body = extra?.length ? Buffer.concat([own, extra]) : own;
      this.stats.bytesSent += body.length;
      this.stats.messagesSent++;
      return this.#transport.send({ specHash: this.#specHash, round, from: this.me, to, count, body });
    });
    const received = await Promise.all([
      ...this.peers.map((from) => this.#transport.receive(round, from, this.#timeoutMs)),
      ...sends,
    ]);
    const result = new Map<PartyIndex, RoundMessage>();
    if (ride) ride.got = new Map();
    this.peers.forEach((from, k) => {
      let msg = received[k]!;
      if (msg === undefined) throw new MpcProtocolError('missing message');
      if (ride) {
        // the rider is the body's tail; what is left is checked by the caller against the count
        const extra = ride.expect.get(from) ?? 0;
        if (msg.body.length < extra) throw new MpcProtocolError(`body has ${msg.body.length} bytes, too few`);
        ride.got!.set(from, msg.body.subarray(msg.body.length - extra));
        msg = { ...msg, body: msg.body.subarray(0, msg.body.length - extra) };
      }
      if (msg.specHash !== this.#specHash)
        throw new MpcMismatchError(`party ${from} runs spec ${msg.specHash}, this party ${this.#specHash}`);
      if (msg.round !== round || msg.from !== from || msg.to !== this.me)
        throw new MpcMismatchError(`party ${from} is out of step (round ${msg.round}, expected ${round})`);
      const want = wantCount(from);
      if (msg.count !== want)
        throw new MpcMismatchError(
          `party ${from} sent ${msg.count - seeds} elements in round ${round}, expected ${want - seeds}`,
        );
      result.set(from, msg);
    });
    return result;
  }

  /**
   * Key-stream bytes for a sub-engine over another field (bitwise.ts): the stream the dealing
   * `owner` shares with `to` (one of them this party), or the stream this party shares with `peer`.
   * Purposes of their own keep them apart from the engine's streams.
   */
  async keyStream(
    which: { readonly owner: PartyIndex; readonly to: PartyIndex } | { readonly peer: PartyIndex },
    purpose: StreamPurpose,
    counter: number,
  ): Promise<RandomBytes> {
    await this.#ensureKeys();
    return 'peer' in which
      ? this.#keys.pairStream(which.peer, purpose, counter)
      : this.#keys.dealStream(which.owner, which.to, purpose, counter);
  }

  /** A fresh counter for a stream no earlier call used (all parties call in the same order). */
  nextCounter(): number {
    return ++this.#randomCalls;
  }

  /**
   * Run `op` with `out[peer]` (bytes of another operation, e.g. over another field) riding on the
   * first round `op` makes, so that two operations that need no result of each other take one
   * round. `expect[peer]` says how many bytes each peer's message carries for it. Returns op's
   * result and the bytes each peer's message carried.
   */
  async piggyback<T>(
    out: ReadonlyMap<PartyIndex, Uint8Array>,
    expect: ReadonlyMap<PartyIndex, number>,
    op: () => Promise<T>,
  ): Promise<[T, Map<PartyIndex, Uint8Array>]> {
    if (this.#ride) throw new MpcProtocolError('one operation rides on a round at a time');
    await this.#ensureKeys(); // not on the seed round
    const ride: Ride = { out, expect };
    this.#ride = ride;
    try {
      const result = await op();
      if (!ride.got) throw new MpcProtocolError('the operation made no round to ride on');
      return [result, ride.got];
    } finally {
      this.#ride = undefined;
    }
  }

  /**
   * Secret-share inputs, all in one round. `specs` (from the signed spec) says who owns how many
   * values; `mine` holds this party's plaintext values for its own specs, in order.
   */
  async input(specs: readonly InputSpec[], mine: readonly (readonly bigint[])[]): Promise<Shares[]> {
    const myIdx = specs.map((s, i) => (s.owner === this.me ? i : -1)).filter((i) => i >= 0);
    if (mine.length !== myIdx.length)
      throw new MpcMismatchError(`spec has ${myIdx.length} inputs for this party, got ${mine.length}`);
    myIdx.forEach((specIndex, k) => {
      const values = mine[k]!;
      if (values.length !== specs[specIndex]!.count)
        throw new MpcMismatchError(
          `input ${specIndex} has ${values.length} values, spec says ${specs[specIndex]!.count}`,
        );
    });
    const flat = ([] as bigint[]).concat(...mine);
    const counts = new Map<PartyIndex, number>(
      PARTY_INDICES.map((p) => [p, specs.filter((s) => s.owner === p).reduce((n, s) => n + s.count, 0)]),
    );
    const cursor = new Map<PartyIndex, number>(PARTY_INDICES.map((p) => [p, 0]));
    const flatWords = this.#words ? wordsOf(flat) : undefined;
    if (flatWords) {
      const dealt = await this.#dealWords(flatWords, counts);
      return specs.map((s) => {
        const at = cursor.get(s.owner)!;
        cursor.set(s.owner, at + s.count);
        return vectorOf(dealt.get(s.owner)!.subarray(2 * at, 2 * (at + s.count)));
      });
    }
    const got = await this.#deal(flat, counts);
    return specs.map((s) => {
      const at = cursor.get(s.owner)!;
      cursor.set(s.owner, at + s.count);
      const all = got.get(s.owner)!;
      return at === 0 && s.count === all.length ? all : all.slice(at, at + s.count);
    });
  }

  /**
   * One round in which every party deals its `mine` as Shamir shares, `counts` (from the spec) per
   * owner. An owner's share for its lower-indexed peer comes from the stream they share, so it
   * sends only its other peer's shares. Returns this party's shares of every owner's values.
   */
  async #deal(
    mine: readonly bigint[],
    counts: ReadonlyMap<PartyIndex, number>,
  ): Promise<Map<PartyIndex, bigint[]>> {
    const words = this.#words ? wordsOf(mine) : undefined;
    if (words) {
      const dealt = await this.#dealWords(words, counts);
      return new Map([...dealt].map(([p, w]) => [p, vectorOf(w)]));
    }
    const f = this.field;
    const round = this.stats.rounds + 1;
    const myDerived = derivedPeer(this.me);
    const sh = shareThrough(f, mine, myDerived, this.#keys.dealt(this.me, myDerived, round, mine.length));
    const out = new Map<PartyIndex, bigint[]>(this.peers.map((p) => [p, p === myDerived ? [] : sh[p - 1]!]));
    const expect = new Map<PartyIndex, number>(
      this.peers.map((p) => [p, derivedPeer(p) === this.me ? 0 : counts.get(p)!]),
    );
    const got = await this.exchange(out, expect);
    const result = new Map<PartyIndex, bigint[]>([[this.me, sh[this.me - 1]!]]);
    for (const p of this.peers)
      result.set(
        p,
        derivedPeer(p) === this.me ? this.#keys.dealt(p, this.me, round, counts.get(p)!) : got.get(p)!,
      );
    return result;
  }

  /** #deal on machine words (2^61 − 1): the same shares, streams and messages, without BigInt. */
  async #dealWords(mine: Words, counts: ReadonlyMap<PartyIndex, number>): Promise<Map<PartyIndex, Words>> {
    const round = this.stats.rounds + 1;
    const myDerived = derivedPeer(this.me);
    const n = mine.length >> 1;
    const u = randomWords(this.#keys.dealStream(this.me, myDerived, STREAM.deal, round), n);
    const sh = shareThroughWords(mine, myDerived, u);
    const out = new Map<PartyIndex, Uint8Array>(
      this.peers.map((p) => [p, p === myDerived ? new Uint8Array(0) : packWords(sh[p - 1]!)]),
    );
    const expect = new Map<PartyIndex, number>(
      this.peers.map((p) => [p, derivedPeer(p) === this.me ? 0 : counts.get(p)!]),
    );
    const got = await this.#exchangePacked(out, expect);
    const result = new Map<PartyIndex, Words>([[this.me, sh[this.me - 1]!]]);
    for (const p of this.peers) {
      const count = counts.get(p)!;
      result.set(
        p,
        derivedPeer(p) === this.me
          ? randomWords(this.#keys.dealStream(p, this.me, STREAM.deal, round), count)
          : unpackWords(got.get(p)!, count),
      );
    }
    return result;
  }

  /** Degree reduction on machine words: every party deals its degree-2 shares, one round. */
  async #reshareWords(d: Words): Promise<Words> {
    const parts = await this.#dealWords(d, new Map(PARTY_INDICES.map((p) => [p, d.length >> 1])));
    return recombineWords(parts.get(1)!, parts.get(2)!, parts.get(3)!);
  }

  /** Element-wise products of every pair, all in one round (local product + resharing). */
  async mul(pairs: readonly (readonly [Shares, Shares])[]): Promise<Shares[]> {
    for (const [a, b] of pairs)
      if (a.length !== b.length) throw new MpcMismatchError('multiplying vectors of different length');
    const products = this.#words ? pairs.map(([a, b]) => this.#mulWords(a, b)) : [];
    if (products.length && products.every((w) => w !== undefined)) {
      const all = new Uint32Array(products.reduce((n, w) => n + w.length, 0));
      let at = 0;
      for (const w of products) {
        all.set(w, at);
        at += w.length;
      }
      const reshared = await this.#reshareWords(all);
      at = 0;
      return products.map((w) => {
        at += w.length;
        return vectorOf(reshared.subarray(at - w.length, at));
      });
    }
    const f = this.field;
    const local: bigint[] = [];
    for (const [a, b] of pairs) {
      if (a.length !== b.length) throw new MpcMismatchError('multiplying vectors of different length');
      for (let k = 0; k < a.length; k++) local.push(mul(f, a[k]!, b[k]!));
    }
    const flat = await this.reshare(local);
    const result: Shares[] = [];
    let at = 0;
    for (const [a] of pairs) {
      result.push(flat.slice(at, at + a.length));
      at += a.length;
    }
    return result;
  }

  #mulWords(a: Shares, b: Shares): Words | undefined {
    const wa = wordsOf(a);
    const wb = wa && wordsOf(b);
    return wb && mulWords(wa!, wb);
  }

  /** Degree reduction: turn this party's degree-2 shares into degree-1 shares of the same secrets. */
  async reshare(d: readonly bigint[]): Promise<Shares> {
    const words = this.#words ? wordsOf(d) : undefined;
    if (words) return vectorOf(await this.#reshareWords(words));
    const f = this.field;
    const parts = await this.#deal(d, new Map(PARTY_INDICES.map((p) => [p, d.length])));
    const h1 = parts.get(1)!;
    const h2 = parts.get(2)!;
    const h3 = parts.get(3)!;
    const res = new Array<bigint>(d.length);
    // the Lagrange weights at 0 for {1, 2, 3} are 3, −3, 1: 3·(h1 − h2) + h3, with no multiplication
    for (let k = 0; k < d.length; k++) {
      const diff = sub(f, h1[k]!, h2[k]!);
      res[k] = add(f, add(f, add(f, diff, diff), diff), h3[k]!);
    }
    return res;
  }

  /** Open vectors to every party (one round); all three shares are checked for consistency. */
  async open(vectors: readonly Shares[]): Promise<bigint[][]> {
    const flat = vectors.flat();
    const out = new Map<PartyIndex, bigint[]>(this.peers.map((p) => [p, flat]));
    const expect = new Map<PartyIndex, number>(this.peers.map((p) => [p, flat.length]));
    const got = await this.exchange(out, expect);
    const values = this.reconstruct(new Map([[this.me, flat], ...got]));
    const result: bigint[][] = [];
    let at = 0;
    for (const v of vectors) {
      result.push(values.slice(at, at + v.length));
      at += v.length;
    }
    return result;
  }

  /**
   * Open each vector to one party only (one round): the others send it their shares, it checks all
   * three for consistency. Returns the values at the party they are opened to, undefined elsewhere.
   */
  async openTo(
    items: readonly { readonly to: PartyIndex; readonly shares: Shares }[],
  ): Promise<(bigint[] | undefined)[]> {
    const out = new Map<PartyIndex, bigint[]>(this.peers.map((p) => [p, []]));
    let mine = 0;
    for (const it of items)
      if (it.to === this.me) mine += it.shares.length;
      else out.set(it.to, out.get(it.to)!.concat(it.shares));
    const got = await this.exchange(out, new Map(this.peers.map((p) => [p, mine])));
    const own = items.filter((it) => it.to === this.me).flatMap((it) => it.shares);
    const values = this.reconstruct(new Map([[this.me, own], ...got]));
    let at = 0;
    return items.map((it) => {
      if (it.to !== this.me) return undefined;
      at += it.shares.length;
      return values.slice(at - it.shares.length, at);
    });
  }

  /** Values from all three parties' degree-1 shares, each checked to lie on one line (no message). */
  reconstruct(s: ReadonlyMap<PartyIndex, readonly bigint[]>): bigint[] {
    const f = this.field;
    const [s1, s2, s3] = PARTY_INDICES.map((p) => s.get(p)!) as [bigint[], bigint[], bigint[]];
    const values = new Array<bigint>(s1.length);
    for (let k = 0; k < s1.length; k++) {
      if (!consistent(f, s1[k]!, s2[k]!, s3[k]!)) throw new MpcProtocolError(`inconsistent shares at ${k}`);
      values[k] = sub(f, add(f, s1[k]!, s1[k]!), s2[k]!); // Lagrange at 0 over {1,2}: 2·f(1) − f(2)
    }
    return values;
  }

  // ---- local operations (no communication) ----
  add(a: Shares, b: Shares): Shares {
    return a.map((x, k) => add(this.field, x, b[k]!));
  }
  sub(a: Shares, b: Shares): Shares {
    return a.map((x, k) => sub(this.field, x, b[k]!));
  }
  scale(a: Shares, c: bigint): Shares {
    const cc = mod(this.field, c);
    return a.map((x) => mul(this.field, x, cc));
  }
  addConst(a: Shares, c: bigint): Shares {
    const cc = mod(this.field, c);
    return a.map((x) => add(this.field, x, cc));
  }
  /** Σ of a vector: a one-element vector. */
  sum(a: Shares): Shares {
    const words = this.#words ? wordsOf(a) : undefined;
    if (words) return [sumWords(words)];
    let acc = 0n;
    for (const x of a) acc = add(this.field, acc, x);
    return [acc];
  }
  /** Inner product in one round: local Σ a_k b_k (degree 2), then one resharing of one element. */
  async dot(pairs: readonly (readonly [Shares, Shares])[]): Promise<Shares> {
    return this.reshare(this.localDot(pairs));
  }

  /**
   * This party's degree-2 shares of inner products (no communication): reshare them (dot) or open
   * them (openProducts). In 2^61 − 1 by the WebAssembly kernel (dot.ts); otherwise the sum is reduced
   * once at the end, not per term.
   */
  localDot(pairs: readonly (readonly [Shares, Shares])[]): bigint[] {
    return pairs.map(([a, b]) => {
      if (a.length !== b.length) throw new MpcMismatchError('inner product of vectors of different length');
      const fast = fastDot(this.field, a, b);
      if (fast !== undefined) return fast;
      let acc = 0n;
      for (let k = 0; k < a.length; k++) acc += a[k]! * b[k]!;
      return mod(this.field, acc);
    });
  }

  /**
   * Open values held as degree-2 shares — local products or inner products, or degree-1 shares,
   * which are degree-2 sharings too — in one round, without resharing: each party sends its share
   * times its Lagrange weight plus its share of a pseudo-random zero (prss.ts), which makes the
   * message uniform apart from the sum it adds up to. Three shares of a degree-2 sharing always fit,
   * so no consistency check is possible here (semi-honest; `open` checks degree-1 shares).
   */
  async openProducts(local: readonly bigint[]): Promise<bigint[]> {
    await this.#ensureKeys();
    const f = this.field;
    const round = this.stats.rounds + 1;
    const zero = this.#keys.zeros(round, local.length);
    const lambda = this.#lambda[this.me - 1]!;
    const mine = local.map((d, k) => add(f, mul(f, lambda, d), zero[k]!));
    const got = await this.exchange(
      new Map(this.peers.map((p) => [p, mine])),
      new Map(this.peers.map((p) => [p, local.length])),
    );
    const [a, b] = this.peers.map((p) => got.get(p)!) as [bigint[], bigint[]];
    return mine.map((x, k) => add(f, add(f, x, a[k]!), b[k]!));
  }

  /** Inner products, opened in one round (openProducts of localDot). */
  async openDot(pairs: readonly (readonly [Shares, Shares])[]): Promise<bigint[]> {
    return this.openProducts(this.localDot(pairs));
  }

  /** Shares of `count` random elements no party knows, without a message (PRSS). */
  async random(count: number): Promise<Shares> {
    await this.#ensureKeys();
    return this.#keys.randomShares(++this.#randomCalls, count);
  }

  /**
   * Degree reduction of products whose degree-2 shares are zero outside `holders` (a factor shared
   * on a line that vanishes at the other party): only the holders deal, one round.
   */
  async reshareFrom(d: readonly bigint[], holders: readonly PartyIndex[], count: number): Promise<Shares> {
    const f = this.field;
    const mine = holders.includes(this.me) ? d : [];
    if (mine.length !== (holders.includes(this.me) ? count : 0))
      throw new MpcMismatchError(`resharing ${mine.length} products, spec says ${count}`);
    const parts = await this.#deal(
      mine,
      new Map(PARTY_INDICES.map((p) => [p, holders.includes(p) ? count : 0])),
    );
    const res = new Array<bigint>(count).fill(0n);
    for (const h of holders) {
      const lh = this.#lambda[h - 1]!;
      const got = parts.get(h)!;
      for (let k = 0; k < count; k++) res[k] = add(f, res[k]!, mul(f, lh, got[k]!));
    }
    return res;
  }

  /** The pairwise seeds travel in the first round; an operation that needs them first runs one. */
  async #ensureKeys(): Promise<void> {
    if (this.stats.rounds === 0) await this.exchange(new Map(), new Map());
  }
}
