/**
 * bench/logbook/core: the logbook's pure core, in-process — tree appends/s, inclusion proofs/s
 * and proof verifications/s — median of 5 runs after a warm-up, against the anchors
 * (an in-memory RFC 9162 tree in Node on this machine: ~60,000 appends/s, ~30,000 proofs/s).
 *
 *   node bench/logbook/core.ts [--leaves 100000]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { inclusionProof, leafHash, MemoryTreeStore, verifyInclusion } from '@ketenlog/logbook';

const { values } = parseArgs({ options: { leaves: { type: 'string', default: '100000' } } });
const N = Number(values.leaves);
const RUNS = 5;

const entries = Array.from({ length: N }, (_, i) => createHash('sha256').update(`entry ${i}`).digest());
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function perSecond(work: () => number): number {
  work(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const ops = work();
    rates.push(ops / ((performance.now() - t) / 1000));
  }
  return median(rates);
}

const tree = new MemoryTreeStore();
for (const e of entries) tree.append(leafHash(e));
const read = tree.read;
const root = tree.root();
const proofs = Array.from({ length: 10_000 }, (_, i) => {
  const index = (i * 7919) % N;
  return { index, leaf: leafHash(entries[index]!), proof: inclusionProof(index, N, read) };
});

const appends = perSecond(() => {
  const t = new MemoryTreeStore();
  for (const e of entries) t.append(leafHash(e));
  return entries.length;
});
const generated = perSecond(() => {
  for (let i = 0; i < 10_000; i++) inclusionProof((i * 7919) % N, N, read);
  return 10_000;
});
const verified = perSecond(() => {
  for (const p of proofs)
    if (!verifyInclusion(p.index, N, p.leaf, p.proof, root)) throw new Error('bad proof');
  return proofs.length;
});

console.log(`bench/logbook/core — ${N} leaves, median of ${RUNS} runs\n`);
console.log('| operation | per second | anchor | ratio |');
console.log('|---|---:|---:|---:|');
console.log(
  `| append (leaf hash + tree) | ${appends.toFixed(0)} | 60,000 | ${(appends / 60_000).toFixed(2)}× |`,
);
console.log(
  `| inclusion proof generated | ${generated.toFixed(0)} | 30,000 | ${(generated / 30_000).toFixed(2)}× |`,
);
console.log(`| inclusion proof verified | ${verified.toFixed(0)} | — | — |`);
