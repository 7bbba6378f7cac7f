/**
 * bench/region/start-time: how long a node process takes to start on the region's state in SQL
 * (issue 20 item 3) when the database already holds a year of a 25-organisation region's log, and
 * what each accepted entry then costs.
 *
 *   node bench/region/start-time.ts [--entries 5000000] [--engine sqlite|postgres|both] [--keep]
 *   KETENLOG_BENCH_PG=postgres://user:pw@127.0.0.1:5432/db node bench/region/start-time.ts
 *
 * The year (docs/scaling.md): 100,000 clients; an `index` statement per client, holder (5) and
 * category (6); a few consents per client; a client key each; Mijn Zorg Log for 7,000 births
 * (an indication, 25 visits and 25 approvals each); the rest `access` statements. Rows are generated
 * straight into `region_facts` in multi-row INSERTs (indexes built after), spread over 25 logs,
 * with `region_positions` at each log's end. With --keep the database is kept and reused
 * (SQLite: /tmp/ketenlog-bench-region-state.sqlite; PostgreSQL: schema bench_region_state).
 *
 * A start is a fresh child process: open the database, open the SQL state, read the positions,
 * resume every log (nothing past the positions: nothing read), then answer the first queries a
 * request needs. For comparison, the old start re-parsed and folded every entry of every log in
 * memory; its rate is measured here on signed entries and extrapolated. The last start also
 * loads the in-memory state a witness judges with (`load({ judged: true })`: no index, no access trail).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  entryBytes,
  parseEntry,
  type Statement,
  KIND_ACCESS,
  KIND_CARELOG_APPROVAL,
  KIND_CARELOG_ENTRY,
  KIND_CARELOG_INDICATION,
  KIND_CONSENT,
  KIND_INDEX,
  KIND_KEY,
} from '@ketenlog/logbook';
import {
  RegionPolicy,
  SqlRegionState,
  applyEntry,
  createRegionState,
  factValues,
  insertFacts,
  raisePositions,
  type AcceptedEntry,
} from '@ketenlog/region';
import { signAs, testRegion } from '@ketenlog/region/testing';
import { openPostgres, openSqlite, type Db, type SqlValue } from '@ketenlog/storage';

const TEST_PG = 'postgresql://ketenlog:ketenlog@127.0.0.1:5432/ketenlog_test';
const SQLITE_FILE = '/tmp/ketenlog-bench-region-state.sqlite';
const SCHEMA = 'bench_region_state';
const LOGS = 25;
const CLIENTS = 100_000;
const BIRTHS = 7_000;
const VISITS = 25;
const T0 = 1_767_225_600; // 2026-01-01
const YEAR = 365 * 86_400;
const CATEGORIES = ['medication', 'lab', 'zwangerschap', 'kraamzorg', 'verzekering', 'ggz'];

const { values } = parseArgs({
  allowPositionals: true,
  options: {
    entries: { type: 'string', default: '5000000' },
    engine: { type: 'string', default: 'both' },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
    policy: { type: 'boolean', default: false },
  },
});

const region = testRegion();
const origin = (log: number): string => `bench.ketenlog.nl/org-${log}`;
const ura = (org: number): string => `ura:${90_000_000 + org}`;
const client = (c: number): string => `p${String(c).padStart(19, '0')}`;
const fakeHash = (text: string): string => createHash('sha256').update(text).digest('base64');

async function openEngine(engine: string): Promise<Db> {
  if (engine === 'sqlite') return openSqlite(SQLITE_FILE);
  return openPostgres(process.env.KETENLOG_BENCH_PG ?? TEST_PG, { searchPath: SCHEMA });
}

// --- the child: one process start, timed ---

if (values.child) {
  const t0 = performance.now();
  const lap = (since: number) => Math.round((performance.now() - since) * 10) / 10;
  const db = await openEngine(values.child);
  const opened = lap(t0);
  let t = performance.now();
  const state = await SqlRegionState.open(db, region.config);
  const positions = await state.positions();
  const report = await state.resume(
    [...positions.keys()].map((o) => ({
      log: { logId: o, origin: o },
      // The log ends at the stored position: the generated year is all folded.
      async *entriesFrom() {},
    })),
  );
  const resumed = lap(t);
  const size = [...positions.values()].reduce((a, b) => a + b, 0);
  const c = client(4242);
  const queries: Record<string, number> = {};
  for (const [name, query] of [
    ['holdersOf', () => state.holdersOf(c)],
    ['consents', () => state.consents(c)],
    ['accessesOf', () => state.accessesOf(c)],
    ['keys', () => state.keys([`kid-${4242}`])],
    ['carelogOfIndication', () => state.carelogOfIndication('ind-42')],
    ['carelogOfEntry', () => state.carelogOfEntry(fakeHash(`entry:42:3`))],
    // Aggregates over one holder's clients (20,000 here): the heavy ones.
    ['clientsOf', () => state.clientsOf(ura(1))],
    ['approvedMinutesForInsurer', () => state.approvedMinutesForInsurer(ura(1))],
  ] as const) {
    t = performance.now();
    await query();
    queries[name] = lap(t);
  }
  // With --policy: also the in-memory state a witness judges with (the sections the rules read).
  let policy: { facts: number; ms: number } | undefined;
  if (values.policy) {
    t = performance.now();
    const initial = await state.load({ judged: true });
    const judge = new RegionPolicy(region.config, { initial });
    const facts =
      judge.state.keys.bindings.size + judge.state.consents.size + judge.state.carelog.entries.size;
    policy = { facts, ms: lap(t) };
  }
  await db.close();
  console.log(
    JSON.stringify({
      size,
      read: report.read,
      opened,
      resumed,
      queries,
      ...(policy ? { policy } : {}),
      total: lap(t0),
    }),
  );
  process.exit(0);
}

// --- generation ---

interface Plan {
  readonly index: number;
  readonly consent: number;
  readonly key: number;
  readonly carelog: number;
  readonly access: number;
}

function plan(total: number): Plan {
  const scale = Math.min(1, total / 5_000_000);
  const index = Math.floor(CLIENTS * 30 * scale);
  const consent = Math.floor(CLIENTS * 2 * scale);
  const key = Math.floor(CLIENTS * scale);
  const carelog = Math.floor(BIRTHS * scale) * (1 + 2 * VISITS);
  return { index, consent, key, carelog, access: Math.max(0, total - index - consent - key - carelog) };
}

/** The n-th generated statement and its (fake, unique) hash. */
function generated(n: number, p: Plan): { statement: Statement; hash: string } {
  const iat = T0 + Math.floor((n * YEAR) / Math.max(1, totalOf(p)));
  const base = { v: 1, iat } as const;
  let j = n;
  if (j < p.index) {
    const c = Math.floor(j / 30);
    const holder = (c * 7 + Math.floor((j % 30) / 6)) % LOGS;
    const statement = {
      ...base,
      kind: KIND_INDEX,
      author: `org-${holder}-key`,
      subject: client(c),
      body: { holder: ura(holder), category: CATEGORIES[j % 6] },
    } as Statement;
    return { statement, hash: fakeHash(`index:${j}`) };
  }
  j -= p.index;
  if (j < p.consent) {
    const c = j % CLIENTS;
    const statement = {
      ...base,
      kind: KIND_CONSENT,
      author: `kid-${c}`,
      subject: client(c),
      body: { decision: 'grant', grantee: ura(j % LOGS), category: CATEGORIES[j % 6], purpose: 'treatment' },
    } as Statement;
    return { statement, hash: fakeHash(`consent:${j}`) };
  }
  j -= p.consent;
  if (j < p.key) {
    const statement = {
      ...base,
      kind: KIND_KEY,
      author: `org-${j % LOGS}-key`,
      subject: client(j),
      body: {
        action: 'bind',
        keyId: `kid-${j}`,
        alg: 'Ed25519',
        publicKey: fakeHash(`pk:${j}`),
        holder: client(j),
        role: 'client',
        organisation: ura(j % LOGS),
      },
    } as Statement;
    return { statement, hash: fakeHash(`key:${j}`) };
  }
  j -= p.key;
  if (j < p.carelog) {
    const birth = Math.floor(j / (1 + 2 * VISITS));
    const step = j % (1 + 2 * VISITS);
    const subject = client((birth * 13) % CLIENTS);
    const indication = `ind-${birth}`;
    if (step === 0) {
      const statement = {
        ...base,
        kind: KIND_CARELOG_INDICATION,
        author: `pro-${birth % 50}`,
        subject,
        body: { indication, provider: ura(birth % 3), hours: 49, days: 8 },
      } as Statement;
      return { statement, hash: fakeHash(`indication:${birth}`) };
    }
    const visit = (step - 1) >> 1;
    const entryHash = fakeHash(`entry:${birth}:${visit}`);
    if (step % 2 === 1) {
      const statement = {
        ...base,
        kind: KIND_CARELOG_ENTRY,
        author: `pro-${birth % 50}`,
        subject,
        body: { indication, date: '2026-11-20', start: '09:00', end: '12:00', activities: ['zorg-moeder'] },
      } as Statement;
      return { statement, hash: entryHash };
    }
    const statement = {
      ...base,
      kind: KIND_CARELOG_APPROVAL,
      author: `kid-${(birth * 13) % CLIENTS}`,
      subject,
      body: { entry: entryHash, decision: 'approved' },
    } as Statement;
    return { statement, hash: fakeHash(`approval:${birth}:${visit}`) };
  }
  j -= p.carelog;
  const c = (j * 7919) % CLIENTS;
  const statement = {
    ...base,
    kind: KIND_ACCESS,
    author: `org-${j % LOGS}-key`,
    subject: client(c),
    body: {
      accessor: `pro:specialist-${j % 500}`,
      organisation: ura(j % LOGS),
      role: 'medisch-specialist',
      category: CATEGORIES[j % 6],
      purpose: 'treatment',
      outcome: 'permit',
    },
  } as Statement;
  return { statement, hash: fakeHash(`access:${j}`) };
}

