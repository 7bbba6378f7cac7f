/**
 * Linkage by private set intersection on pseudonyms (DESIGN.md "Analytics"), ending in
 * secret-shared columns aligned to one holder's list and a shared membership bit.
 *
 * Each holder hashes its pseudonyms onto ristretto255 (RFC 9380 hash-to-curve, RFC 9496 map) and
 * blinds them with its own secret scalar (blinding.ts: native X25519 on the point's u-coordinate);
 * the list then travels owner a → b → c → a, each hop
 * shuffling it with a fresh permutation π known to the pair (sender, receiver) only and the
 * receiver blinding it with its scalar. The holder's columns, shared at the start, follow the same
 * three permutations by a pair shuffle on shares: the pair turns its two Shamir shares into additive
 * parts (Lagrange at 0 over the pair), both permute, and both reshare to all three — one round, the
 * third party sees only fresh shares. At the end every value is H(x)^{k1·k2·k3} in an order that no
 * single party knows (each misses one of the three permutations), so the lists can be compared but
 * no entry traced to its record: every party learns the intersection size and which shuffled
 * positions match, nothing about which of its own records matched. The membership bit is therefore
 * a sharing of a public bit per shuffled position (and absent rows' columns are shares of 0); a
 * computation multiplies by it to keep only linked members.
 *
 * Only when the agreement allows it (`revealMatchesTo`) does a holder learn which of its own
 * records matched: the public match bits of its list, as shares, go back through the three pair
 * shuffles with the inverse permutations (the same pairs, in reverse order) and are then opened to
 * that holder alone.
 *
 * List sizes and column counts are public (from the spec). Rounds: 1 (columns) + 3 × 2 (hop,
 * shuffle) + 1 (final values) = 8, whatever the number of holders; 4 more to reveal matches.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { BLINDED_BYTES, blind, checkBlinded, hashPseudonyms, newBlindingKey } from './blinding.ts';
import { type Field, mul } from '../mpc/field.ts';
import type { InputSpec, Party, Shares } from '../mpc/engine.ts';
import { lagrangeAtZero, type PartyIndex } from '../mpc/shamir.ts';
import { MpcMismatchError, MpcProtocolError } from '../mpc/transport.ts';

const SEED_BYTES = 32;

/** One holder's list in the spec: who holds it, how many pseudonyms, how many columns. */
export type PsiList = { readonly owner: PartyIndex; readonly size: number; readonly columns: number };

/** This party's own list (when it is a holder): pseudonyms and one value column per spec column. */
export type PsiOwnList = {
  readonly pseudonyms: readonly string[];
  readonly columns: readonly (readonly bigint[])[];
};

export type PsiOptions = {
  /** holders the agreement allows to learn which of their own records matched (default: none) */
  readonly revealMatchesTo?: readonly PartyIndex[];
};

export type PsiResult = {
  /** number of base-list entries found in every other list */
  readonly size: number;
  /**
   * Per list this party holds and may see matched (revealMatchesTo): for each of its own rows, in
   * its own order, whether the row is in every list. Empty when the agreement allows nothing.
   */
  readonly ownMatches: ReadonlyMap<number, readonly boolean[]>;
  /** per base position (shuffled order): shared 1 when in every list */
  readonly membership: Shares;
  /** per list, per column: shares aligned to the base list (shares of 0 where absent) */
  readonly columns: Shares[][];
};

// ---- bytes carried as field elements (the engine's one message format) ----

function chunkBytes(f: Field): number {
  return Math.floor((f.bits - 1) / 8);
}

/** Field elements per `n` bytes. */
export function elementsFor(f: Field, n: number): number {
  return Math.ceil(n / chunkBytes(f));
}

export function bytesToElements(f: Field, bytes: Uint8Array, out: bigint[]): void {
  const c = chunkBytes(f);
  for (let at = 0; at < bytes.length; at += c) {
    let x = 0n;
    for (let i = at; i < Math.min(at + c, bytes.length); i++) x = (x << 8n) | BigInt(bytes[i]!);
    out.push(x);
  }
}

