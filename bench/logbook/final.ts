/**
 * bench/logbook/final: append-to-final latency in a five-node region on loopback — the time from
 * POST /logbook/statements until the statement is under a checkpoint cosigned by the region's
 * witness quorum (3 of the 4 other nodes: the demo region's first five members, each mirroring the log and judging every new entry by
 * the region's rules before it cosigns). All five nodes run in this one process on SQLite, as the
 * demo does; clients are HTTP loops that each wait for their statement's receipt.
 *
 *   node bench/logbook/final.ts [--seconds 5] [--runs 3]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startRegion } from '../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts } from '../../packages/node/src/region/testing.ts';
import type { RunningNode } from '../../packages/node/src/server.ts';
import { signedIndexStatement } from '../../packages/node/src/logbook/testing.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, runs: { type: 'string', default: '3' } },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const CONCURRENCY = [1, 16];
const TARGET_P99_MS = 1000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

const statementFor = (node: RunningNode): string =>
  JSON.stringify(
    signedIndexStatement(
      node.membership!.statementKey,
      node.membership!.organisation.ura,
      randomBytes(24).toString('base64url'),
    ),
  );

/** One client: submit, wait for the receipt, repeat; returns the latencies in ms. */
async function client(node: RunningNode, deadline: number, failures: { count: number }): Promise<number[]> {
  const url = `${node.fhirBase.replace(/\/fhir$/, '')}/logbook/statements?wait=10000`;
  const latencies: number[] = [];
  while (performance.now() < deadline) {
    const body = statementFor(node);
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 201) failures.count++;
    else latencies.push(performance.now() - started);
  }
  return latencies;
}

const files = await demoRegionOnFreePorts({ members: 5, quorum: 3 });
const region = await startRegion({ ...files, logLevel: 'fatal' });
try {
  const nodes = region.nodes;
  // Warm-up: every node's witnesses learn each other's logs.
  await Promise.all(nodes.map((n) => client(n, performance.now() + 1000, { count: 0 })));
  const rows: string[][] = [];
  for (const concurrency of CONCURRENCY) {
    const p50s: number[] = [];
    const p99s: number[] = [];
    const rates: number[] = [];
    let failed = 0;
    for (let run = 0; run < RUNS; run++) {
      const failures = { count: 0 };
      const deadline = performance.now() + SECONDS * 1000;
      const started = performance.now();
      const all = (
        await Promise.all(
          Array.from({ length: concurrency }, (_, i) => client(nodes[i % nodes.length]!, deadline, failures)),
        )
      ).flat();
      const elapsed = (performance.now() - started) / 1000;
      p50s.push(percentile(all, 50));
      p99s.push(percentile(all, 99));
      rates.push(all.length / elapsed);
      failed += failures.count;
    }
    const p99 = median(p99s);
    rows.push([
      String(concurrency),
      Math.round(median(rates)).toLocaleString('en-US'),
      median(p50s).toFixed(1),
      p99.toFixed(1),
      String(failed),
      `${(TARGET_P99_MS / p99).toFixed(1)}× ${p99 <= TARGET_P99_MS ? 'MEET' : 'MISS'}`,
    ]);
  }
  const header = ['clients', 'final statements/s', 'p50 ms', 'p99 ms', 'not final', 'vs p99 ≤ 1 s'];
  console.log(
    `\nAppend-to-final in a 5-node region (quorum ${nodes[0]?.membership?.region.witnesses.quorum}), median of ${RUNS} runs × ${SECONDS} s\n`,
  );
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  await region.close();
}
