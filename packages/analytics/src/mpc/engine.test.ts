import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { M127, M61, type Field, mod, mul, add, randomElements } from './field.ts';
import { fastDot } from './dot.ts';
import { Party } from './engine.ts';
import { MpcMismatchError, MpcTimeoutError, inProcessTransports } from './transport.ts';
import { reconstruct, type PartyIndex } from './shamir.ts';
import { seedElementCount } from './prss.ts';
import { unpack } from './codec.ts';

function parties(f: Field, hashes: [string, string, string] = ['h', 'h', 'h'], timeoutMs = 2000): Party[] {
  const ts = inProcessTransports();
  return ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: f, me, transport: ts[me - 1]!, specHash: hashes[me - 1]!, timeoutMs }),
  );
}
function rnd(f: Field, n: number, bits = 32): bigint[] {
  return Array.from({ length: n }, () => mod(f, BigInt('0x' + randomBytes(bits / 8).toString('hex'))));
}

describe.each([M61, M127])('engine over $name', (f) => {
  it('inputs from all three owners, products and sums equal plaintext (property, 300 random values)', async () => {
    const n = 300;
    const [a, b, c] = [rnd(f, n), rnd(f, n), rnd(f, n)];
    const ps = parties(f);
    const specs = [
      { owner: 1 as const, count: n },
      { owner: 2 as const, count: n },
      { owner: 3 as const, count: n },
    ];
    const out = await Promise.all(
      ps.map(async (p) => {
        const [sa, sb, sc] = await p.input(specs, [[a, b, c][p.me - 1]!]);
        const [ab, bc] = await p.mul([
          [sa!, sb!],
          [sb!, sc!],
        ]);
        const abc = (await p.mul([[ab!, sc!]]))[0]!;
        const dot = await p.dot([[sa!, sc!]]);
        const lin = p.addConst(p.scale(p.sub(p.add(sa!, sb!), sc!), 3n), 7n);
        const opened = await p.open([ab!, bc!, abc, dot, lin, p.sum(sa!)]);
        return { opened, stats: p.stats };
      }),
    );
    const want = [
      a.map((x, k) => mul(f, x, b[k]!)),
      b.map((x, k) => mul(f, x, c[k]!)),
      a.map((x, k) => mul(f, mul(f, x, b[k]!), c[k]!)),
      [a.reduce((s, x, k) => add(f, s, mul(f, x, c[k]!)), 0n)],
      a.map((x, k) => mod(f, 3n * (x + b[k]! - c[k]!) + 7n)),
      [a.reduce((s, x) => add(f, s, x), 0n)],
    ];
    for (const o of out) expect(o.opened).toEqual(want);
    // input 1 + mul 1 + mul 1 + dot 1 + open 1 = 5 rounds, 2 messages each
    for (const o of out) expect(o.stats).toMatchObject({ rounds: 5, messagesSent: 10 });
  });
});

