// The region's state kept in the node's database (issue 20 item 3), so a process starts without
// re-reading every log and every process on one database sees the same state.
//
// Every accepted entry becomes one fact row at its position (origin, index), with the keys its
// section is looked up by as indexed columns (k1..k3, each kind's `lookup` in kinds/<kind>.ts). The fold is order-independent and its sections
// settle conflicts by position, not arrival, so the facts can be written in any interleaving by
// any process (the same entry twice is one row) and resolved when read: a query selects the few
// facts behind its answer through an index and folds them with the same section functions the
// in-memory state uses (`applyStatement`), so both give the same answers by construction.
// `region_positions` says, per log, how many entries the table holds (all below that index), so a
// restart folds only what came after.
import {
  KIND_AGREEMENT,
  KIND_ACCESS,
  KIND_ANALYSIS_RUN,
  KIND_CARELOG_APPROVAL,
  KIND_CARELOG_ENTRY,
  KIND_CARELOG_INDICATION,
  KIND_CONSENT,
  KIND_INDEX,
  KIND_KEY,
  STATEMENT_VERSION,
  parseEntry,
  type Json,
  type LogRef,
  type SignedStatement,
  type Statement,
  type StatementKind,
} from '@ketenlog/logbook';
import type { Db, Queryable, SqlValue } from '@ketenlog/storage';
import type { RegionConfig } from '../config/region-config.ts';
import { regionKind, UNJUDGED_KINDS } from '../kinds/registry.ts';
import { accessesOf, type AccessRecord } from './access-trail.ts';
import { agreementStatus, runsOf, type AgreementStatus, type RunRecord } from './analysis.ts';
import type { Carelog } from './carelog.ts';
import type { ConsentLedger } from './consents.ts';
import type { KeyRegister } from './keys.ts';
import { holdersOf, type Holding } from './localisation.ts';
import type { RegionStateQueries } from './queries.ts';
import {
  applyStatement,
  approvedMinutesForInsurer,
  createRegionState,
  FoldError,
  hashOfStatement,
  insurersOf,
  type RegionState,
} from './region-state.ts';

/** A kind as an SQL string literal: the constants are fixed identifiers, never input. */
const sqlKind = (kind: StatementKind): string => `'${kind}'`;

/**
 * The statements the witness rules read (the kinds whose module says `judged`: not the
 * localisation index nor the access trail), as a condition the partial index region_facts_judged
 * matches literally.
 */
