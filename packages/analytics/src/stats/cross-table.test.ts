import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { M61 } from '../mpc/field.ts';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import { crossTable, pearsonChiSquare } from './cross-table.ts';

const oneHot = (xs: number[], k: number): bigint[][] =>
  Array.from({ length: k }, (_, c) => xs.map((x) => (x === c ? 1n : 0n)));

async function table(a: number[], b: number[], ka: number, kb: number) {
  const n = a.length;
  const ts = inProcessTransports();
  const ps = ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: M61, me, transport: ts[me - 1]!, specHash: 'x', timeoutMs: 5_000 }),
  );
  const out = await Promise.all(
    ps.map(async (p) => {
      const shares = await p.input(
        [
          ...Array.from({ length: ka }, () => ({ owner: 1 as const, count: n })),
          ...Array.from({ length: kb }, () => ({ owner: 3 as const, count: n })),
        ],
        p.me === 1 ? oneHot(a, ka) : p.me === 3 ? oneHot(b, kb) : [],
      );
      return crossTable(p, shares.slice(0, ka), shares.slice(ka), { minCell: 10, countBits: 16 });
    }),
  );
  expect(out[1]).toEqual(out[0]);
  expect(out[2]).toEqual(out[0]);
  return out[0]!;
}

describe('cross-tables and chi-square from secure counts', () => {
  it('equals the plaintext table and chi-square when every cell passes', async () => {
    const n = 600;
    const a = Array.from({ length: n }, () => randomInt(2));
    const b = a.map((x) => (randomInt(10) < 3 + 3 * x ? 0 : randomInt(1, 3)));
    const r = await table(a, b, 2, 3);
    const plain = [0, 1].map((i) => [0, 1, 2].map((j) => a.filter((x, k) => x === i && b[k] === j).length));
    expect(r.cells).toEqual(plain.map((row) => row.map((count) => ({ suppressed: false, count }))));
    expect(r.chiSquare!.degreesOfFreedom).toBe(2);
    expect(r.chiSquare!.statistic).toBeCloseTo(pearsonChiSquare(plain).statistic, 9);
  });

  it('suppresses cells under 10 and then the chi-square as well', async () => {
    // row 1 × column 1 holds 9 members
    const a = [...Array<number>(40).fill(0), ...Array<number>(30).fill(1)];
    const b = [
      ...Array<number>(20).fill(0),
      ...Array<number>(20).fill(1),
      ...Array<number>(21).fill(0),
      ...Array<number>(9).fill(1),
    ];
    const r = await table(a, b, 2, 2);
    expect(r.cells).toEqual([
      [
        { suppressed: false, count: 20 },
        { suppressed: false, count: 20 },
      ],
      [{ suppressed: false, count: 21 }, { suppressed: true }],
    ]);
    expect(r.chiSquare).toBeUndefined();
  });

  it('computes Pearson chi-square like the textbook', () => {
    // 2×2 example: [[10, 20], [30, 40]] → χ² ≈ 0.7937
    expect(
      pearsonChiSquare([
        [10, 20],
        [30, 40],
      ]).statistic,
    ).toBeCloseTo(0.79365, 4);
  });
});