describe('metadata disagreements fail loudly', () => {
  it('different spec hash → MpcMismatchError', async () => {
    const ps = parties(M61, ['h', 'h', 'other']);
    const rs = await Promise.allSettled(
      ps.map((p) => p.input([{ owner: 1, count: 2 }], p.me === 1 ? [[1n, 2n]] : [])),
    );
    expect(rs.some((r) => r.status === 'rejected' && r.reason instanceof MpcMismatchError)).toBe(true);
  });
  it('different shapes → MpcMismatchError, not a hang', async () => {
    const ps = parties(M61);
    const rs = await Promise.allSettled(
      ps.map((p) => p.input([{ owner: 1, count: p.me === 3 ? 3 : 2 }], p.me === 1 ? [[1n, 2n]] : [])),
    );
    const r3 = rs[2]!;
    expect(r3.status === 'rejected' && r3.reason instanceof MpcMismatchError).toBe(true);
  });
  it('owner data not matching the spec shape is refused before anything is sent', async () => {
    const [p1] = parties(M61);
    await expect(p1!.input([{ owner: 1, count: 3 }], [[1n]])).rejects.toBeInstanceOf(MpcMismatchError);
  });
  it('bytes riding on a round arrive with it; a rider of another length than agreed fails the run', async () => {
    const ps = parties(M61);
    const ride = (p: Party, bytes: number, expect: number) =>
      p.piggyback(
        new Map(p.peers.map((x) => [x, new Uint8Array(bytes).fill(p.me)])),
        new Map(p.peers.map((x) => [x, expect])),
        () => p.input([{ owner: 1, count: 2 }], p.me === 1 ? [[1n, 2n]] : []),
      );
    const ok = await Promise.all(ps.map((p) => ride(p, 3, 3)));
    ok.forEach(([, got], k) => {
      for (const [from, body] of got) expect([...body]).toEqual([from, from, from]);
      expect(got.size).toBe(2);
      expect(ps[k]!.stats.rounds).toBe(2); // the seed round, then one round carrying both
    });
    const rs = await Promise.allSettled(ps.map((p) => ride(p, p.me === 2 ? 5 : 3, 3)));
    expect(rs.some((r) => r.status === 'rejected' && /bytes/.test(String(r.reason)))).toBe(true);
    await expect(ps[0]!.piggyback(new Map(), new Map(), async () => 1)).rejects.toThrow(/no round/);
  });
  it('a silent peer → MpcTimeoutError', async () => {
    const ps = parties(M61, ['h', 'h', 'h'], 100);
    const rs = await Promise.allSettled([ps[0]!.open([[1n]]), ps[1]!.open([[1n]])]);
    for (const r of rs) expect(r.status === 'rejected' && r.reason instanceof MpcTimeoutError).toBe(true);
  });
});

describe.each([M61, M127])('pseudo-random sharing in the engine over $name', (f) => {
  it('inputs reach one peer as a stream, the other by message: half the bytes of two messages', async () => {
    const n = 1000;
    const ps = parties(f);
    const values = rnd(f, n);
    const out = await Promise.all(
      ps.map(async (p) => {
        const [x] = await p.input([{ owner: 2, count: n }], p.me === 2 ? [values] : []);
        return { opened: (await p.open([x!]))[0], bytes: p.stats.bytesSent };
      }),
    );
    for (const o of out) expect(o.opened).toEqual(values);
    const width = f.bits <= 64 ? 8 : 16;
    // the owner's round 1 carries n shares to one peer plus a seed to each; open sends n to each
    expect(out[1]!.bytes).toBe(n * width + 2 * seedElementCount(f) * width + 2 * n * width);
  });
  it('inner products and degree-1 sums open in one round, without resharing', async () => {
    const n = 500;
    const [a, b] = [rnd(f, n), rnd(f, n)];
    const ps = parties(f);
    const out = await Promise.all(
      ps.map(async (p) => {
        const [sa, sb] = await p.input(
          [
            { owner: 1, count: n },
            { owner: 3, count: n },
          ],
          p.me === 1 ? [a] : p.me === 3 ? [b] : [],
        );
        const before = p.stats.rounds;
        const opened = await p.openProducts([
          ...p.localDot([
            [sa!, sb!],
            [sa!, sa!],
          ]),
          p.sum(sb!)[0]!,
        ]);
        return { opened, rounds: p.stats.rounds - before };
      }),
    );
    const dot = (x: bigint[], y: bigint[]): bigint => x.reduce((s, v, k) => add(f, s, mul(f, v, y[k]!)), 0n);
    const want = [dot(a, b), dot(a, a), b.reduce((s, v) => add(f, s, v), 0n)];
    for (const o of out) expect(o).toEqual({ opened: want, rounds: 1 });
  });
  it('what a party sends to open a product is masked: the same secret gives other messages each run', async () => {
    const sent: bigint[][] = [];
    for (let run = 0; run < 2; run++) {
      const ts = inProcessTransports();
      const seen: bigint[] = [];
      const spy = {
        ...ts[0],
        send: (m: Parameters<(typeof ts)[0]['send']>[0]) => (
          seen.push(...unpack(f, m.body, m.count)),
          ts[0].send(m)
        ),
      };
      const ps = ([1, 2, 3] as PartyIndex[]).map(
        (me) => new Party({ field: f, me, transport: me === 1 ? spy : ts[me - 1]!, specHash: 'h' }),
      );
      await Promise.all(ps.map((p) => p.openProducts([p.me === 1 ? 42n : 0n])));
      sent.push(seen.slice(0, 1));
    }
    expect(sent[0]).not.toEqual(sent[1]);
  });
  it('random sharings need no message once the seeds are there, and all parties agree on them', async () => {
    const ps = parties(f);
    const out = await Promise.all(
      ps.map(async (p) => {
        await p.open([[1n]]);
        const before = p.stats.messagesSent;
        const r = await p.random(20);
        const sent = p.stats.messagesSent - before;
        return { opened: (await p.open([r]))[0], sent };
      }),
    );
    expect(out[0]!.sent).toBe(0);
    expect(out[1]!.opened).toEqual(out[0]!.opened);
    expect(new Set(out[0]!.opened).size).toBe(20);
  });
  it('a first operation that needs the seeds runs the seed round first, at every party', async () => {
    const ps = parties(f);
    const out = await Promise.all(ps.map(async (p) => ({ r: await p.random(3), rounds: p.stats.rounds })));
    for (const o of out) expect(o.rounds).toBe(1);
    expect(reconstruct(f, [1, 2], [out[0]!.r, out[1]!.r])).toEqual(
      reconstruct(f, [2, 3], [out[1]!.r, out[2]!.r]),
    );
  });
});

