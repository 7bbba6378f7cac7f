/**
 * bench/logbook/append: durable appends/s through the Sequencer — each append resolves only after
 * its batch is committed and a signed checkpoint covering it is stored — with 1, 8 and 64
 * concurrent writers, on SQLite and PostgreSQL. Median of several runs, against the issue's
 * target of 10,000 durable appends/s.
 *
 *   node bench/logbook/append.ts [--seconds 3] [--runs 3] [--engine sqlite|postgres|both] [--shared]
 *   KETENLOG_BENCH_PG=postgres://user:pw@127.0.0.1:5432/db node bench/logbook/append.ts
 *
 * --shared opens the log as a SharedLog (elected integrator, ready for appends forwarded by other
 * processes): the fast path of the one process that integrates.
 *
 * PostgreSQL: KETENLOG_BENCH_PG, else the test database of test/global-setup.ts. The benchmark
 * works in a schema of its own, dropped at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Sequencer, SharedLog, utf8, KIND_ACCESS } from '@ketenlog/logbook';
import { testLogOptions } from '@ketenlog/logbook/testing';
import { openPostgres, openSqlite, type Db } from '@ketenlog/storage';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    engine: { type: 'string', default: 'both' },
    shared: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const WRITERS = [1, 8, 64];
const TARGET = 10_000;
const TEST_PG = 'postgresql://ketenlog:ketenlog@127.0.0.1:5432/ketenlog_test';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A statement-sized entry (~350 bytes of canonical JSON), different every time. */
const statement = (writer: number, n: number): Uint8Array =>
  utf8(
    JSON.stringify({
      kind: KIND_ACCESS,
      v: 1,
      author: 'org-1/key-2026',
      issuedAt: '2026-11-24T02:30:00Z',
      subject: randomBytes(16).toString('hex'),
      body: { category: 'medication', purpose: 'treatment', reader: `professional-${writer}`, n },
      sig: randomBytes(64).toString('base64'),
    }),
  );

/** Appends for SECONDS with `writers` concurrent loops, each awaiting its own durable append. */
async function appendsPerSecond(db: Db, writers: number): Promise<number> {
  const options = testLogOptions(`bench-${randomUUID().slice(0, 8)}`);
  const log = values.shared ? await SharedLog.open(db, options) : await Sequencer.open(db, options);
  let done = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let n = 0; performance.now() < deadline; n++) {
        await log.append(statement(w, n));
        done++;
      }
    }),
  );
  const rate = done / ((performance.now() - started) / 1000);
  await log.close();
  return rate;
}

async function benchEngine(
  engine: string,
  db: Db,
): Promise<{ engine: string; writers: number; rate: number }[]> {
  const rows = [];
  for (const writers of WRITERS) {
    await appendsPerSecond(db, writers); // warm-up
    const rates = [];
    for (let r = 0; r < RUNS; r++) rates.push(await appendsPerSecond(db, writers));
    rows.push({ engine, writers, rate: median(rates) });
    console.error(`[${engine}] ${writers} writers: ${rates.map((x) => x.toFixed(0)).join(', ')} appends/s`);
  }
  return rows;
}

async function withPostgres<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const schema = `bench_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres(url, { searchPath: schema });
  try {
    return await fn(db);
  } finally {
    await db.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const results = [];
if (values.engine !== 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-bench-'));
  const db = await openSqlite(join(dir, 'logbook.sqlite'));
  try {
    results.push(...(await benchEngine('sqlite', db)));
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (values.engine !== 'sqlite') {
  const url = process.env.KETENLOG_BENCH_PG ?? TEST_PG;
  try {
    results.push(...(await withPostgres(url, (db) => benchEngine('postgres', db))));
  } catch (error) {
    console.error(`PostgreSQL not measured: ${(error as Error).message}`);
  }
}

console.log(
  `\nbench/logbook/append — durable appends (commit + signed checkpoint stored)${values.shared ? ', SharedLog' : ''}, ${SECONDS} s runs, median of ${RUNS}\n`,
);
console.log('| engine | writers | appends/s | target | ratio |');
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.engine} | ${r.writers} | ${r.rate.toFixed(0)} | ${TARGET.toLocaleString('en')} | ${(r.rate / TARGET).toFixed(2)}× |`,
  );
}
