import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { M127 } from '../mpc/field.ts';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import { dominanceTwoSixtySevenOk, maxima } from './dominance-two.ts';

function parties(): Party[] {
  const ts = inProcessTransports();
  return ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: M127, me, transport: ts[me - 1]!, specHash: 'd', timeoutMs: 5_000 }),
  );
}

/** Plaintext (2,67): the two largest hold at most 67% of the total. */
function passes(values: bigint[]): boolean {
  const sorted = [...values].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const total = values.reduce((a, b) => a + b, 0n);
  return 100n * ((sorted[0] ?? 0n) + (sorted[1] ?? 0n)) <= 67n * total;
}

describe('dominance (2,67) on shares', () => {
  it('finds the maxima of many vectors', async () => {
    const vs = [
      [5n, 9n, 2n, 9n, 1n],
      [0n],
      Array.from({ length: 37 }, () => BigInt(randomInt(0, 1 << 20))),
    ];
    const out = await Promise.all(
      parties().map(async (p) => {
        const shares = await p.input(
          vs.map((v) => ({ owner: 2 as const, count: v.length })),
          p.me === 2 ? vs : [],
        );
        return (await p.open([await maxima(p, shares, 21)]))[0];
      }),
    );
    expect(out[0]).toEqual(vs.map((v) => v.reduce((a, b) => (a > b ? a : b))));
  });

  it('equals the plaintext rule per cell, over two partitions, ties and edges included', async () => {
    // cells of partition A: 0..3; partition B: 0..1 (by parity); values chosen per cell
    const cellValues: bigint[][] = [
      [100n, 100n, 100n, 100n, 100n, 100n], // top two 33%: pass
      [500n, 300n, 100n, 100n], // 80%: fail
      [335n, 335n, 110n, 110n, 110n], // exactly 67%: pass
      [336n, 335n, 110n, 110n, 109n], // just over: fail
    ];
    const group = cellValues.flatMap((vs, g) => vs.map(() => g));
    const value = cellValues.flat();
    const n = value.length;
    const partA = [0, 1, 2, 3].map((g) => group.map((x) => (x === g ? 1n : 0n)));
    const parity = value.map((_, k) => k % 2);
    const partB = [0, 1].map((r) => parity.map((x) => (x === r ? 1n : 0n)));
    const out = await Promise.all(
      parties().map(async (p) => {
        const shares = await p.input(
          [...[...partA, ...partB].map(() => ({ owner: 1 as const, count: n })), { owner: 2 as const, count: n }],
          p.me === 1 ? [...partA, ...partB] : p.me === 2 ? [value] : [],
        );
        const bits = await dominanceTwoSixtySevenOk(p, [shares.slice(0, 4), shares.slice(4, 6)], shares[6]!, 12);
        return (await p.open([bits]))[0];
      }),
    );
    expect(out[1]).toEqual(out[0]);
    const expected = [...partA, ...partB].map((c) => (passes(value.filter((_, k) => c[k] === 1n)) ? 1n : 0n));
    expect(expected.slice(0, 4)).toEqual([1n, 0n, 1n, 0n]);
    expect(out[0]).toEqual(expected);
  });

  it('equals the plaintext rule on random cells', async () => {
    const n = 60;
    const group = Array.from({ length: n }, () => randomInt(3));
    const value = group.map((g) => BigInt(g === 0 ? randomInt(0, 50) : randomInt(0, 1 << 16)));
    const cells = [0, 1, 2].map((g) => group.map((x) => (x === g ? 1n : 0n)));
    const out = await Promise.all(
      parties().map(async (p) => {
        const shares = await p.input(
          [...cells.map(() => ({ owner: 1 as const, count: n })), { owner: 3 as const, count: n }],
          p.me === 1 ? cells : p.me === 3 ? [value] : [],
        );
        return (await p.open([await dominanceTwoSixtySevenOk(p, [shares.slice(0, 3)], shares[3]!, 16)]))[0];
      }),
    );
    expect(out[0]).toEqual(cells.map((c) => (passes(value.filter((_, k) => c[k] === 1n)) ? 1n : 0n)));
  });
});