describe('opening to one party', () => {
  it('only the party it is opened to learns the values, in one round', async () => {
    const ps = parties(M61);
    const out = await Promise.all(
      ps.map(async (p) => {
        const [a, b] = await p.input(
          [
            { owner: 1, count: 3 },
            { owner: 2, count: 2 },
          ],
          p.me === 1 ? [[5n, 6n, 7n]] : p.me === 2 ? [[8n, 9n]] : [],
        );
        const before = p.stats.rounds;
        const opened = await p.openTo([
          { to: 3, shares: a! },
          { to: 1, shares: b! },
          { to: 3, shares: b! },
        ]);
        return { opened, rounds: p.stats.rounds - before };
      }),
    );
    expect(out[2]!.opened).toEqual([[5n, 6n, 7n], undefined, [8n, 9n]]);
    expect(out[0]!.opened).toEqual([undefined, [8n, 9n], undefined]);
    expect(out[1]!.opened).toEqual([undefined, undefined, undefined]);
    for (const o of out) expect(o.rounds).toBe(1);
  });
});

describe('inner products at machine speed (2^61 − 1)', () => {
  it('equal the BigInt sum at the field edge, for reused vectors, and fall back for unreduced values', () => {
    const slow = (a: bigint[], b: bigint[], f = M61) =>
      mod(
        f,
        a.reduce((s, x, k) => s + x * b[k]!, 0n),
      );
    const top = Array.from({ length: 70_000 }, () => M61.p - 1n);
    expect(fastDot(M61, top, top)).toBe(slow(top, top));
    const a = randomElements(M61, 5000);
    const b = randomElements(M61, 5000);
    expect(fastDot(M61, a, b)).toBe(slow(a, b));
    expect(fastDot(M61, a, b)).toBe(slow(a, b)); // the words of a and b come from the cache
    expect(fastDot(M61, [], [])).toBe(0n);
    expect(fastDot(M61, [-1n], [1n])).toBeUndefined();
    expect(fastDot(M61, [1n], [1n, 2n])).toBeUndefined();
    const c = randomElements(M127, 10);
    expect(fastDot(M127, c, c)).toBeUndefined();
  });
});
