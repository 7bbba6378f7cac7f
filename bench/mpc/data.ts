/**
 * The benchmark's synthetic cohort, the same at every party from a shared seed (AES-256-CTR
 * stream; no Math.random): hospital (party 1) app use and GP visits, insurer (party 2) yearly cost,
 * statistics office (party 3) income in k€, and pseudonyms per party for the PSI (70% common).
 */
import { createCipheriv, createHash } from 'node:crypto';

export type Cohort = {
  readonly n: number;
  readonly app: bigint[];
  readonly gp: bigint[];
  readonly cost: bigint[];
  readonly income: bigint[];
  /** per party 1..3: its pseudonyms (70% of them common to all three) */
  readonly pseudonyms: string[][];
};

export const COST_BITS = 20;
export const INCOME_BITS = 8;
export const BINS = 10;

function stream(seed: string): () => number {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16));
  let buf = Buffer.alloc(0);
  let at = 0;
  return () => {
    if (at + 4 > buf.length) {
      buf = cipher.update(Buffer.alloc(1 << 16));
      at = 0;
    }
    const v = buf.readUInt32BE(at);
    at += 4;
    return v / 2 ** 32;
  };
}

export function cohort(n: number, seed = 'ketenlog-bench-mpc'): Cohort {
  const u = stream(`${seed}:${n}`);
  const app: bigint[] = [];
  const gp: bigint[] = [];
  const cost: bigint[] = [];
  const income: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const a = u() < 0.4 ? 1 : 0;
    const inc = 15 + Math.floor(u() * 180);
    app.push(BigInt(a));
    gp.push(BigInt(Math.floor(u() * 10)));
    income.push(BigInt(inc));
    cost.push(BigInt(Math.min(2 ** COST_BITS - 1, Math.floor(3000 - 700 * a + 25 * inc + u() * 9000))));
  }
  const common = Math.round(0.7 * n);
  const id = (tag: string, i: number): string =>
    createHash('sha256').update(`${seed}:${tag}:${i}`).digest('base64url').slice(0, 22);
  const pseudonyms = [1, 2, 3].map((party) => [
    ...Array.from({ length: common }, (_, i) => id('common', i)),
    ...Array.from({ length: n - common }, (_, i) => id(`own-${party}`, i)),
  ]);
  return { n, app, gp, cost, income, pseudonyms };
}

export const bin = (cost: bigint): number => Math.min(BINS - 1, Number(cost) / 4000) | 0;
