/**
 * bench/region/scale: per-node costs at 1×, 10× and 100× the demo data, for the node types that
 * hold the most (the GP: every client; the hospital: IBD lab series). Each size runs on a fresh
 * node on SQLite: seeding throughput, database bytes per resource, read / search / $everything
 * latency (median of several runs), and the process's RSS. docs/scaling.md extrapolates from these.
 *
 *   node bench/region/scale.ts [--factors 1,10,100] [--runs 200]
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bundle } from '@medplum/fhirtypes';
import { loadRegionConfig } from '@ketenlog/region';
import { demoPopulation } from '../../packages/node/src/demo/population.ts';
import { seedBundle } from '../../packages/node/src/demo/seed.ts';
import { DEMO_REGION_FILE } from '../../packages/node/src/region/testing.ts';
import { loadFhirModel, startNode } from '../../packages/node/src/server.ts';

const { values } = parseArgs({
  options: { factors: { type: 'string', default: '1,10,100' }, runs: { type: 'string', default: '200' } },
});
const FACTORS = values.factors.split(',').map(Number);
const RUNS = Number(values.runs);
const DEMO_CLIENTS = 40;
const region = loadRegionConfig(DEMO_REGION_FILE);
const model = loadFhirModel();
const TYPES = [
  { label: 'GP (huisarts)', ura: '11110008' },
  { label: 'hospital (ziekenhuis)', ura: '11110003' },
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? NaN;
const dirBytes = (dir: string): number =>
  readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

function chunks(bundle: Bundle, size: number): Bundle[] {
  const entries = bundle.entry ?? [];
  const out: Bundle[] = [];
  for (let i = 0; i < entries.length; i += size) {
    out.push({ resourceType: 'Bundle', type: 'transaction', entry: entries.slice(i, i + size) });
  }
  return out;
}

async function timeAll(urls: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const url of urls) {
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

const rows: string[][] = [];
for (const type of TYPES) {
  const organisation = region.organisations.find((o) => o.ura === type.ura)!;
  for (const factor of FACTORS) {
    const clients = DEMO_CLIENTS * factor;
    const population = demoPopulation(clients);
    const bundle = seedBundle(region, organisation, population)!;
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-scale-'));
    const node = await startNode(
      {
        node: organisation.node.id,
        organisation: { ura: organisation.ura, name: organisation.name, type: organisation.type },
        listen: { host: '127.0.0.1', port: 0 },
        database: join(dir, 'fhir.sqlite'),
        fhir: { source: 'local' },
        log: { level: 'fatal' },
        maxBodyBytes: 64 * 1024 * 1024,
      },
      { model },
    );
    try {
      const resources = bundle.entry!.length;
      const started = performance.now();
      for (const part of chunks(bundle, 1000)) await node.repository.processBundle(part, node.fhirBase);
      const seedSeconds = (performance.now() - started) / 1000;
      const patients = bundle
        .entry!.filter((e) => e.resource!.resourceType === 'Patient')
        .map((e) => e.resource!.id!);
      const sample = Array.from({ length: RUNS }, (_, i) => patients[(i * 7919) % patients.length]);
      const read = await timeAll(sample.map((id) => `${node.fhirBase}/Patient/${id}`));
      const search = await timeAll(
        sample.map((id) => `${node.fhirBase}/Observation?patient=${id}&_count=50`),
      );
      const everything = await timeAll(
        sample.slice(0, RUNS / 4).map((id) => `${node.fhirBase}/Patient/${id}/$everything`),
      );
      rows.push([
        type.label,
        `${factor}×`,
        clients.toLocaleString('en-US'),
        resources.toLocaleString('en-US'),
        Math.round(resources / seedSeconds).toLocaleString('en-US'),
        Math.round(dirBytes(dir) / resources).toLocaleString('en-US'),
        median(read).toFixed(2),
        median(search).toFixed(2),
        p99(search).toFixed(2),
        median(everything).toFixed(2),
        (process.memoryUsage.rss() / 2 ** 20).toFixed(0),
      ]);
    } finally {
      await node.close();
    }
  }
}
const header = [
  'node',
  'data',
  'clients',
  'resources',
  'seeded/s',
  'DB bytes/resource',
  'read p50 ms',
  'search p50 ms',
  'search p99 ms',
  '$everything p50 ms',
  'RSS MiB',
];
console.log(
  `\nPer-node costs at ${FACTORS.join('×, ')}× the demo data (SQLite, one node, ${RUNS} requests per figure)\n`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
