import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { M127 } from '../mpc/field.ts';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import { dominanceTwoSixtySevenOk } from './dominance-two.ts';

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
  it('equals the plaintext rule per cell, over two partitions, ties and edges included', async () => {
    // cells of partition A: 0..3; partition B: 0..1 (by parity); values chosen per cell
    const cellValues: bigint[][] = [
      [100n, 100n, 100n, 100n, 100n, 100n], // top two 33%: pass
      [500n, 300n, 100n, 100n], // 80%: fail
      [335n, 335n, 110n, 110n, 110n], // exactly 67%: pass
      [336n, 335n, 110n, 110n, 109n], // just over: fail
      [700n, 10n, 10n, 10n, 10n, 10n], // one candidate, far above: fail
      [400n, 200n, 200n, 200n], // one candidate (40%), it and the next 60%: pass
      [0n, 0n, 0n], // nothing at all: pass
      [500n], // one member holds everything: fail
      [0n], // one member, nothing: pass
    ];
    const group = cellValues.flatMap((vs, g) => vs.map(() => g));
    const value = cellValues.flat();
    const n = value.length;
    const partA = cellValues.map((_, g) => group.map((x) => (x === g ? 1n : 0n)));
    const parity = value.map((_, k) => k % 2);
    const partB = [0, 1].map((r) => parity.map((x) => (x === r ? 1n : 0n)));
    const out = await Promise.all(
      parties().map(async (p) => {
        const shares = await p.input(
          [
            ...[...partA, ...partB].map(() => ({ owner: 1 as const, count: n })),
            { owner: 2 as const, count: n },
          ],
          p.me === 1 ? [...partA, ...partB] : p.me === 2 ? [value] : [],
        );
        const bits = await dominanceTwoSixtySevenOk(
          p,
          [shares.slice(0, 9), shares.slice(9, 11)],
          shares[11]!,
          12,
        );
        return (await p.open([bits]))[0];
      }),
    );
    expect(out[1]).toEqual(out[0]);
    const expected = [...partA, ...partB].map((c) => (passes(value.filter((_, k) => c[k] === 1n)) ? 1n : 0n));
    expect(expected.slice(0, 9)).toEqual([1n, 0n, 1n, 0n, 0n, 1n, 1n, 0n, 1n]);
    expect(out[0]).toEqual(expected);
  });

  it.each([0, 1, 2, 3])('equals the plaintext rule on random cells (draw %i)', async (draw) => {
    const n = 60;
    // few, skewed members per cell, so that none, one or two stand out
    const group = Array.from({ length: n }, () => randomInt(draw === 0 ? 3 : 12));
    const value = group.map((g) =>
      BigInt(
        g === 0
          ? randomInt(0, 50)
          : randomInt(0, 4) === 0
            ? randomInt(1 << 14, 1 << 16)
            : randomInt(0, 1 << 12),
      ),
    );
    const cells = Array.from({ length: draw === 0 ? 3 : 12 }, (_, g) =>
      group.map((x) => (x === g ? 1n : 0n)),
    );
    const out = await Promise.all(
      parties().map(async (p) => {
        const shares = await p.input(
          [...cells.map(() => ({ owner: 1 as const, count: n })), { owner: 3 as const, count: n }],
          p.me === 1 ? cells : p.me === 3 ? [value] : [],
        );
        return (
          await p.open([
            await dominanceTwoSixtySevenOk(p, [shares.slice(0, cells.length)], shares[cells.length]!, 16),
          ])
        )[0];
      }),
    );
    expect(out[0]).toEqual(cells.map((c) => (passes(value.filter((_, k) => c[k] === 1n)) ? 1n : 0n)));
  });
});
