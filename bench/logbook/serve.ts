/**
 * bench/logbook/serve: builds a log of --entries entries on SQLite (big batches), times
 * `verify --data` on it, then serves it over HTTP (logTilesRoutes, in a server process of its
 * own) and measures `entry/<i>` responses (entry + inclusion proof) per second with autocannon,
 * 10 connections, spread indexes. Targets: ≥ 20,000 proofs served/s, verify of 1M entries ≤ 60 s.
 *
 *   node bench/logbook/serve.ts [--entries 1000000] [--seconds 10] [--connections 10] [--warmup 2] [--entry-bundles 0,4096]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { LogReader, logTilesRoutes, Sequencer, SqlLogStore, utf8, verifyData } from '@ketenlog/logbook';
import { testLogOptions } from '@ketenlog/logbook/testing';
import { openSqlite } from '@ketenlog/storage';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    /** Seconds of load before measuring: long enough to touch every tile gives the steady state. */
    warmup: { type: 'string', default: '2' },
    /** Entry bundles (256 entries) the server keeps in memory, comma-separated runs; 3,907 hold 1M entries. */
    'entry-bundles': { type: 'string', default: '0,4096' },
    'serve-only': { type: 'string' },
    'build-only': { type: 'string' },
  },
});
const LOG = 'bench';

/** The server process: serves the log in the given SQLite file and prints its address. */
async function serve(path: string): Promise<void> {
  const db = await openSqlite(path);
  const reader = new LogReader(new SqlLogStore(db, LOG), undefined, {
    entryBundles: Number(values['entry-bundles']),
  });
  const app = Fastify();
  await app.register(logTilesRoutes, { prefix: '/logs', logs: (id) => (id === LOG ? reader : undefined) });
  console.log(await app.listen({ host: '127.0.0.1', port: 0 }));
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

async function build(path: string, entries: number): Promise<number> {
  const db = await openSqlite(path);
  const log = await Sequencer.open(db, testLogOptions(LOG));
  const started = performance.now();
  const CHUNK = 16_384;
  for (let i = 0; i < entries; i += CHUNK) {
    const n = Math.min(CHUNK, entries - i);
    await Promise.all(
      Array.from({ length: n }, (_, k) =>
        log.append(
          utf8(`{"kind":"access","n":${i + k},"subject":"${(i + k).toString(16).padStart(32, '0')}"}`),
        ),
      ),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  await db.close();
  return seconds;
}

async function timeVerify(path: string): Promise<{ seconds: number; ok: boolean }> {
  const db = await openSqlite(path);
  const started = performance.now();
  const result = await verifyData(db);
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  return { seconds, ok: result.ok };
}

async function proofsPerSecond(
  path: string,
  entries: number,
  bundles: string,
): Promise<{ bundles: string; rate: number; p99: number; errors: number }> {
  const { line, process: server } = child(['--serve-only', path, '--entry-bundles', bundles]);
  try {
    const address = await line;
    let n = 0;
    const run = (seconds: number) =>
      autocannon({
        url: address,
        connections: Number(values.connections),
        duration: seconds,
        requests: [
          {
            method: 'GET',
            // Spread indexes over the whole log (a prime stride), so the level-0 hashes are cold.
            setupRequest: (request) => ({ ...request, path: `/logs/${LOG}/entry/${(n++ * 7919) % entries}` }),
          },
        ],
      });
    await run(Number(values.warmup));
    const result = await run(Number(values.seconds));
    return {
      bundles,
      rate: result.requests.average,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
    };
  } finally {
    server.kill();
  }
}

/** Runs this file as a child process in one mode; resolves with its first line of output. */
function child(args: string[]): { line: Promise<string>; process: ReturnType<typeof spawn> } {
  const process_ = spawn(process.execPath, [import.meta.filename, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = new Promise<string>((resolve, reject) => {
    process_.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    process_.once('exit', () => reject(new Error(`bench child ${args[0]} exited without output`)));
  });
  return { line, process: process_ };
}

if (values['serve-only']) {
  await serve(values['serve-only']);
} else if (values['build-only']) {
  // Build and verify in a process of their own, so the load generator starts with a clean heap.
  const entries = Number(values.entries);
  const built = await build(values['build-only'], entries);
  console.log(JSON.stringify({ built, verify: await timeVerify(values['build-only']) }));
} else {
  const entries = Number(values.entries);
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-bench-serve-'));
  const path = join(dir, 'logbook.sqlite');
  try {
    const { built, verify } = JSON.parse(
      await child(['--build-only', path, '--entries', String(entries)]).line,
    ) as {
      built: number;
      verify: { seconds: number; ok: boolean };
    };
    console.error(
      `built ${entries} entries in ${built.toFixed(1)} s; verify ${verify.seconds.toFixed(1)} s, ok=${verify.ok}`,
    );
    const served = [];
    for (const bundles of values['entry-bundles'].split(','))
      served.push(await proofsPerSecond(path, entries, bundles));
    console.log(`\nbench/logbook/serve — SQLite log of ${entries.toLocaleString('en')} entries\n`);
    console.log('| measure | value | target | ratio |');
    console.log('|---|---:|---:|---:|');
    console.log(`| build (appends/s, batches of 16,384) | ${(entries / built).toFixed(0)} | — | — |`);
    console.log(
      `| verify --data (s) | ${verify.seconds.toFixed(1)}${verify.ok ? '' : ' (FAILED)'} | ≤ 60 | ${(60 / verify.seconds).toFixed(2)}× |`,
    );
    for (const r of served) {
      const what = `entry + inclusion proof over HTTP (req/s, ${values.connections} conns, ${values.warmup} s warm-up, ${r.bundles} entry bundles cached)`;
      console.log(`| ${what} | ${r.rate.toFixed(0)} | 20,000 | ${(r.rate / 20_000).toFixed(2)}× |`);
      console.log(`| … p99 latency (ms), errors | ${r.p99}, ${r.errors} | — | — |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