const totalOf = (p: Plan): number => p.index + p.consent + p.key + p.carelog + p.access;

async function generate(db: Db, total: number): Promise<number> {
  await SqlRegionState.open(db, region.config);
  // Indexes after the load: one sort each instead of 5 million B-tree inserts.
  for (const name of [
    'region_facts_k1',
    'region_facts_k2',
    'region_facts_k3',
    'region_facts_agreements',
    'region_facts_judged',
  ])
    await db.exec(`DROP INDEX IF EXISTS ${name}`);
  const p = plan(total);
  const n = totalOf(p);
  const started = performance.now();
  const BATCH = 20_000;
  for (let start = 0; start < n; start += BATCH) {
    const rows: SqlValue[][] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const { statement, hash } = generated(i, p);
      rows.push(factValues(origin(i % LOGS), Math.floor(i / LOGS), statement, hash, []));
    }
    await db.transaction((tx) => insertFacts(tx, rows));
    if ((start / BATCH) % 25 === 0)
      process.stderr.write(
        `  ${start.toLocaleString('en')} rows, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
  }
  const sizes = new Map<string, number>();
  for (let log = 0; log < LOGS; log++) sizes.set(origin(log), Math.ceil((n - log) / LOGS));
  await db.transaction((tx) => raisePositions(tx, sizes));
  const indexing = performance.now();
  await SqlRegionState.open(db, region.config);
  await db.exec('ANALYZE');
  process.stderr.write(
    `  generated ${n.toLocaleString('en')} rows in ${((indexing - started) / 1000).toFixed(0)} s, indexes in ${((performance.now() - indexing) / 1000).toFixed(0)} s\n`,
  );
  return n;
}

async function rowCount(db: Db): Promise<number> {
  try {
    const [row] = await db.all<{ n: number }>('SELECT SUM(size) AS n FROM region_positions');
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  }
}

// --- per accepted entry ---

function signedEntries(count: number, from: number): AcceptedEntry[] {
  const { ziekenhuis: zh } = region;
  const log = { logId: 'bench-live', origin: 'bench.ketenlog.nl/live' };
  return Array.from({ length: count }, (_, i) => ({
    log,
    index: from + i,
    entry: signAs(zh.key, {
      kind: KIND_ACCESS,
      iat: T0 + YEAR + i,
      subject: client((i * 31) % CLIENTS),
      body: {
        accessor: 'pro:carla-bakker',
        organisation: zh.ref,
        role: 'medisch-specialist',
        category: 'medication',
        purpose: 'treatment',
      },
    }),
  }));
}

async function perEntry(db: Db): Promise<{ single: number; batched: number }> {
  const state = await SqlRegionState.open(db, region.config);
  const from = (await state.positions()).get('bench.ketenlog.nl/live') ?? 0;
  const singles = signedEntries(300, from);
  let t = performance.now();
  for (const e of singles) await state.record([e]);
  const single = ((performance.now() - t) * 1000) / singles.length;
  const batch = signedEntries(3000, from + singles.length);
  t = performance.now();
  for (let i = 0; i < batch.length; i += 100) await state.record(batch.slice(i, i + 100));
  const batched = ((performance.now() - t) * 1000) / batch.length;
  return { single, batched };
}

/** The old start: parse each stored entry and fold it in memory. Entries per second. */
function inMemoryFoldRate(): number {
  const entries = signedEntries(20_000, 0).map((e) => ({ ...e, bytes: entryBytes(e.entry) }));
  const state = createRegionState(region.config);
  const t = performance.now();
  for (const e of entries) {
    const parsed = parseEntry(e.bytes);
    if (parsed.ok) applyEntry(state, e.log, e.index, parsed.value);
  }
  return entries.length / ((performance.now() - t) / 1000);
}

function startChild(engine: string, policy = false): Record<string, unknown> {
  const t = performance.now();
  const args = [import.meta.filename, '--child', engine, ...(policy ? ['--policy'] : [])];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    env: process.env,
  });
  return { ...JSON.parse(out.trim().split('\n').at(-1) as string), wall: Math.round(performance.now() - t) };
}

async function benchEngine(engine: string): Promise<void> {
  const target = Number(values.entries);
  if (engine === 'sqlite' && !values.keep) rmSync(SQLITE_FILE, { force: true });
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: process.env.KETENLOG_BENCH_PG ?? TEST_PG });
    await admin.connect();
    if (!values.keep) await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await admin.end();
  }
  let db = await openEngine(engine);
  let rows = await rowCount(db);
  if (rows < target) {
    process.stderr.write(`${engine}: generating ${target.toLocaleString('en')} entries\n`);
    rows = await generate(db, target);
  }
  await db.close();
  const starts = [startChild(engine), startChild(engine), startChild(engine), startChild(engine, true)];
  db = await openEngine(engine);
  const cost = await perEntry(db);
  await db.close();
  console.log(`\n${engine}: ${rows.toLocaleString('en')} entries in region_facts`);
  for (const s of starts) console.log(`  start: ${JSON.stringify(s)}`);
  console.log(
    `  per accepted entry: ${cost.single.toFixed(0)} µs alone (one transaction each), ${cost.batched.toFixed(0)} µs in batches of 100`,
  );
  if (!values.keep) {
    if (engine === 'sqlite') for (const f of ['', '-wal', '-shm']) rmSync(SQLITE_FILE + f, { force: true });
    else {
      const admin = new pg.Client({ connectionString: process.env.KETENLOG_BENCH_PG ?? TEST_PG });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.end();
    }
  }
}

const rate = inMemoryFoldRate();
console.log(
  `old start (parse + fold in memory): ${rate.toFixed(0)} entries/s → ${(Number(values.entries) / rate).toFixed(0)} s for ${Number(values.entries).toLocaleString('en')} entries, plus reading them from storage`,
);
for (const engine of ['sqlite', 'postgres']) {
  if (values.engine !== 'both' && values.engine !== engine) continue;
  await benchEngine(engine);
}
if (existsSync(SQLITE_FILE) && !values.keep) rmSync(SQLITE_FILE, { force: true });