const JUDGED = `kind NOT IN (${UNJUDGED_KINDS.map(sqlKind).join(', ')})`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS region_facts (
  origin TEXT NOT NULL,
  idx BIGINT NOT NULL,
  iat BIGINT NOT NULL,
  kind TEXT NOT NULL,
  hash TEXT NOT NULL,
  k1 TEXT,
  k2 TEXT,
  k3 TEXT,
  author TEXT NOT NULL,
  subject TEXT,
  signers TEXT,
  body TEXT NOT NULL,
  PRIMARY KEY (origin, idx)
);
CREATE INDEX IF NOT EXISTS region_facts_k1 ON region_facts (k1, kind);
CREATE INDEX IF NOT EXISTS region_facts_k2 ON region_facts (k2, kind, k1) WHERE k2 IS NOT NULL;
CREATE INDEX IF NOT EXISTS region_facts_k3 ON region_facts (k3, kind) WHERE k3 IS NOT NULL;
CREATE INDEX IF NOT EXISTS region_facts_agreements ON region_facts (k1) WHERE kind = ${sqlKind(KIND_AGREEMENT)};
CREATE INDEX IF NOT EXISTS region_facts_judged ON region_facts (origin, idx) WHERE ${JUDGED};
CREATE TABLE IF NOT EXISTS region_positions (
  origin TEXT PRIMARY KEY,
  size BIGINT NOT NULL
);
`;

/** The columns of one fact, in table order. */
export const FACT_COLUMNS = [
  'origin',
  'idx',
  'iat',
  'kind',
  'hash',
  'k1',
  'k2',
  'k3',
  'author',
  'subject',
  'signers',
  'body',
] as const;

/** Rows per multi-row INSERT: 12 columns stay under SQLite's 32,766 parameters. */
const ROWS_PER_INSERT = 500;

/** One accepted entry as a fact row (values in FACT_COLUMNS order). */
export function factRow(log: LogRef, index: number, entry: SignedStatement): SqlValue[] {
  const { statement } = entry;
  return factValues(
    log.origin,
    index,
    statement,
    hashOfStatement(statement),
    entry.signatures.map((s) => s.keyId),
  );
}

/** A fact row from a statement whose hash is known (bulk loads generate both). */
export function factValues(
  origin: string,
  index: number,
  statement: Statement,
  hash: string,
  signerKeyIds: readonly string[],
): SqlValue[] {
  const kind = regionKind(statement.kind);
  const [k1, k2, k3] = kind.lookup(statement, hash);
  const signers = kind.multiParty ? JSON.stringify(signerKeyIds) : null;
  return [
    origin,
    index,
    statement.iat,
    statement.kind,
    hash,
    k1,
    k2,
    k3,
    statement.author,
    statement.subject ?? null,
    signers,
    JSON.stringify(statement.body),
  ];
}

export class RegionStateConflict extends Error {
  override name = 'RegionStateConflict';
}

/**
 * Multi-row INSERT of fact rows. The same entry again (same position and hash) is kept once; a
 * different statement at a position already held — a fork, or an entry recorded that its log
 * does not hold — throws RegionStateConflict, so the transaction changes nothing.
 */
export async function insertFacts(q: Queryable, rows: readonly SqlValue[][]): Promise<void> {
  const width = FACT_COLUMNS.length;
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const values = chunk.map(() => `(${Array(width).fill('?').join(', ')})`).join(', ');
    const { changes } = await q.run(
      `INSERT INTO region_facts (${FACT_COLUMNS.join(', ')}) VALUES ${values} ON CONFLICT (origin, idx) DO NOTHING`,
      chunk.flat(),
    );
    if (changes < chunk.length) await sameFacts(q, chunk);
  }
}

/** Checks that rows already present hold the same statements (by hash) as `rows`. */
async function sameFacts(q: Queryable, rows: readonly SqlValue[][]): Promise<void> {
  const origin = FACT_COLUMNS.indexOf('origin');
  const idx = FACT_COLUMNS.indexOf('idx');
  const hash = FACT_COLUMNS.indexOf('hash');
  for (const row of rows) {
    const [o, i] = [row[origin], row[idx]];
    // Every row is built column by column from FACT_COLUMNS.
    if (o === undefined || i === undefined) throw new Error('region fact row lacks origin or idx');
    const [stored] = await q.all<{ hash: string }>(
      'SELECT hash FROM region_facts WHERE origin = ? AND idx = ?',
      [o, i],
    );
    if (stored && stored.hash !== row[hash])
      throw new RegionStateConflict(`${String(o)} entry ${String(i)} is already another statement`);
  }
}

/** Raises each log's stored position to at least `size`; never lowers it. */
export async function raisePositions(q: Queryable, sizes: ReadonlyMap<string, number>): Promise<void> {
  for (const [origin, size] of sizes) {
    await q.run(
      `INSERT INTO region_positions (origin, size) VALUES (?, ?) ON CONFLICT (origin) DO UPDATE
       SET size = CASE WHEN excluded.size > region_positions.size THEN excluded.size ELSE region_positions.size END`,
      [origin, size],
    );
  }
}

interface FactRow {
  readonly origin: string;
  readonly idx: number;
  readonly iat: number;
  readonly kind: string;
  readonly hash: string;
  readonly author: string;
  readonly subject: string | null;
  readonly signers: string | null;
  readonly body: string;
}

const SELECT_FACTS = 'SELECT origin, idx, iat, kind, hash, author, subject, signers, body FROM region_facts';

function foldRow(state: RegionState, row: FactRow): void {
  const statement = {
    kind: row.kind,
    v: STATEMENT_VERSION,
    author: row.author,
    iat: Number(row.iat),
    ...(row.subject === null ? {} : { subject: row.subject }),
    body: JSON.parse(row.body) as Json,
  } as Statement;
  const signers = row.signers === null ? [] : (JSON.parse(row.signers) as string[]);
  applyStatement(
    state,
    { iat: Number(row.iat), origin: row.origin, index: Number(row.idx) },
    row.hash,
    statement,
    signers,
  );
}

/** An accepted entry waiting to be written. */
export interface AcceptedEntry {
  readonly log: LogRef;
  readonly index: number;
  readonly entry: SignedStatement;
}

/** A log the state can catch up from: its entries from an index on, in log order. */
export interface ResumableLog {
  readonly log: LogRef;
  entriesFrom(start: number): AsyncIterable<{ readonly index: number; readonly entry: SignedStatement }>;
}

/** What `storedLog` reads: a log's store (the logbook's LogStore of a Sequencer or a LogMirror). */
export interface StoredEntries {
  entryCount(): Promise<number>;
  readEntries(start: number, end: number): Promise<readonly { index: number; entry: Uint8Array }[]>;
}

/**
 * A stored log as the SQL state follows it: only entries durably in the log (a witness accepts an
 * entry before its log stores it; following the store never records one the log does not keep),
 * in log order, parsed. A stored entry that does not parse is corruption: FoldError.
 */
export function storedLog(log: LogRef, store: StoredEntries, step = 4096): ResumableLog {
  return {
    log,
    async *entriesFrom(start) {
      const count = await store.entryCount();
      for (let from = start; from < count; from += step) {
        for (const { index, entry } of await store.readEntries(from, Math.min(count, from + step))) {
          const parsed = parseEntry(entry);
          if (!parsed.ok) throw new FoldError(`${log.origin} entry ${index}: ${parsed.problem.text}`);
          yield { index, entry: parsed.value };
        }
      }
    },
  };
}

/** What a resume did: entries read from the logs (only those past the stored positions). */
export interface ResumeReport {
  readonly read: number;
  readonly positions: ReadonlyMap<string, number>;
}

const placeholders = (n: number): string => Array(n).fill('?').join(', ');

/**
 * The region's state in SQL. Writes: `record` (one transaction: facts and positions), or
 * `enqueue` from a synchronous `EntryPolicy.accept` and `flush`. Reads: indexed queries that
 * answer from the tables, so they see what any process on the database accepted.
 */
export class SqlRegionState implements RegionStateQueries {
  readonly config: RegionConfig;
  readonly #db: Db;
  #queue: AcceptedEntry[] = [];
  #flushing: Promise<void> | undefined;
  #failure: unknown;

  private constructor(db: Db, config: RegionConfig) {
    this.#db = db;
    this.config = config;
  }

  static async open(db: Db, config: RegionConfig): Promise<SqlRegionState> {
    await db.exec(SCHEMA);
    return new SqlRegionState(db, config);
  }

  /** Writes accepted entries and raises their logs' positions, atomically. */
  async record(entries: readonly AcceptedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const sizes = new Map<string, number>();
    for (const { log, index } of entries)
      sizes.set(log.origin, Math.max(sizes.get(log.origin) ?? 0, index + 1));
    const rows = entries.map((e) => factRow(e.log, e.index, e.entry));
    await this.#db.transaction(async (tx) => {
      await insertFacts(tx, rows);
      await raisePositions(tx, sizes);
    });
  }

  /**
   * Queues an accepted entry (for a synchronous caller); `flush` writes the queue in order. Each
   * log's entries must be enqueued in log order (a position covers everything below it), and only
   * once durable in their log: an entry recorded that the log then fails to keep would be a fact
   * no log holds (and the log's next entry at that index a RegionStateConflict). Following the
   * stored logs with `resume(storedLog(...))` meets both by construction.
   */
  enqueue(log: LogRef, index: number, entry: SignedStatement): void {
    this.#queue.push({ log, index, entry });
    // A microtask later, so a synchronous burst of accepts becomes one transaction.
    this.#flushing ??= Promise.resolve().then(() => this.#drain());
  }

  /**
   * Resolves once everything enqueued so far is written; rejects with the error of a failed
   * write (its entries stay queued, ahead of any later ones, and the next flush retries them).
   */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#failure === undefined && this.#queue.length > 0) {
      this.#flushing = this.#drain();
      await this.#flushing;
    }
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Writes the queue batch by batch; never rejects (a failure waits for flush to report it). */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          await this.record(batch);
        } catch (error) {
          // Kept at the head, so no later entry of the log is written past a gap.
          this.#queue = [...batch, ...this.#queue];
          this.#failure = error;
          return;
        }
      }
      // Everything queued is written, also what a failed write had left.
      this.#failure = undefined;
    } finally {
      this.#flushing = undefined;
    }
  }

  /** origin → entries the tables hold (every index below it). */
  async positions(): Promise<Map<string, number>> {
    const rows = await this.#db.all<{ origin: string; size: number }>(
      'SELECT origin, size FROM region_positions',
    );
    return new Map(rows.map((r) => [r.origin, Number(r.size)]));
  }

  /** Folds into the tables what each log holds past its stored position; reads nothing else. */
  async resume(logs: readonly ResumableLog[], batch = 4096): Promise<ResumeReport> {
    const stored = await this.positions();
    let read = 0;
    for (const source of logs) {
      let pending: AcceptedEntry[] = [];
      for await (const { index, entry } of source.entriesFrom(stored.get(source.log.origin) ?? 0)) {
        read++;
        pending.push({ log: source.log, index, entry });
        if (pending.length >= batch) {
          await this.record(pending);
          pending = [];
        }
      }
      await this.record(pending);
    }
    return { read, positions: await this.positions() };
  }

  /**
   * Folds the facts matching any of `parts` (each a WHERE clause and its parameters). The parts
   * run as one UNION ALL, each through its own index (an OR across columns would make PostgreSQL
   * scan the table); a fact matched twice folds once, as the fold is idempotent.
   */
  async #slice(...parts: readonly (readonly [string, readonly SqlValue[]])[]): Promise<RegionState> {
    const state = createRegionState(this.config);
    const sql = parts.map(([where]) => `${SELECT_FACTS} WHERE ${where}`).join(' UNION ALL ');
    for (const row of await this.#db.all<FactRow>(
      sql,
      parts.flatMap(([, params]) => params),
    ))
      foldRow(state, row);
    return state;
  }

  /**
   * The state from the tables (tests, an in-memory policy's start): equal to the fold of every
   * log; with `judged`, of only the statements the witness rules read (JUDGED), which starts a
   * RegionPolicy without the localisation index and the access trail, most of the volume. Read
   * per log in ranges of `page` indexes along the primary key (or JUDGED's partial index).
   */
  async load(options: { readonly page?: number; readonly judged?: boolean } = {}): Promise<RegionState> {
    const page = options.page ?? 20_000;
    const state = createRegionState(this.config);
    const positions = await this.positions();
    const where = `origin = ? AND idx >= ? AND idx < ?${options.judged ? ` AND ${JUDGED}` : ''}`;
    for (const [origin, size] of positions) {
      for (let from = 0; from < size; from += page) {
        const rows = await this.#db.all<FactRow>(`${SELECT_FACTS} WHERE ${where}`, [
          origin,
          from,
          from + page,
        ]);
        for (const row of rows) foldRow(state, row);
      }
      state.logSizes.set(origin, size);
    }
    return state;
  }

  /**
   * Brings an in-memory state (a read-through cache of these tables, e.g. a RegionPolicy's) up to
   * what the tables hold: folds the facts past each log's size in `state`, along the primary key.
   * Cheap when nothing changed (one read of the positions). Returns the facts folded.
   */
  async catchUp(state: RegionState): Promise<number> {
    let folded = 0;
    for (const [origin, size] of await this.positions()) {
      const known = state.logSizes.get(origin) ?? 0;
      if (known >= size) continue;
      const rows = await this.#db.all<FactRow>(`${SELECT_FACTS} WHERE origin = ? AND idx >= ? AND idx < ?`, [
        origin,
        known,
        size,
      ]);
      for (const row of rows) foldRow(state, row);
      state.logSizes.set(origin, Math.max(state.logSizes.get(origin) ?? 0, size));
      folded += rows.length;
    }
    return folded;
  }

  // --- sections, by an indexed lookup each ---

  /** The keys register for these key IDs (bindings, rotations out, revocations), over the configured keys. */
  async keys(keyIds: readonly string[]): Promise<KeyRegister> {
    if (keyIds.length === 0) return createRegionState(this.config).keys;
    const list = placeholders(keyIds.length);
    const state = await this.#slice(
      [`k1 IN (${list}) AND kind = ${sqlKind(KIND_KEY)}`, keyIds],
      [`k2 IN (${list}) AND kind = ${sqlKind(KIND_KEY)}`, keyIds],
    );
    return state.keys;
  }

  /** A client's consent ledger (grants, objections, revocations), for effectiveConsent & co. */
  async consents(pseudonym: string): Promise<Map<string, ConsentLedger>> {
    return (await this.#slice([`k1 = ? AND kind = ${sqlKind(KIND_CONSENT)}`, [pseudonym]])).consents;
  }

  async holdersOf(pseudonym: string): Promise<Holding[]> {
    return holdersOf(
      (await this.#slice([`k1 = ? AND kind = ${sqlKind(KIND_INDEX)}`, [pseudonym]])).index,
      pseudonym,
    );
  }

  /** The clients a holder stated it holds records of, sorted. */
  async clientsOf(holder: string): Promise<string[]> {
    const rows = await this.#db.all<{ k1: string }>(
      `SELECT DISTINCT k1 FROM region_facts WHERE k2 = ? AND kind = ${sqlKind(KIND_INDEX)}`,
      [holder],
    );
    return rows.map((r) => r.k1).sort();
  }

  async insurersOf(pseudonym: string): Promise<string[]> {
    return insurersOf(
      await this.#slice([`k1 = ? AND kind = ${sqlKind(KIND_INDEX)}`, [pseudonym]]),
      pseudonym,
    );
  }

  async accessesOf(pseudonym: string): Promise<readonly AccessRecord[]> {
    return accessesOf(
      (await this.#slice([`k1 = ? AND kind = ${sqlKind(KIND_ACCESS)}`, [pseudonym]])).access,
      pseudonym,
    );
  }

  /** Mijn Zorg Log for one indication: its versions, its entries and their decisions. */
  async carelogOfIndication(indication: string): Promise<Carelog> {
    const state = await this.#slice(
      [
        `k1 = ? AND kind IN (${sqlKind(KIND_CARELOG_INDICATION)}, ${sqlKind(KIND_CARELOG_ENTRY)})`,
        [indication],
      ],
      [
        `k1 IN (SELECT k2 FROM region_facts WHERE k1 = ? AND kind = ${sqlKind(KIND_CARELOG_ENTRY)}) AND kind = ${sqlKind(KIND_CARELOG_APPROVAL)}`,
        [indication],
      ],
    );
    return state.carelog;
  }

  /** Mijn Zorg Log for one care entry: the entry and the decisions on it. */
  async carelogOfEntry(entryHash: string): Promise<Carelog> {
    const state = await this.#slice(
      [`k2 = ? AND kind = ${sqlKind(KIND_CARELOG_ENTRY)}`, [entryHash]],
      [`k1 = ? AND kind = ${sqlKind(KIND_CARELOG_APPROVAL)}`, [entryHash]],
    );
    return state.carelog;
  }

  /** What an insurer may declare: approved minutes per client it holds records of. */
  async approvedMinutesForInsurer(insurer: string): Promise<Map<string, number>> {
    const clients = `SELECT k1 FROM region_facts WHERE k2 = ? AND kind = ${sqlKind(KIND_INDEX)}`;
    const state = await this.#slice(
      // Of the insurer's holdings only those of clients with care entries (what the answer needs).
      [
        `k1 IN (SELECT k3 FROM region_facts WHERE k3 IN (${clients}) AND kind = ${sqlKind(KIND_CARELOG_ENTRY)}) AND kind = ${sqlKind(KIND_INDEX)} AND k2 = ?`,
        [insurer, insurer],
      ],
      [`k3 IN (${clients}) AND kind = ${sqlKind(KIND_CARELOG_ENTRY)}`, [insurer]],
      [`k3 IN (${clients}) AND kind = ${sqlKind(KIND_CARELOG_APPROVAL)}`, [insurer]],
    );
    return approvedMinutesForInsurer(state, insurer);
  }

  /** An agreement's terms and who signed them (their keys resolved from the tables). */
  async agreementStatus(agreement: string): Promise<AgreementStatus | undefined> {
    const state = await this.#slice([`k1 = ? AND kind = ${sqlKind(KIND_AGREEMENT)}`, [agreement]]);
    const signers = new Set<string>();
    for (const versions of state.analysis.agreements.values())
      for (const version of versions.values())
        for (const signing of version.signings.values()) for (const k of signing.signerKeyIds) signers.add(k);
    const keys = await this.keys([...signers]);
    return agreementStatus({ ...state, keys }, agreement);
  }

  async runsOf(agreement: string): Promise<RunRecord[]> {
    return runsOf(
      (await this.#slice([`k1 = ? AND kind = ${sqlKind(KIND_ANALYSIS_RUN)}`, [agreement]])).analysis,
      agreement,
    );
  }

  /** Agreement ids with at least one statement, sorted. */
  async agreements(): Promise<string[]> {
    const rows = await this.#db.all<{ k1: string }>(
      `SELECT DISTINCT k1 FROM region_facts WHERE kind = ${sqlKind(KIND_AGREEMENT)}`,
    );
    return rows.map((r) => r.k1).sort();
  }
}
