/**
 * One party of the three-party, semi-honest, honest-majority engine over Shamir (2,3) shares.
 * Addition and constants are local; multiplication is a local product (degree 2) followed by
 * resharing in one round (each party shares its product, every party recombines with the
 * Lagrange weights at 0) — no dealer. Each communicating call is exactly one round: one message to
 * each peer carrying every element of the batch. Counts come from the caller (the spec), and a
 * peer whose spec hash, round or counts differ fails the run with MpcMismatchError.
 */
import { type Field, type RandomBytes, add, cryptoRandomBytes, mod, mul, sub } from './field.ts';
import { type PartyIndex, PARTY_INDICES, consistent, lagrangeAtZero, share } from './shamir.ts';
import { pack, unpack } from './codec.ts';
import { type Transport, MpcMismatchError, MpcProtocolError } from './transport.ts';

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

export type InputSpec = { readonly owner: PartyIndex; readonly count: number };

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
  }

  /** One round: send `out[peer]` to each peer, receive `expect[peer]` elements from each. */
  async exchange(
    out: ReadonlyMap<PartyIndex, readonly bigint[]>,
    expect: ReadonlyMap<PartyIndex, number>,
  ): Promise<Map<PartyIndex, bigint[]>> {
    const round = ++this.stats.rounds;
    const sends = this.peers.map((to) => {
      const xs = out.get(to) ?? [];
      const body = pack(this.field, xs);
      this.stats.bytesSent += body.length;
      this.stats.messagesSent++;
      return this.#transport.send({
        specHash: this.#specHash,
        round,
        from: this.me,
        to,
        count: xs.length,
        body,
      });
    });
    const received = await Promise.all([
      ...this.peers.map((from) => this.#transport.receive(round, from, this.#timeoutMs)),
      ...sends,
    ]);
    const result = new Map<PartyIndex, bigint[]>();
    this.peers.forEach((from, k) => {
      const msg = received[k]!;
      if (msg === undefined) throw new MpcProtocolError('missing message');
      if (msg.specHash !== this.#specHash)
        throw new MpcMismatchError(`party ${from} runs spec ${msg.specHash}, this party ${this.#specHash}`);
      if (msg.round !== round || msg.from !== from || msg.to !== this.me)
        throw new MpcMismatchError(`party ${from} is out of step (round ${msg.round}, expected ${round})`);
      const want = expect.get(from) ?? 0;
      if (msg.count !== want)
        throw new MpcMismatchError(
          `party ${from} sent ${msg.count} elements in round ${round}, expected ${want}`,
        );
      result.set(from, unpack(this.field, msg.body, msg.count));
    });
    return result;
  }

  /**
   * Secret-share inputs, all in one round. `specs` (from the signed spec) says who owns how many
   * values; `mine` holds this party's plaintext values for its own specs, in order.
   */
  async input(specs: readonly InputSpec[], mine: readonly (readonly bigint[])[]): Promise<Shares[]> {
    const myIdx = specs.map((s, i) => (s.owner === this.me ? i : -1)).filter((i) => i >= 0);
    if (mine.length !== myIdx.length)
      throw new MpcMismatchError(`spec has ${myIdx.length} inputs for this party, got ${mine.length}`);
    const own: Shares[] = [];
    const out = new Map<PartyIndex, bigint[]>(this.peers.map((p) => [p, []]));
    myIdx.forEach((specIndex, k) => {
      const values = mine[k]!;
      if (values.length !== specs[specIndex]!.count)
        throw new MpcMismatchError(
          `input ${specIndex} has ${values.length} values, spec says ${specs[specIndex]!.count}`,
        );
      const sh = share(this.field, values, this.#rng);
      own[specIndex] = sh[this.me - 1];
      // a loop, not push(...xs): spreading a million shares overflows the call stack
      for (const p of this.peers) {
        const to = out.get(p)!;
        for (const x of sh[p - 1]) to.push(x);
      }
    });
    const expect = new Map<PartyIndex, number>(
      this.peers.map((p) => [p, specs.filter((s) => s.owner === p).reduce((n, s) => n + s.count, 0)]),
    );
    const got = await this.exchange(out, expect);
    const cursor = new Map<PartyIndex, number>(this.peers.map((p) => [p, 0]));
    return specs.map((s, i) => {
      if (s.owner === this.me) return own[i]!;
      const at = cursor.get(s.owner)!;
      cursor.set(s.owner, at + s.count);
      return got.get(s.owner)!.slice(at, at + s.count);
    });
  }

  /** Element-wise products of every pair, all in one round (local product + resharing). */
  async mul(pairs: readonly (readonly [Shares, Shares])[]): Promise<Shares[]> {
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

  /** Degree reduction: turn this party's degree-2 shares into degree-1 shares of the same secrets. */
  async reshare(d: readonly bigint[]): Promise<Shares> {
    const f = this.field;
    const sh = share(f, d, this.#rng);
    const out = new Map<PartyIndex, bigint[]>(this.peers.map((p) => [p, sh[p - 1]]));
    const expect = new Map<PartyIndex, number>(this.peers.map((p) => [p, d.length]));
    const got = await this.exchange(out, expect);
    const parts: Record<number, readonly bigint[]> = { [this.me]: sh[this.me - 1] };
    for (const p of this.peers) parts[p] = got.get(p)!;
    const [l1, l2, l3] = this.#lambda as [bigint, bigint, bigint];
    const h1 = parts[1]!;
    const h2 = parts[2]!;
    const h3 = parts[3]!;
    const res = new Array<bigint>(d.length);
    for (let k = 0; k < d.length; k++)
      res[k] = add(f, add(f, mul(f, l1, h1[k]!), mul(f, l2, h2[k]!)), mul(f, l3, h3[k]!));
    return res;
  }

  /** Open vectors to every party (one round); all three shares are checked for consistency. */
  async open(vectors: readonly Shares[]): Promise<bigint[][]> {
    const flat = vectors.flat();
    const out = new Map<PartyIndex, bigint[]>(this.peers.map((p) => [p, flat]));
    const expect = new Map<PartyIndex, number>(this.peers.map((p) => [p, flat.length]));
    const got = await this.exchange(out, expect);
    const s: Record<number, readonly bigint[]> = { [this.me]: flat };
    for (const p of this.peers) s[p] = got.get(p)!;
    const f = this.field;
    const [l1, l2] = [2n, f.p - 1n]; // Lagrange at 0 for points {1,2}: 2·f(1) − f(2)
    const values = flat.map((_, k) => {
      if (!consistent(f, s[1]![k]!, s[2]![k]!, s[3]![k]!))
        throw new MpcProtocolError(`inconsistent shares at ${k}`);
      return add(f, mul(f, l1, s[1]![k]!), mul(f, l2, s[2]![k]!));
    });
    const result: bigint[][] = [];
    let at = 0;
    for (const v of vectors) {
      result.push(values.slice(at, at + v.length));
      at += v.length;
    }
    return result;
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
    let acc = 0n;
    for (const x of a) acc = add(this.field, acc, x);
    return [acc];
  }
  /** Inner product in one round: local Σ a_k b_k (degree 2), then one resharing of one element. */
  async dot(pairs: readonly (readonly [Shares, Shares])[]): Promise<Shares> {
    const f = this.field;
    const local = pairs.map(([a, b]) => {
      let acc = 0n;
      for (let k = 0; k < a.length; k++) acc = add(f, acc, mul(f, a[k]!, b[k]!));
      return acc;
    });
    return this.reshare(local);
  }
}
