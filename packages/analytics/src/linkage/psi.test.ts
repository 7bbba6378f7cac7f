import { describe, expect, it } from 'vitest';
import { randomBytes, randomInt } from 'node:crypto';
import { ed25519, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { M61, M127, type Field } from '../mpc/field.ts';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports, MpcProtocolError, type Transport } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import {
  bytesToElements,
  elementsToBytes,
  inversePermutation,
  permutationFromSeed,
  privateSetIntersection,
  type PsiList,
  type PsiOwnList,
} from './psi.ts';
import { blind, checkBlinded, hashPseudonyms, newBlindingKey } from './blinding.ts';

const pseudonym = (): string => randomBytes(16).toString('base64url');

function parties(f: Field, transports: Transport[] = inProcessTransports(), timeoutMs = 5_000): Party[] {
  return ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: f, me, transport: transports[me - 1]!, specHash: 'psi', timeoutMs }),
  );
}

/** Holder lists with `overlap` of the base's pseudonyms in every other list, rows in random order. */
function population(owners: PartyIndex[], size: number, overlap: number) {
  const shared = Array.from({ length: overlap }, pseudonym);
  const lists = owners.map((owner) => {
    const ids = [...shared, ...Array.from({ length: size - overlap }, pseudonym)];
    for (let i = ids.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const value = new Map(ids.map((id) => [id, BigInt(randomInt(0, 1 << 20))] as const));
    return { owner, ids, value };
  });
  return { shared, lists };
}

async function run(f: Field, owners: PartyIndex[], size: number, overlap: number, ps = parties(f)) {
  const pop = population(owners, size, overlap);
  const spec: PsiList[] = pop.lists.map((l) => ({ owner: l.owner, size, columns: 1 }));
  const results = await Promise.all(
    ps.map(async (p) => {
      const mine: PsiOwnList[] = pop.lists
        .filter((l) => l.owner === p.me)
        .map((l) => ({ pseudonyms: l.ids, columns: [l.ids.map((id) => l.value.get(id)!)] }));
      const r = await privateSetIntersection(p, spec, mine);
      const opened = await p.open([r.membership, ...r.columns.flat()]);
      return { r, opened };
    }),
  );
  return { pop, results };
}

describe('private set intersection on pseudonyms (ristretto255, shuffled DH chain)', () => {
  it.each([
    ['two holders in M127', M127, [1, 2] as PartyIndex[]],
    ['three holders in M61', M61, [1, 2, 3] as PartyIndex[]],
  ])('finds the plaintext intersection with aligned shared columns: %s', async (_what, f, owners) => {
    const size = 60;
    const overlap = 42;
    const { pop, results } = await run(f, owners, size, overlap);
    for (const { r, opened } of results) {
      expect(r.size).toBe(overlap);
      expect(opened).toEqual(results[0]!.opened);
    }
    const [membership, ...cols] = results[0]!.opened as bigint[][];
    expect(membership!.filter((m) => m === 1n).length).toBe(overlap);
    // Linked rows: the base value and every other holder's value of one pseudonym, per row.
    const expected = pop.shared.map((id) => pop.lists.map((l) => l.value.get(id)!).join(',')).sort();
    const got = membership!
      .map((m, b) => (m === 1n ? cols.map((c) => c[b]!).join(',') : undefined))
      .filter((x): x is string => x !== undefined)
      .sort();
    expect(got).toEqual(expected);
    // Absent rows carry zeros in the other holders' columns; the base keeps all its own values.
    membership!.forEach((m, b) => {
      if (m === 0n) for (const c of cols.slice(1)) expect(c[b]).toBe(0n);
    });
    expect([...cols[0]!].sort()).toEqual([...pop.lists[0]!.value.values()].sort());
  });

  it('leaves the aligned rows in an order no party chose: two runs over the same lists differ', async () => {
    const pop = population([1, 2], 40, 40);
    const order = async () => {
      const ps = parties(M61);
      const spec: PsiList[] = pop.lists.map((l) => ({ owner: l.owner, size: 40, columns: 1 }));
      const [first] = await Promise.all(
        ps.map(async (p) => {
          const mine = pop.lists
            .filter((l) => l.owner === p.me)
            .map((l) => ({ pseudonyms: l.ids, columns: [l.ids.map((id) => l.value.get(id)!)] }));
          const r = await privateSetIntersection(p, spec, mine);
          return (await p.open([r.columns[0]![0]!]))[0]!;
        }),
      );
      return first!;
    };
    const a = await order();
    const b = await order();
    const input = pop.lists[0]!.ids.map((id) => pop.lists[0]!.value.get(id)!);
    expect([...a].sort()).toEqual([...input].sort());
    expect(a).not.toEqual(input);
    expect(a).not.toEqual(b);
  });

  it('tells a holder which of its own records matched only when the agreement allows it, and no one else', async () => {
    const size = 30;
    const pop = population([1, 2, 3], size, 18);
    const spec: PsiList[] = pop.lists.map((l) => ({ owner: l.owner, size, columns: 1 }));
    const ps = parties(M61);
    const results = await Promise.all(
      ps.map(async (p) => {
        const mine = pop.lists
          .filter((l) => l.owner === p.me)
          .map((l) => ({ pseudonyms: l.ids, columns: [l.ids.map((id) => l.value.get(id)!)] }));
        const r = await privateSetIntersection(p, spec, mine, { revealMatchesTo: [2] });
        return { r, rounds: p.stats.rounds };
      }),
    );
    const shared = new Set(pop.shared);
    // the insurer (party 2, list 1) learns exactly its matched rows, in its own order
    expect(results[1]!.r.ownMatches.get(1)).toEqual(pop.lists[1]!.ids.map((id) => shared.has(id)));
    // the other holders learn nothing of the kind; everyone took the same 8 + 4 rounds
    expect(results[0]!.r.ownMatches.size).toBe(0);
    expect(results[2]!.r.ownMatches.size).toBe(0);
    for (const { rounds } of results) expect(rounds).toBe(12);
  });

  it('inverts a permutation', () => {
    const perm = permutationFromSeed(new Uint8Array(32).fill(3), 50);
    const inv = inversePermutation(perm);
    const xs = Array.from({ length: 50 }, (_, i) => i * 7);
    const there = Array.from(perm, (j) => xs[j]!);
    expect(Array.from(inv, (j) => there[j]!)).toEqual(xs);
  });

  it('shuffles by a seed-determined, uniform-looking permutation', () => {
    const seed = new Uint8Array(32).fill(7);
    const p = permutationFromSeed(seed, 1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(permutationFromSeed(seed, 1000)).toEqual(p);
    expect(permutationFromSeed(new Uint8Array(32).fill(8), 1000)).not.toEqual(p);
    expect([...p].filter((v, i) => v === i).length).toBeLessThan(10);
  });

  it('blinds commutatively, whatever Edwards representative the ristretto255 point has', () => {
    const [k1, k2] = [newBlindingKey(), newBlindingKey()];
    const [u] = hashPseudonyms(['pseudonym-1']);
    expect(blind(k1, blind(k2, u!))).toEqual(blind(k2, blind(k1, u!)));
    expect(blind(k1, u!)).not.toEqual(blind(k2, u!));
    // the same element with a 4-torsion point added to its representative blinds the same
    const P = ristretto255_hasher.hashToCurve(new TextEncoder().encode('pseudonym-1'), {
      DST: 'ketenlog-psi-v1',
    });
    const Fp = ed25519.Point.Fp;
    const T4 = ed25519.Point.fromAffine({ x: Fp.sqrt(Fp.neg(1n)), y: 0n });
    const other = ed25519.Point.fromAffine(P.toAffine()).add(T4).toAffine();
    const uOther = Fp.mul(Fp.add(1n, other.y), Fp.inv(Fp.sub(1n, other.y)));
    const bytes = new Uint8Array(32);
    for (let i = 0, x = uOther; i < 32; i++, x >>= 8n) bytes[i] = Number(x & 0xffn);
    expect(bytes).not.toEqual(u);
    expect(blind(k1, bytes)).toEqual(blind(k1, u!));
  });

  it('refuses blinded values that are not canonical, on the twist or of low order', () => {
    const [u] = hashPseudonyms(['pseudonym-2']);
    expect(checkBlinded(u!)).toEqual(u);
    expect(() => checkBlinded(new Uint8Array(32).fill(0xff))).toThrow(/canonical/);
    const twist = new Uint8Array(32);
    twist[0] = 2; // u = 2: 2³ + A·2² + 2 is not a square mod 2^255 − 19
    expect(() => checkBlinded(twist)).toThrow(/not a point/);
    expect(() => blind(newBlindingKey(), new Uint8Array(32))).toThrow(/low order/);
    for (const f of [M61, M127]) {
      const xs: bigint[] = [];
      bytesToElements(f, u!, xs);
      expect(elementsToBytes(f, xs, 0, 32)).toEqual(u);
      xs[0] = f.p - 1n;
      expect(() => elementsToBytes(f, xs, 0, 32)).toThrow(MpcProtocolError);
    }
  });

  it('fails the run when a party sends a point that is not on the group', async () => {
    const ts = inProcessTransports();
    // Party 2 garbles the list it forwards to party 3 in the first hop (round 2).
    const inner = ts[1]!;
    ts[1] = {
      ...inner,
      send: (msg) => {
        if (msg.round !== 2 || msg.to !== 3 || msg.count === 0) return inner.send(msg);
        const body = new Uint8Array(msg.body);
        body.fill(0xff, 8 * 5, 8 * 10); // the first point's five M61 chunks
        return inner.send({ ...msg, body });
      },
    };
    const spec: PsiList[] = [
      { owner: 1, size: 5, columns: 0 },
      { owner: 2, size: 5, columns: 0 },
    ];
    // The others wait for the failed party's next message until their timeout.
    const ps = parties(M61, ts, 500);
    const outcome = await Promise.allSettled(
      ps.map((p) =>
        privateSetIntersection(
          p,
          spec,
          p.me === 3 ? [] : [{ pseudonyms: Array.from({ length: 5 }, pseudonym), columns: [] }],
        ),
      ),
    );
    expect(outcome[2]!.status).toBe('rejected');
    expect(String((outcome[2] as PromiseRejectedResult).reason)).toMatch(/MpcProtocolError|range|ristretto/);
  });
});
