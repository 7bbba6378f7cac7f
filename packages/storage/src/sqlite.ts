import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { oneRow, type Db, type Queryable, type Row, type SqlValue } from './db.ts';
import { Mutex } from './mutex.ts';

/** Prepared statements are kept per connection, keyed by SQL text; the cap bounds memory. */
const STATEMENT_CACHE_SIZE = 1000;

/** How long a connection waits for another process's write lock before SQLITE_BUSY (ms). */
const BUSY_TIMEOUT_MS = 5000;

/** Most transactions committed together (group commit). */
const MAX_GROUP = 256;

/**
 * Rows changed between two `PRAGMA optimize` runs. Without statistics SQLite's planner can pick an
 * index that avoids a sort over one that finds the few matching rows (a search that should read ten
 * index entries reads every row of its type); `optimize` runs ANALYZE on tables whose size changed
 * a lot, cheaply (analysis_limit).
 */
const OPTIMIZE_EVERY_CHANGES = 10_000;

/** One `node:sqlite` connection with a statement cache. */
class Connection {
  readonly raw: DatabaseSync;
  #statements = new Map<string, StatementSync>();

  constructor(path: string, options: { readOnly: boolean }) {
    this.raw = new DatabaseSync(path, { readOnly: options.readOnly, timeout: BUSY_TIMEOUT_MS });
  }

  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        // Maps iterate in insertion order: drop the oldest entry.
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  all<T>(sql: string, params: readonly SqlValue[]): T[] {
    return this.statement(sql).all(...(params as SqlValue[])) as T[];
  }

  run(sql: string, params: readonly SqlValue[]): { changes: number } {
    return { changes: Number(this.statement(sql).run(...(params as SqlValue[])).changes) };
  }
}

/**
 * Plain reads go to a second connection: in WAL mode it sees the last committed state, never the
 * uncommitted writes of a transaction that is awaiting something on the writer connection.
 * Anything that may write (including `INSERT ... RETURNING`) goes through the writer.
 */
const isPlainRead = (sql: string): boolean =>
  /^\s*(SELECT|WITH)\b/i.test(sql) && !/\b(INSERT|UPDATE|DELETE|REPLACE|RETURNING)\b/i.test(sql);

/**
 * Opens (or creates) a SQLite database on the built-in `node:sqlite`: WAL journal,
 * `synchronous=FULL` (a commit is on disk before it returns), and transactions serialised by an
 * in-process lock with `BEGIN IMMEDIATE`, because one connection is the only writer; concurrent
 * transactions are committed in groups (see `runGroup`).
 */
export async function openSqlite(path: string): Promise<Db> {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const writer = new Connection(path, { readOnly: false });
  writer.raw.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA analysis_limit = 1000`,
  );
  // At open: statistics for every table that lacks them or has changed much (SQLite's advice for
  // long-lived connections), then again after every OPTIMIZE_EVERY_CHANGES rows written.
  writer.raw.exec('PRAGMA optimize = 0x10002');
  // Through the statement cache: a fresh prepare per commit left a native statement for the GC to
  // finalize each time (thousands a minute under load), churning and fragmenting the C heap.
  const totalChanges = (): number =>
    Number(oneRow(writer.all<{ n: number | bigint }>('SELECT total_changes() AS n', [])).n);
  let changesAtOptimize = totalChanges();
  const optimizeWhenDue = (): void => {
    const now = totalChanges();
    if (now - changesAtOptimize < OPTIMIZE_EVERY_CHANGES) return;
    changesAtOptimize = now;
    writer.raw.exec('PRAGMA optimize');
  };
  // An in-memory database is private to its connection, so it has no separate reader.
  const reader = inMemory ? undefined : new Connection(path, { readOnly: true });
  reader?.raw.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);

  const lock = new Mutex();
  // Marks the async context of a running transaction, to catch `db.run` inside `db.transaction`
  // (which would otherwise wait for its own lock forever).
  const inTransaction = new AsyncLocalStorage<boolean>();
  const guard = (): void => {
    if (inTransaction.getStore()) {
      throw new Error('use the transaction handle (tx), not the Db, inside db.transaction()');
    }
  };
  let closed = false;

  // Group commit: queued transactions run one after another inside one database transaction,
  // each in its own savepoint, so one that fails is rolled back alone; all resolve only after the
  // shared COMMIT, so a resolved transaction is durable (synchronous=FULL).
  interface Pending {
    fn: (tx: Queryable) => Promise<unknown>;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }
  const queue: Pending[] = [];
  let draining = false;
  const runGroup = async (group: readonly Pending[]): Promise<void> => {
    /** How each transaction of the group settles, once the group has committed. */
    const settle: Array<() => void> = [];
    try {
      writer.raw.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const p of group) p.reject(error);
      return;
    }
    for (const p of group) {
      writer.raw.exec('SAVEPOINT tx');
      try {
        const value = await inTransaction.run(true, () => p.fn(tx));
        writer.raw.exec('RELEASE tx');
        settle.push(() => p.resolve(value));
      } catch (error) {
        if (writer.raw.isTransaction) writer.raw.exec('ROLLBACK TO tx; RELEASE tx');
        settle.push(() => p.reject(error));
      }
    }
    try {
      writer.raw.exec('COMMIT');
    } catch (error) {
      if (writer.raw.isTransaction) writer.raw.exec('ROLLBACK');
      for (const p of group) p.reject(error);
      return;
    }
    optimizeWhenDue();
    for (const settled of settle) settled();
  };
  const drain = (): void => {
    const group = queue.splice(0, MAX_GROUP);
    void lock
      .runExclusive(() => runGroup(group))
      .finally(() => {
        if (queue.length > 0) setImmediate(drain);
        else draining = false;
      });
  };

  const tx: Queryable = {
    all: async <T = Row>(sql: string, params: readonly SqlValue[] = []) => writer.all<T>(sql, params),
    run: async (sql: string, params: readonly SqlValue[] = []) => writer.run(sql, params),
  };

  const db: Db = {
    dialect: 'sqlite',
    async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      if (reader && isPlainRead(sql)) return reader.all<T>(sql, params);
      guard();
      return lock.runExclusive(async () => writer.all<T>(sql, params));
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
      guard();
      return lock.runExclusive(async () => writer.run(sql, params));
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      guard();
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) {
          draining = true;
          // Transactions begun in this turn of the event loop (e.g. by concurrent requests) join
          // one group: one BEGIN, one savepoint each, one COMMIT (one fsync).
          setImmediate(drain);
        }
      });
    },
    async exec(sql: string): Promise<void> {
      guard();
      await lock.runExclusive(async () => writer.raw.exec(sql));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await lock.runExclusive(async () => {
        reader?.raw.close();
        writer.raw.close();
      });
    },
  };
  return db;
}