export function elementsToBytes(f: Field, xs: readonly bigint[], from: number, n: number): Uint8Array {
  const c = chunkBytes(f);
  const out = new Uint8Array(n);
  for (let k = 0, at = 0; at < n; k++, at += c) {
    const len = Math.min(c, n - at);
    let x = xs[from + k]!;
    if (x >> BigInt(8 * len) !== 0n) throw new MpcProtocolError('byte chunk out of range');
    for (let i = len - 1; i >= 0; i--) {
      out[at + i] = Number(x & 0xffn);
      x >>= 8n;
    }
  }
  return out;
}

// ---- permutations from a pair's seed ----

/** Fisher–Yates driven by AES-256-CTR under the seed (unbiased by rejection). */
export function permutationFromSeed(seed: Uint8Array, n: number): Uint32Array {
  const stream = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
  let buf = stream.update(Buffer.alloc(4 * (n + 16)));
  let at = 0;
  const next = (): number => {
    if (at + 4 > buf.length) {
      buf = stream.update(Buffer.alloc(4 * 1024));
      at = 0;
    }
    const v = buf.readUInt32BE(at);
    at += 4;
    return v;
  };
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = 2 ** 32 - (2 ** 32 % bound);
    let r = next();
    while (r >= limit) r = next();
    const j = r % bound;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/** The permutation that undoes `perm` under `permute`. */
export function inversePermutation(perm: Uint32Array): Uint32Array {
  const out = new Uint32Array(perm.length);
  for (let i = 0; i < perm.length; i++) out[perm[i]!] = i;
  return out;
}

/** out[i] = xs[perm[i]]. */
function permute<T>(xs: readonly T[], perm: Uint32Array): T[] {
  const out = new Array<T>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[perm[i]!]!;
  return out;
}

const next = (i: number, h: number): PartyIndex => (((((i - 1 + h) % 3) + 3) % 3) + 1) as PartyIndex;

/**
 * This party's side of the PSI over `lists` (the first is the base the output aligns to). `mine`
 * holds this party's own list per spec list it owns (in spec order).
 */
export async function privateSetIntersection(
  p: Party,
  lists: readonly PsiList[],
  mine: readonly PsiOwnList[],
  options: PsiOptions = {},
): Promise<PsiResult> {
  const f = p.field;
  if (lists.length < 2) throw new MpcMismatchError('an intersection needs at least two lists');
  const owned = lists.map((l, i) => (l.owner === p.me ? i : -1)).filter((i) => i >= 0);
  if (owned.length !== mine.length)
    throw new MpcMismatchError(`spec has ${owned.length} lists for this party, got ${mine.length}`);
  owned.forEach((li, k) => {
    const l = lists[li]!;
    const m = mine[k]!;
    if (
      m.pseudonyms.length !== l.size ||
      m.columns.length !== l.columns ||
      m.columns.some((c) => c.length !== l.size)
    )
      throw new MpcMismatchError(`list ${li} does not have the spec's ${l.size} rows × ${l.columns} columns`);
  });
  const key = newBlindingKey();

  // Round 1: every holder shares its columns (row-major per list: row r, column c at r·cols + c).
  const inputSpecs: InputSpec[] = lists.map((l) => ({ owner: l.owner, count: l.size * l.columns }));
  const inputValues = mine.map((m) => {
    const flat: bigint[] = [];
    for (let r = 0; r < m.pseudonyms.length; r++) for (const col of m.columns) flat.push(col[r]!);
    return flat;
  });
  let shared = await p.input(inputSpecs, inputValues);

  // Blinded lists this party holds right now, per list index.
  const points = new Map<number, Uint8Array[]>();
  owned.forEach((li, k) =>
    points.set(
      li,
      hashPseudonyms(mine[k]!.pseudonyms).map((u) => blind(key, u)),
    ),
  );

  const pointElements = elementsFor(f, BLINDED_BYTES);
  /** this party's own lists once back from their chain: hex encodings, fully blinded, shuffled */
  const finalOwn = new Map<number, string[]>();
  const seedElements = elementsFor(f, SEED_BYTES);
  /** per hop, per list: the pair seed of the hops this party took part in */
  const hopSeeds: Map<number, Uint8Array>[] = [];
  for (let hop = 0; hop < 3; hop++) {
    // Round A: the sender shuffles with a fresh pair permutation and sends seed and list on.
    const out = new Map<PartyIndex, bigint[]>(p.peers.map((q) => [q, []]));
    const expect = new Map<PartyIndex, number>(p.peers.map((q) => [q, 0]));
    const seeds = new Map<number, Uint8Array>();
    hopSeeds.push(seeds);
    lists.forEach((l, li) => {
      const sender = next(l.owner, hop);
      const receiver = next(l.owner, hop + 1);
      if (sender === p.me) {
        const seed = new Uint8Array(randomBytes(SEED_BYTES));
        seeds.set(li, seed);
        const shuffled = permute(points.get(li)!, permutationFromSeed(seed, l.size));
        points.delete(li);
        const to = out.get(receiver)!;
        bytesToElements(f, seed, to);
        for (const pt of shuffled) bytesToElements(f, pt, to);
      } else if (receiver === p.me)
        expect.set(sender, expect.get(sender)! + seedElements + l.size * pointElements);
    });
    const got = await p.exchange(out, expect);
    const cursor = new Map<PartyIndex, number>(p.peers.map((q) => [q, 0]));
    lists.forEach((l, li) => {
      const sender = next(l.owner, hop);
      if (next(l.owner, hop + 1) !== p.me) return;
      const xs = got.get(sender)!;
      let at = cursor.get(sender)!;
      seeds.set(li, elementsToBytes(f, xs, at, SEED_BYTES));
      at += seedElements;
      const received: Uint8Array[] = new Array<Uint8Array>(l.size);
      const encoded: string[] = new Array<string>(l.size);
      for (let r = 0; r < l.size; r++, at += pointElements) {
        const bytes = elementsToBytes(f, xs, at, BLINDED_BYTES);
        const pt = checkBlinded(bytes);
        // The last hop brings the list back to its owner, blinded by all three: kept as sent.
        if (hop < 2) received[r] = blind(key, pt);
        else encoded[r] = Buffer.from(bytes).toString('hex');
      }
      cursor.set(sender, at);
      if (hop < 2) points.set(li, received);
      else finalOwn.set(li, encoded);
    });

    // Round B: the pair shuffles the shared columns with the same permutation.
    shared = await pairShuffle(p, lists, hop, shared, (li) =>
      permutationFromSeed(seeds.get(li)!, lists[li]!.size),
    );
  }

  // Round 8: every owner shows its fully blinded, shuffled list to both peers.
  const out = new Map<PartyIndex, bigint[]>(p.peers.map((q) => [q, []]));
  const expect = new Map<PartyIndex, number>(p.peers.map((q) => [q, 0]));
  lists.forEach((l, li) => {
    if (l.owner === p.me) {
      const mineOut: bigint[] = [];
      for (const h of finalOwn.get(li)!) bytesToElements(f, Buffer.from(h, 'hex'), mineOut);
      for (const q of p.peers) for (const x of mineOut) out.get(q)!.push(x);
    } else expect.set(l.owner, expect.get(l.owner)! + l.size * pointElements);
  });
  const got = await p.exchange(out, expect);
  const cursor = new Map<PartyIndex, number>(p.peers.map((q) => [q, 0]));
  const finals: string[][] = lists.map((l, li) => {
    if (l.owner === p.me) return finalOwn.get(li)!;
    // Compared as bytes only: a value that is no canonical point cannot equal one that is.
    const xs = got.get(l.owner)!;
    let at = cursor.get(l.owner)!;
    const hexes: string[] = [];
    for (let r = 0; r < l.size; r++, at += pointElements)
      hexes.push(Buffer.from(elementsToBytes(f, xs, at, BLINDED_BYTES)).toString('hex'));
    cursor.set(l.owner, at);
    return hexes;
  });
  for (const list of finals)
    if (new Set(list).size !== list.length) throw new MpcProtocolError('a list repeats a pseudonym');

  // Alignment to the base list: public positions in shuffled order, the same at every party.
  const positions = finals.slice(1).map((list) => new Map(list.map((h, r) => [h, r] as const)));
  const base = finals[0]!;
  const membership: bigint[] = base.map((h) => (positions.every((m) => m.has(h)) ? 1n : 0n));
  const columns: Shares[][] = lists.map((l, li) => {
    const cols: Shares[] = Array.from({ length: l.columns }, () => new Array<bigint>(base.length));
    base.forEach((h, b) => {
      const r = li === 0 ? b : positions[li - 1]!.get(h);
      for (let c = 0; c < l.columns; c++)
        cols[c]![b] = r === undefined ? 0n : shared[li]![r * l.columns + c]!;
    });
    return cols;
  });
  const revealed = lists.flatMap((l, li) => (options.revealMatchesTo?.includes(l.owner) ? [li] : []));
  const ownMatches = revealed.length
    ? await revealOwnMatches(p, lists, revealed, finals, hopSeeds)
    : new Map<number, boolean[]>();
  return { size: membership.filter((m) => m === 1n).length, membership, columns, ownMatches };
}

/**
 * The pair of `hop` for every list (its sender and receiver) turns its two shares into additive
 * parts (Lagrange at 0 over the pair), both permute the rows by `perm(li)`, and both reshare to
 * all three: one round, the third party sees only fresh shares. `lists` give the row count (size)
 * and the values per row (columns); perm is asked only of a pair this party is in.
 */
async function pairShuffle(
  p: Party,
  lists: readonly PsiList[],
  hop: number,
  shared: readonly Shares[],
  perm: (li: number) => Uint32Array,
): Promise<Shares[]> {
  const f = p.field;
  const specs: InputSpec[] = [];
  const values: bigint[][] = [];
  lists.forEach((l, li) => {
    const pair = [next(l.owner, hop), next(l.owner, hop + 1)] as const;
    const count = l.size * l.columns;
    for (const owner of pair) {
      specs.push({ owner, count });
      if (owner !== p.me) continue;
      const lambda = lagrangeAtZero(f, [...pair])[pair.indexOf(owner)]!;
      const pi = perm(li);
      const src = shared[li]!;
      const part = new Array<bigint>(count);
      for (let r = 0; r < l.size; r++)
        for (let c = 0; c < l.columns; c++)
          part[r * l.columns + c] = mul(f, lambda, src[pi[r]! * l.columns + c]!);
      values.push(part);
    }
  });
  const reshared = await p.input(specs, values);
  return lists.map((_, li) => p.add(reshared[2 * li]!, reshared[2 * li + 1]!));
}

/**
 * For the lists in `revealed`: the public match bit of every final (shuffled) position, taken back
 * through the hops in reverse with the inverse permutations, then opened to the list's holder only.
 */
async function revealOwnMatches(
  p: Party,
  lists: readonly PsiList[],
  revealed: readonly number[],
  finals: readonly string[][],
  hopSeeds: readonly Map<number, Uint8Array>[],
): Promise<Map<number, boolean[]>> {
  const everywhere = finals.map((list) => new Set(list));
  const bitLists = revealed.map((li) => ({ ...lists[li]!, columns: 1 }));
  // a public bit is a (constant) sharing of itself
  let bits: Shares[] = revealed.map((li) =>
    finals[li]!.map((h) => (everywhere.every((s) => s.has(h)) ? 1n : 0n)),
  );
  for (let hop = 2; hop >= 0; hop--)
    bits = await pairShuffle(p, bitLists, hop, bits, (k) =>
      inversePermutation(permutationFromSeed(hopSeeds[hop]!.get(revealed[k]!)!, lists[revealed[k]!]!.size)),
    );
  const opened = await p.openTo(revealed.map((li, k) => ({ to: lists[li]!.owner, shares: bits[k]! })));
  const out = new Map<number, boolean[]>();
  revealed.forEach((li, k) => {
    const o = opened[k];
    if (o)
      out.set(
        li,
        o.map((b) => b === 1n),
      );
  });
  return out;
}
