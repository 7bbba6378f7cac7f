/**
 * Short-lived shared state with an expiry: sessions, ceremony challenges, login states, replay
 * records and rate-limit counters. Several node processes of one organisation share it through
 * their database, so a request may reach any of them; every operation that decides something
 * (insert if absent, take once, count) is one atomic SQL statement, never a read then a write.
 *
 * Times are epoch milliseconds passed in by the caller (an injected clock); an entry whose
 * `expiresAt` is at or before `now` is gone for every operation, and `sweep` deletes it for good.
 */
import { oneRow, type Db, type SqlValue } from './db.ts';

/** One namespace of the store (`sessions`, `node-token-jti`, ...): keys are unique within it. */
export interface EphemeralSpace {
  /** The live value under `key`, or undefined. */
  get(key: string, now: number): Promise<string | undefined>;
  /** Sets `key` (replacing whatever was there) until `expiresAt`. */
  put(key: string, value: string, expiresAt: number): Promise<void>;
  /** Sets `key` only when no live entry holds it; true when this call set it (replay records). */
  insertIfAbsent(key: string, value: string, expiresAt: number, now: number): Promise<boolean>;
  /** Changes a live entry's value, keeping its expiry; false when there is none (ended, expired). */
  replace(key: string, value: string, now: number): Promise<boolean>;
  /** Removes the entry and returns its value when it was live: of racing takers, one gets it. */
  take(key: string, now: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /**
   * Counts one hit on `key` in a fixed window that starts with the first hit and lasts `windowMs`;
   * returns the count including this hit and when the window ends.
   */
  hit(key: string, now: number, windowMs: number): Promise<{ hits: number; expiresAt: number }>;
  /** Every live entry of the namespace (for revoking by what a value says). */
  entries(now: number): Promise<Array<{ key: string; value: string }>>;
}

export interface EphemeralStore {
  space(namespace: string): EphemeralSpace;
  /** Deletes every expired entry; returns how many. */
  sweep(now: number): Promise<number>;
}

export const EPHEMERAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS ephemeral_entries (
  namespace TEXT NOT NULL,
  entry_key TEXT NOT NULL,
  value TEXT NOT NULL,
  hits BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (namespace, entry_key)
);
CREATE INDEX IF NOT EXISTS ephemeral_entries_expiry ON ephemeral_entries (expires_at)`;

/** How often a node deletes expired entries, by default. */
export const SWEEP_INTERVAL_MS = 60_000;

interface EntryRow {
  value: string;
  expires_at: number;
}

/** The store in the node's database (SQLite for one process, PostgreSQL for several). */
export class SqlEphemeralStore implements EphemeralStore {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  /** Creates the table if needed. */
  static async open(db: Db): Promise<SqlEphemeralStore> {
    await db.exec(EPHEMERAL_SCHEMA);
    return new SqlEphemeralStore(db);
  }

  space(namespace: string): EphemeralSpace {
    const db = this.#db;
    // On SQLite a write outside a transaction commits, and syncs to disk, on its own; inside
    // db.transaction the writes of one turn of the event loop share one commit (a node verifying
    // many node tokens at once paid one fsync each). PostgreSQL writes straight on its pool:
    // its transactions are serialised per process, its statements are not.
    const write =
      db.dialect === 'sqlite'
        ? {
            run: (sql: string, params: readonly SqlValue[]) => db.transaction((tx) => tx.run(sql, params)),
            all: <T>(sql: string, params: readonly SqlValue[]) =>
              db.transaction((tx) => tx.all<T>(sql, params)),
          }
        : { run: db.run.bind(db), all: db.all.bind(db) };
    return {
      async get(key, now) {
        const rows = await db.all<EntryRow>(
          'SELECT value, expires_at FROM ephemeral_entries WHERE namespace = ? AND entry_key = ? AND expires_at > ?',
          [namespace, key, now],
        );
        return rows[0]?.value;
      },
      async put(key, value, expiresAt) {
        await write.run(
          `INSERT INTO ephemeral_entries (namespace, entry_key, value, hits, expires_at) VALUES (?, ?, ?, 0, ?)
           ON CONFLICT (namespace, entry_key) DO UPDATE SET value = excluded.value, hits = 0,
             expires_at = excluded.expires_at`,
          [namespace, key, value, expiresAt],
        );
      },
      async insertIfAbsent(key, value, expiresAt, now) {
        // An expired entry counts as absent: it is taken over in the same statement.
        const { changes } = await write.run(
          `INSERT INTO ephemeral_entries (namespace, entry_key, value, hits, expires_at) VALUES (?, ?, ?, 0, ?)
           ON CONFLICT (namespace, entry_key) DO UPDATE SET value = excluded.value, hits = 0,
             expires_at = excluded.expires_at
           WHERE ephemeral_entries.expires_at <= ?`,
          [namespace, key, value, expiresAt, now],
        );
        return changes === 1;
      },
      async replace(key, value, now) {
        const { changes } = await write.run(
          'UPDATE ephemeral_entries SET value = ? WHERE namespace = ? AND entry_key = ? AND expires_at > ?',
          [value, namespace, key, now],
        );
        return changes === 1;
      },
      async take(key, now) {
        const rows = await write.all<EntryRow>(
          'DELETE FROM ephemeral_entries WHERE namespace = ? AND entry_key = ? RETURNING value, expires_at',
          [namespace, key],
        );
        const row = rows[0];
        return row && Number(row.expires_at) > now ? row.value : undefined;
      },
      async delete(key) {
        await write.run('DELETE FROM ephemeral_entries WHERE namespace = ? AND entry_key = ?', [
          namespace,
          key,
        ]);
      },
      async hit(key, now, windowMs) {
        // Both SET expressions read the row as it was, so an expired window restarts at 1.
        const rows = await write.all<{ hits: number; expires_at: number }>(
          `INSERT INTO ephemeral_entries (namespace, entry_key, value, hits, expires_at) VALUES (?, ?, '', 1, ?)
           ON CONFLICT (namespace, entry_key) DO UPDATE SET
             hits = CASE WHEN ephemeral_entries.expires_at <= ? THEN 1 ELSE ephemeral_entries.hits + 1 END,
             expires_at = CASE WHEN ephemeral_entries.expires_at <= ? THEN excluded.expires_at
               ELSE ephemeral_entries.expires_at END
           RETURNING hits, expires_at`,
          [namespace, key, now + windowMs, now, now],
        );
        const { hits, expires_at } = oneRow(rows);
        return { hits: Number(hits), expiresAt: Number(expires_at) };
      },
      async entries(now) {
        return db.all<{ key: string; value: string }>(
          'SELECT entry_key AS key, value FROM ephemeral_entries WHERE namespace = ? AND expires_at > ?',
          [namespace, now],
        );
      },
    };
  }

  async sweep(now: number): Promise<number> {
    return (await this.#db.run('DELETE FROM ephemeral_entries WHERE expires_at <= ?', [now])).changes;
  }
}

/**
 * The store in this process's memory: for unit tests, and for a node without logins (nothing is
 * ever stored there). Never for state several processes must share.
 */
export class MemoryEphemeralStore implements EphemeralStore {
  readonly #entries = new Map<string, { value: string; hits: number; expiresAt: number }>();

  space(namespace: string): EphemeralSpace {
    const entries = this.#entries;
    const id = (key: string) => `${namespace}\u0000${key}`;
    const live = (key: string, now: number) => {
      const entry = entries.get(id(key));
      return entry && entry.expiresAt > now ? entry : undefined;
    };
    return {
      get: async (key, now) => live(key, now)?.value,
      put: async (key, value, expiresAt) => {
        entries.set(id(key), { value, hits: 0, expiresAt });
      },
      insertIfAbsent: async (key, value, expiresAt, now) => {
        if (live(key, now)) return false;
        entries.set(id(key), { value, hits: 0, expiresAt });
        return true;
      },
      replace: async (key, value, now) => {
        const entry = live(key, now);
        if (entry) entry.value = value;
        return entry !== undefined;
      },
      take: async (key, now) => {
        const entry = live(key, now);
        entries.delete(id(key));
        return entry?.value;
      },
      delete: async (key) => {
        entries.delete(id(key));
      },
      hit: async (key, now, windowMs) => {
        const entry = live(key, now) ?? { value: '', hits: 0, expiresAt: now + windowMs };
        entry.hits++;
        entries.set(id(key), entry);
        return { hits: entry.hits, expiresAt: entry.expiresAt };
      },
      entries: async (now) =>
        [...entries]
          .filter(([k, e]) => k.startsWith(`${namespace}\u0000`) && e.expiresAt > now)
          .map(([k, e]) => ({ key: k.slice(namespace.length + 1), value: e.value })),
    };
  }

  async sweep(now: number): Promise<number> {
    let swept = 0;
    for (const [k, e] of this.#entries)
      if (e.expiresAt <= now) {
        this.#entries.delete(k);
        swept++;
      }
    return swept;
  }
}

/**
 * Sweeps the store every `intervalMs` (a timer that does not keep the process alive); call the
 * returned function to stop. A failed sweep (database briefly away) is tried again next time.
 */
export function sweepPeriodically(
  store: Pick<EphemeralStore, 'sweep'>,
  options: { intervalMs?: number; now?: () => number; onError?: (error: unknown) => void } = {},
): () => void {
  const now = options.now ?? Date.now;
  const timer = setInterval(() => {
    store.sweep(now()).catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
