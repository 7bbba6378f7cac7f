/**
 * bench/fhir: drives a running Ketenlog node over HTTP with autocannon (10 connections) on a
 * generated dataset, on SQLite and (when KETENLOG_BENCH_PG is set) on PostgreSQL, and prints a
 * table with the median of several runs and the ratio against the Medplum reference.
 *
 *   node bench/fhir/run.ts [--patients 10000] [--observations 100000] [--runs 3] [--duration 15] [--engine sqlite|postgres|both]
 *   KETENLOG_BENCH_PG=postgres://user:pw@127.0.0.1:5432/db node bench/fhir/run.ts
 *
 * KETENLOG_BENCH_PG names a database the benchmark may wipe: its public schema is dropped first,
 * so every run imports into an empty store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { batches, CODES } from './dataset.ts';
import {
  benchSystemKeys,
  benchSystemToken,
  BENCH_SYSTEM_CLIENT_ID,
  BENCH_SYSTEM_SCOPE,
} from './system-token.ts';

const { values: opts } = parseArgs({
  options: {
    patients: { type: 'string', default: '10000' },
    observations: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '15' },
    engine: { type: 'string', default: 'both' },
  },
});
const PATIENTS = Number(opts.patients);
const OBSERVATIONS = Number(opts.observations);
const RUNS = Number(opts.runs);
const DURATION = Number(opts.duration);

/** Medplum 5.0 on PostgreSQL 15 + Redis 7, same machine kind and load generator (issue 2). */
const MEDPLUM = { read: 395, search: 286, create: 94 };

interface Node {
  base: string;
  proc: ChildProcess;
  /** The benchmark system's `Authorization` header (SMART Backend Services), fresh for 5 minutes. */
  authorization: () => Promise<string>;
}

/** A port free now (the token endpoint needs a known address, so not port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startNode(database: string): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-bench-'));
  const config = join(dir, 'node.yaml');
  // Every FHIR request carries a verified credential, as an organisation's own system sends it.
  const jwks = await benchSystemKeys(dir);
  const port = await freePort();
  writeFileSync(
    config,
    [
      'node: bench',
      'organisation: { ura: "90000001", name: "Benchmark Ziekenhuis", type: ziekenhuis }',
      `listen: { host: 127.0.0.1, port: ${port} }`,
      `database: "${database.startsWith('postgres') ? database : join(dir, 'fhir.sqlite')}"`,
      'log: { level: warn }',
      `systems: [{ clientId: ${BENCH_SYSTEM_CLIENT_ID}, name: Benchmark, jwks: "${jwks}", scope: "${BENCH_SYSTEM_SCOPE}" }]`,
    ].join('\n'),
  );
  const proc = spawn(process.execPath, ['packages/node/src/cli.ts', 'node', '--config', config], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /FHIR base: (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`node exited with ${code}`)));
  });
  const origin = new URL(base).origin;
  let token = { value: '', at: 0 };
  const authorization = async (): Promise<string> => {
    if (Date.now() - token.at > 5 * 60_000)
      token = { value: await benchSystemToken(dir, origin), at: Date.now() };
    return `Bearer ${token.value}`;
  };
  return { base, proc, authorization };
}

async function load({ base, authorization }: Node): Promise<number> {
  const started = performance.now();
  let n = 0;
  for (const bundle of batches(PATIENTS, OBSERVATIONS, 1000)) {
    const res = await fetch(`${base}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        prefer: 'return=minimal',
        authorization: await authorization(),
      },
      body: JSON.stringify(bundle),
    });
    if (!res.ok) throw new Error(`load failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    n += bundle.entry!.length;
    if (process.stderr.isTTY) process.stderr.write(`\rloading ${n}/${PATIENTS + OBSERVATIONS}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  return n / ((performance.now() - started) / 1000);
}

function rand(n: number): number {
  return Math.floor(Math.random() * n);
}

type Method = 'GET' | 'POST';
type Scenario = {
  name: string;
  kind: keyof typeof MEDPLUM;
  request: () => { method: Method; path: string; body?: string };
};

function scenarios(basePath: string): Scenario[] {
  return [
    {
      name: 'read Patient by id',
      kind: 'read',
      request: () => ({ method: 'GET', path: `${basePath}/Patient/bench-p${rand(PATIENTS)}` }),
    },
    {
      name: 'search Patient?name=',
      kind: 'search',
      request: () => ({
        method: 'GET',
        path: `${basePath}/Patient?name=${['jans', 'bakker', 'vries', 'smit'][rand(4)]}&_count=20`,
      }),
    },
    {
      name: 'search Observation?patient=&code=',
      kind: 'search',
      request: () => ({
        method: 'GET',
        path: `${basePath}/Observation?patient=Patient/bench-p${rand(PATIENTS)}&code=http://loinc.org|${CODES[rand(CODES.length)]!.code}`,
      }),
    },
    {
      name: 'create Observation',
      kind: 'create',
      request: () => ({
        method: 'POST',
        path: `${basePath}/Observation`,
        body: JSON.stringify({
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
          subject: { reference: `Patient/bench-p${rand(PATIENTS)}` },
          effectiveDateTime: '2025-06-01T10:00:00Z',
          valueQuantity: { value: 70, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
        }),
      }),
    },
  ];
}

async function cannon({ base, authorization }: Node, s: Scenario, duration: number) {
  const url = new URL(base);
  const result = await autocannon({
    url: url.origin,
    connections: 10,
    duration,
    headers: {
      'content-type': 'application/fhir+json',
      accept: 'application/fhir+json',
      authorization: await authorization(),
    },
    requests: [{ setupRequest: (req) => ({ ...req, ...s.request() }) as typeof req }],
  });
  if (result.non2xx > 0 || result.errors > 0)
    console.error(`  ${s.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function singleClientReadP50({ base, authorization }: Node): Promise<number> {
  const samples: number[] = [];
  const headers = { authorization: await authorization() };
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    const res = await fetch(`${base}/Patient/bench-p${rand(PATIENTS)}`, { headers });
    await res.arrayBuffer();
    samples.push(performance.now() - t);
  }
  return median(samples.slice(200));
}

/** Empties the benchmark's PostgreSQL database, so the import starts from an empty store. */
async function wipePostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}

