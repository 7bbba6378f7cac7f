/**
 * bench/node/processes: FHIR read and search throughput of one organisation's node as one, two and
 * three `ketenlog node` processes behind HAProxy (round robin) on one PostgreSQL database, on the
 * same machine — the speed-up per added process and where it stops. Every request carries a
 * verified bearer token (SMART Backend Services), as an organisation's own system sends it; the
 * token is one process's, asked of the database by whichever process the request reaches.
 *
 *   node bench/node/processes.ts [--patients 2000] [--observations 10000] [--runs 3] [--duration 8] [--connections 24]
 *   KETENLOG_BENCH_PG=postgres://user:pw@127.0.0.1:5432/db node bench/node/processes.ts
 *
 * PostgreSQL: KETENLOG_BENCH_PG, else the test database of test/global-setup.ts; the benchmark
 * works in a schema of its own, dropped at the end. HAProxy: Debian's (/usr/sbin/haproxy).
 * The load generator (autocannon) runs in this process, on the same cores as the nodes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freshPostgresSchema } from '@ketenlog/storage';
import { batches, CODES } from '../fhir/dataset.ts';
import {
  benchSystemKeys,
  benchSystemToken,
  BENCH_SYSTEM_CLIENT_ID,
  BENCH_SYSTEM_SCOPE,
} from '../fhir/system-token.ts';
import { freePorts } from '../../packages/node/src/region/testing.ts';
import { exited, startBalancer, waitFor } from '../../packages/node/src/deploy/balancer.ts';

const { values: opts } = parseArgs({
  options: {
    patients: { type: 'string', default: '2000' },
    observations: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '24' },
    processes: { type: 'string', default: '1,2,3' },
  },
});
const PATIENTS = Number(opts.patients);
const OBSERVATIONS = Number(opts.observations);
const RUNS = Number(opts.runs);
const DURATION = Number(opts.duration);
const CONNECTIONS = Number(opts.connections);
const COUNTS = opts.processes.split(',').map(Number);
const TEST_PG = 'postgresql://ketenlog:ketenlog@127.0.0.1:5432/ketenlog_test';
const CLI = join(import.meta.dirname, '../../packages/node/src/cli.ts');

const rand = (n: number) => Math.floor(Math.random() * n);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SCENARIOS = [
  { name: 'read Patient by id', path: () => `/fhir/Patient/bench-p${rand(PATIENTS)}` },
  {
    name: 'search Patient?name=',
    path: () => `/fhir/Patient?name=${['jans', 'bakker', 'vries', 'smit'][rand(4)]}&_count=20`,
  },
  {
    name: 'search Observation?patient=&code=',
    path: () =>
      `/fhir/Observation?patient=Patient/bench-p${rand(PATIENTS)}&code=http://loinc.org|${CODES[rand(CODES.length)]!.code}`,
  },
];

const dir = mkdtempSync(join(tmpdir(), 'ketenlog-bench-processes-'));
const schema = await freshPostgresSchema(process.env.KETENLOG_BENCH_PG ?? TEST_PG);
const database = `${schema.url}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
const [frontPort, ...ports] = await freePorts(1 + Math.max(...COUNTS));
const front = `http://127.0.0.1:${frontPort}`;
const jwks = await benchSystemKeys(dir);
const nodes: ChildProcess[] = [];
let haproxy: ChildProcess | undefined;

/** HAProxy in front of the first `count` processes. */
async function balance(count: number): Promise<void> {
  if (haproxy) {
    haproxy.kill('SIGKILL');
    await exited(haproxy);
  }
  haproxy = await startBalancer({
    dir,
    frontPort: frontPort!,
    ports: ports.slice(0, count),
    check: false,
    name: `haproxy-${count}`,
  });
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The node processes' CPU seconds, summed. */
const nodesCpu = (): number => nodes.reduce((sum, n) => sum + cpuSeconds(n.pid), 0);

async function cannon(path: () => string, authorization: string) {
  const cpuBefore = nodesCpu();
  const result = await autocannon({
    url: front,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { accept: 'application/fhir+json', authorization },
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: path() }) as typeof req }],
  });
  if (result.non2xx > 0 || result.errors > 0)
    console.error(`  ${result.non2xx} non-2xx, ${result.errors} errors`);
  // Node CPU milliseconds per answered request (all processes of the organisation together).
  const cpuMs = ((nodesCpu() - cpuBefore) * 1000) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMs };
}

