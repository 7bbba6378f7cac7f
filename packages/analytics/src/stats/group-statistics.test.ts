import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { M61 } from '../mpc/field.ts';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import { groupStatistics } from './group-statistics.ts';

describe('group statistics with minimum cell size on shares', () => {
  it('equals plaintext for released cells and suppresses cells under 10 without opening them', async () => {
    // group sizes: 40, 9 (suppressed), 10 (released, at the threshold), 0 (suppressed)
    const sizes = [40, 9, 10, 0];
    const group: number[] = sizes.flatMap((s, g) => Array<number>(s).fill(g));
    const n = group.length;
    const values = group.map(() => BigInt(randomInt(0, 5000)));
    const oneHot = sizes.map((_, g) => group.map((x) => (x === g ? 1n : 0n)));
    const ts = inProcessTransports();
    const ps = ([1, 2, 3] as PartyIndex[]).map(
      (me) => new Party({ field: M61, me, transport: ts[me - 1]!, specHash: 'h' }),
    );
    const res = await Promise.all(
      ps.map(async (p) => {
        // party 1 (hospital) owns the grouping, party 2 (insurer) the values
        const shares = await p.input(
          [
            ...sizes.map(() => ({ owner: 1 as const, count: n })),
            { owner: 2, count: n },
            { owner: 2, count: n },
          ],
          p.me === 1 ? oneHot : p.me === 2 ? [values, values.map((v) => v * v)] : [],
        );
        return groupStatistics(
          p,
          shares.slice(0, sizes.length),
          shares[sizes.length]!,
          shares[sizes.length + 1]!,
        );
      }),
    );
    expect(res[0]).toEqual(res[1]);
    expect(res[1]).toEqual(res[2]);
    const r = res[0]!;
    expect(r[1]).toEqual({ suppressed: true });
    expect(r[3]).toEqual({ suppressed: true });
    for (const g of [0, 2]) {
      const vs = values.filter((_, k) => group[k] === g).map(Number);
      const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
      const variance = vs.reduce((a, b) => a + (b - mean) ** 2, 0) / (vs.length - 1);
      const cell = r[g]!;
      if (cell.suppressed) throw new Error('expected released');
      expect(cell.count).toBe(BigInt(vs.length));
      expect(cell.sum).toBe(BigInt(vs.reduce((a, b) => a + b, 0)));
      expect(cell.mean).toBeCloseTo(mean, 9);
      expect(Math.abs(cell.variance - variance) / variance).toBeLessThan(1e-9);
    }
    // one input, one dot; the comparison: the masks, the opening to parties 2 and 3 with the sign
    // bit's product, 1 bitwise product round, 3 tree levels, the zero test; open pass bits, open cells
    expect(ps[0]!.stats.rounds).toBe(11);
  });
});
