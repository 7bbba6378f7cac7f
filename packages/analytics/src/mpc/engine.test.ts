import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { M127, M61, type Field, mod, mul, add } from './field.ts';
import { Party } from './engine.ts';
import { MpcMismatchError, MpcTimeoutError, inProcessTransports } from './transport.ts';
import type { PartyIndex } from './shamir.ts';

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
  it('a silent peer → MpcTimeoutError', async () => {
    const ps = parties(M61, ['h', 'h', 'h'], 100);
    const rs = await Promise.allSettled([ps[0]!.open([[1n]]), ps[1]!.open([[1n]])]);
    for (const r of rs) expect(r.status === 'rejected' && r.reason instanceof MpcTimeoutError).toBe(true);
  });
});
