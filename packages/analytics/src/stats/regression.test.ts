import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { M127, M1279, M521, type Field } from '../mpc/field.ts';
import { Party } from '../mpc/engine.ts';
import { inProcessTransports } from '../mpc/transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import { reconstructRational, rationalToNumber } from '../mpc/rational.ts';
import { linearRegression, regressionField, type RegressionBounds } from './regression.ts';
import { plaintextOls } from './ols-plaintext.ts';

async function secureOls(f: Field, X: bigint[][], y: bigint[], bounds: RegressionBounds) {
  const n = y.length;
  const ts = inProcessTransports();
  const ps = ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Party({ field: f, me, transport: ts[me - 1]!, specHash: 'ols', timeoutMs: 5_000 }),
  );
  return Promise.all(
    ps.map(async (p) => {
      // hospital: app use; statistics office: income; insurer: cost
      const [app, income, cost] = await p.input(
        [
          { owner: 1, count: n },
          { owner: 3, count: n },
          { owner: 2, count: n },
        ],
        p.me === 1 ? [X.map((r) => r[1]!)] : p.me === 3 ? [X.map((r) => r[2]!)] : [y],
      );
      const one = new Array<bigint>(n).fill(1n);
      const r = await linearRegression(p, [one, app!, income!], cost!, bounds);
      return { r, rounds: p.stats.rounds };
    }),
  );
}

function data(n: number) {
  const X: bigint[][] = [];
  const y: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const app = BigInt(randomInt(2));
    const income = BigInt(randomInt(15, 120)); // k€
    X.push([1n, app, income]);
    y.push(BigInt(Math.max(0, 4000 - 650 * Number(app) + 9 * Number(income) + randomInt(-1500, 1500))));
  }
  return { X, y };
}

describe('linear regression solved inside the computation', () => {
  it('equals plaintext OLS within 1e-6 (coefficients and standard errors), opening only those', async () => {
    const n = 800;
    const { X, y } = data(n);
    const bounds = { rows: n, xBits: [1, 1, 7], yBits: 20 };
    const f = regressionField(bounds);
    expect(f).toBe(M521);
    const results = await secureOls(f, X, y, bounds);
    const plain = plaintextOls(
      X.map((r) => r.map(Number)),
      y.map(Number),
    );
    for (const { r } of results) expect(r).toEqual(results[0]!.r);
    const { r, rounds } = results[0]!;
    r.coefficients.forEach((b, j) => expect(Math.abs(b - plain.beta[j]!)).toBeLessThan(1e-6));
    r.standardErrors.forEach((s, j) => expect(Math.abs(s - plain.se[j]!)).toBeLessThan(1e-6));
    expect(r.coefficients[1]).toBeLessThan(0);
    expect(rounds).toBe(1 + 4);
  });

  it('fails loudly on collinear regressors', async () => {
    const n = 50;
    const { X, y } = data(n);
    const collinear = X.map((r) => [r[0]!, r[1]!, 3n * r[1]!]);
    const bounds = { rows: n, xBits: [1, 2, 2], yBits: 20 };
    await expect(secureOls(regressionField(bounds), collinear, y, bounds)).rejects.toThrow(/singular/);
  });

  it('picks a field wide enough for the exact fractions', () => {
    expect(regressionField({ rows: 43_500, xBits: [1, 1, 8], yBits: 20 })).toBe(M521);
    expect(regressionField({ rows: 43_500, xBits: [1, 1, 17], yBits: 20 })).toBe(M1279);
    expect(regressionField({ rows: 100, xBits: [1, 1], yBits: 8 })).toBe(M127);
    expect(() => regressionField({ rows: 43_500, xBits: [1, 1, 40, 40, 40, 40], yBits: 40 })).toThrow();
  });

  it('recovers signed fractions from a field element', () => {
    const f = M127;
    for (const [num, den] of [
      [-7n, 3n],
      [123456789n, 1000003n],
      [0n, 1n],
    ] as const) {
      const u = (((num % f.p) + f.p) * powInv(f, den)) % f.p;
      expect(reconstructRational(f, u, 40, 40)).toEqual({ num, den });
    }
    expect(rationalToNumber({ num: 1n << 600n, den: 3n << 600n })).toBeCloseTo(1 / 3, 15);
  });
});

function powInv(f: Field, a: bigint): bigint {
  let r = 1n;
  let b = a % f.p;
  let e = f.p - 2n;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % f.p;
    b = (b * b) % f.p;
    e >>= 1n;
  }
  return r;
}
