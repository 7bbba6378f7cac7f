/**
 * bench/auth: what a session read costs now that sessions live in the node's database (every
 * request with a session cookie reads it once). Times `SessionStore.get` for a live session over
 * 1,000 sessions, sequential and 10 at a time, on process memory, SQLite and PostgreSQL.
 *
 *   KETENLOG_BENCH_PG=postgres://user:pw@127.0.0.1:5432/db node bench/auth/session-lookup.ts [--reads 20000]
 *
 * KETENLOG_BENCH_PG names a database it may make a schema in (dropped at the end); without it
 * PostgreSQL is skipped.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SessionStore } from '@ketenlog/auth';
import {
  MemoryEphemeralStore,
  openPostgres,
  openSqlite,
  SqlEphemeralStore,
  type Db,
} from '@ketenlog/storage';

const { values } = parseArgs({ options: { reads: { type: 'string', default: '20000' } } });
const READS = Number(values.reads);

async function measure(name: string, sessions: SessionStore): Promise<void> {
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < 1000; i++)
    ids.push((await sessions.create({ kind: 'client', holder: `h${i}`, credentialId: `c${i}` }, now)).id);
  const pick = (i: number) => ids[(i * 7919) % ids.length];
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < READS; i++) {
    const t = performance.now();
    if (!(await sessions.get(pick(i), now))) throw new Error('session lost');
    times.push(performance.now() - t);
  }
  const sequentialMs = performance.now() - started;
  const concurrentStart = performance.now();
  for (let i = 0; i < READS; i += 10)
    await Promise.all(Array.from({ length: 10 }, (_, j) => sessions.get(pick(i + j), now)));
  const concurrentMs = performance.now() - concurrentStart;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.floor(p * (times.length - 1))]!.toFixed(3);
  console.log(
    `| ${name} | ${q(0.5)} | ${q(0.99)} | ${Math.round(READS / (sequentialMs / 1000))} | ${Math.round(READS / (concurrentMs / 1000))} |`,
  );
  for (const id of ids) await sessions.end(id);
}

console.log('| store | get p50 ms | get p99 ms | gets/s sequential | gets/s 10 at a time |');
console.log('|---|---:|---:|---:|---:|');
await measure('memory (one process only)', new SessionStore(new MemoryEphemeralStore()));
const dir = mkdtempSync(join(tmpdir(), 'ketenlog-bench-sessions-'));
const sqlite = await openSqlite(join(dir, 'bench.sqlite'));
await measure('SQLite', new SessionStore(await SqlEphemeralStore.open(sqlite)));
await sqlite.close();
rmSync(dir, { recursive: true, force: true });
const url = process.env.KETENLOG_BENCH_PG;
if (url) {
  const schema = `bench_sessions_${randomUUID().replace(/-/g, '')}`;
  const admin: Db = await openPostgres(url);
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const pg = await openPostgres(url, { searchPath: schema });
  try {
    await measure('PostgreSQL', new SessionStore(await SqlEphemeralStore.open(pg)));
  } finally {
    await pg.close();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
}