async function benchEngine(engine: string, database: string) {
  if (database.startsWith('postgres')) await wipePostgres(database);
  const node = await startNode(database);
  try {
    console.error(`[${engine}] loading ${PATIENTS} patients + ${OBSERVATIONS} observations…`);
    const importRate = await load(node);
    const path = new URL(node.base).pathname;
    const rows: string[][] = [];
    for (const s of scenarios(path)) {
      await cannon(node, s, 3); // warm-up
      const runs = [];
      for (let r = 0; r < RUNS; r++) runs.push(await cannon(node, s, DURATION));
      const rps = median(runs.map((x) => x.rps));
      const target = engine === 'sqlite' ? 10 : 5;
      rows.push([
        engine,
        s.name,
        rps.toFixed(0),
        median(runs.map((x) => x.p50)).toFixed(1),
        median(runs.map((x) => x.p99)).toFixed(1),
        `${(rps / MEDPLUM[s.kind]).toFixed(1)}× (target ${target}×)`,
      ]);
      console.error(`  ${rows.at(-1)!.join(' | ')}`);
    }
    const p50 = await singleClientReadP50(node);
    return { engine, rows, importRate, p50 };
  } finally {
    node.proc.kill('SIGTERM');
  }
}

const results = [];
if (opts.engine !== 'postgres') results.push(await benchEngine('sqlite', 'sqlite'));
if (opts.engine !== 'sqlite') {
  if (process.env.KETENLOG_BENCH_PG)
    results.push(await benchEngine('postgres', process.env.KETENLOG_BENCH_PG));
  else console.error('KETENLOG_BENCH_PG not set: PostgreSQL not measured.');
}

console.log(
  `\nbench/fhir — ${PATIENTS} patients, ${OBSERVATIONS} observations, 10 connections, ${DURATION} s, median of ${RUNS}\n`,
);
console.log('| engine | operation | req/s | p50 ms | p99 ms | vs Medplum |');
console.log('|---|---|---:|---:|---:|---|');
for (const r of results) for (const row of r.rows) console.log(`| ${row.join(' | ')} |`);
console.log(
  '\n| engine | single-client read p50 ms | import (transaction bundles) resources/s (target 5,000) |',
);
console.log('|---|---:|---:|');
for (const r of results) console.log(`| ${r.engine} | ${r.p50.toFixed(2)} | ${r.importRate.toFixed(0)} |`);
