/**
 * bench/region/start: how long `npm start -- --reset` takes until the demo region serves (every
 * node listening with its logbook, identity, exchange and portal, and its FHIR records seeded), and
 * how long Mijn Zorg Log's pilot-scale data then takes to fill in (the start command does that in
 * the background). Also a restart on existing data. Median of several runs, each on a fresh data
 * directory. The issue asks for ready in ≤ 15 s.
 *
 *   node bench/region/start.ts [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoPopulation } from '../../packages/node/src/demo/population.ts';
import { seedDemoCarelog } from '../../packages/node/src/demo/seed-carelog.ts';
import { DEMO_CLIENTS, seedDemoRegion } from '../../packages/node/src/demo/seed-region.ts';
import { startRegion } from '../../packages/node/src/region/run-region.ts';
import { DEMO_REGION_FILE, DEMO_SECRETS_FILE } from '../../packages/node/src/region/testing.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const ready: number[] = [];
const carelog: number[] = [];
const restart: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ketenlog-start-'));
  const options = {
    regionFile: DEMO_REGION_FILE,
    secretsFile: DEMO_SECRETS_FILE,
    dataDir,
    logLevel: 'fatal' as const,
  };
  let t = performance.now();
  let region = await startRegion(options);
  await seedDemoRegion(region);
  ready.push(performance.now() - t);
  t = performance.now();
  await seedDemoCarelog(region, demoPopulation(DEMO_CLIENTS));
  carelog.push(performance.now() - t);
  await region.close();
  t = performance.now();
  region = await startRegion(options);
  await seedDemoRegion(region);
  restart.push(performance.now() - t);
  await region.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.error(`run ${run + 1}/${RUNS} done`);
}

const s = (ms: number) => (ms / 1000).toFixed(1);
console.log(`\nDemo region start (ten nodes in one process, SQLite), median of ${RUNS} runs\n`);
console.log('| step | median (s) | min–max (s) |');
console.log('|---|---:|---:|');
for (const [label, xs] of [
  ['fresh start (`--reset`) until the region serves, FHIR records seeded', ready],
  ['then Mijn Zorg Log pilot data (33 mothers, background)', carelog],
  ['restart on existing data until the region serves', restart],
] as const) {
  console.log(`| ${label} | ${s(median(xs))} | ${s(Math.min(...xs))}–${s(Math.max(...xs))} |`);
}