try {
  // Every process serves the same configuration; the balancer's address is the public one, so a
  // token asked at any process is valid at all of them.
  for (const [i, port] of ports.entries()) {
    const config = join(dir, `node${i + 1}.yaml`);
    writeFileSync(
      config,
      [
        'node: bench',
        'organisation: { ura: "90000001", name: "Benchmark Ziekenhuis", type: ziekenhuis }',
        `listen: { host: 127.0.0.1, port: ${port} }`,
        `publicUrl: ${front}/fhir`,
        `database: "${database}"`,
        'log: { level: warn }',
        `systems: [{ clientId: ${BENCH_SYSTEM_CLIENT_ID}, name: Benchmark, jwks: "${jwks}", scope: "${BENCH_SYSTEM_SCOPE}" }]`,
      ].join('\n'),
    );
    nodes.push(
      spawn(process.execPath, [CLI, 'node', '--config', config], {
        stdio: ['ignore', 'ignore', openSync(join(dir, `node${i + 1}.err`), 'a')],
      }),
    );
    // One after another: the first creates the schema.
    await waitFor(`http://127.0.0.1:${port}/readyz`, 60_000, `node ${i + 1} (see ${dir})`);
  }
  await balance(1);
  const authorization = `Bearer ${await benchSystemToken(dir, front)}`;
  console.error(`loading ${PATIENTS} patients + ${OBSERVATIONS} observations…`);
  for (const bundle of batches(PATIENTS, OBSERVATIONS, 1000)) {
    const response = await fetch(`${front}/fhir/`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal', authorization },
      body: JSON.stringify(bundle),
    });
    if (!response.ok) throw new Error(`load failed: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }

  const load = loadavg()[0]!;
  interface Figure {
    rps: number;
    p50: number;
    p99: number;
    cpuMs: number;
  }
  const results = new Map<string, Map<number, Figure>>();
  // Side by side: every run measures one, two and three processes one after the other, so the
  // machine's load (shared with others) drifts across all of them alike.
  type Run = Awaited<ReturnType<typeof cannon>>;
  for (const s of SCENARIOS) {
    const runs = new Map<number, Run[]>(COUNTS.map((c) => [c, []]));
    for (const count of COUNTS) {
      await balance(count);
      await cannon(s.path, authorization); // warm-up of every process's caches and connections
    }
    for (let r = 0; r < RUNS; r++) {
      for (const count of COUNTS) {
        await balance(count);
        runs.get(count)!.push(await cannon(s.path, authorization));
      }
    }
    const byCount = new Map<number, Figure>();
    for (const [count, xs] of runs) {
      byCount.set(count, {
        rps: median(xs.map((x) => x.rps)),
        p50: median(xs.map((x) => x.p50)),
        p99: median(xs.map((x) => x.p99)),
        cpuMs: median(xs.map((x) => x.cpuMs)),
      });
      console.error(
        `  ${s.name} | ${count} process(es) | runs ${xs.map((x) => x.rps.toFixed(0)).join(', ')} req/s`,
      );
    }
    results.set(s.name, byCount);
  }

  console.log(
    `\nbench/node/processes — ${PATIENTS} patients, ${OBSERVATIONS} observations, PostgreSQL, HAProxy round robin, ` +
      `${CONNECTIONS} connections, ${DURATION} s, median of ${RUNS}; ${cpus().length} cores, load average ${load.toFixed(1)} at start\n`,
  );
  console.log('| operation | processes | req/s | p50 ms | p99 ms | speed-up vs 1 | node CPU ms/request |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, byCount] of results) {
    const one = byCount.get(COUNTS[0]!)!.rps;
    for (const [count, f] of byCount)
      console.log(
        `| ${name} | ${count} | ${f.rps.toFixed(0)} | ${f.p50.toFixed(1)} | ${f.p99.toFixed(1)} | ${(f.rps / one).toFixed(2)}× | ${f.cpuMs.toFixed(2)} |`,
      );
  }
} finally {
  haproxy?.kill('SIGKILL');
  for (const node of nodes) node.kill('SIGTERM');
  await sleep(500);
  await schema.drop();
  rmSync(dir, { recursive: true, force: true });
}
