import pg from 'pg';
import type { Db, Queryable, Row, SqlValue } from './db.ts';
import { Mutex } from './mutex.ts';
import { toNumberedPlaceholders } from './placeholders.ts';

/** PostgreSQL type OIDs whose text form we parse ourselves. */
const INT8_OID = 20;

/**
 * Type parsers for this pool only (not pg's process-wide defaults): BIGINT comes back as a JS
 * number, as the Db contract promises. Values we store (epoch ms, versions, counts) are far
 * below 2^53.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Distinct SQL texts kept as named prepared statements (per connection on the server). */
const MAX_NAMED = 2000;
/** Queries (not INSERTs) with more parameters than this are not named (see `statement`). */
const MAX_NAMED_PARAMS = 64;

/** pg sends a Buffer as bytea; a plain Uint8Array would be sent as text. */
const toPgParams = (params: readonly SqlValue[]): unknown[] =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

/**
 * Opens a PostgreSQL database through a `pg` Pool. SQL uses `?` placeholders (translated once
 * per distinct SQL text and cached); each transaction runs on one pooled client. Transactions
 * are serialised within this process, as the Db contract promises.
 */
export async function openPostgres(url: string, options: { searchPath?: string } = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    types: typeParsers,
    max: 10,
    // Applied to every new connection, e.g. an isolated schema for a test.
    options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Fail at open time, not at the first query, when the server is unreachable.
  (await pool.connect()).release();

  // Each distinct SQL text is translated once and becomes a named prepared statement, so the
  // server parses and plans it once per connection (planning can cost more than running a
  // search). Beyond MAX_NAMED distinct texts, further ones run unnamed.
  const statements = new Map<string, pg.QueryConfig>();
  const statement = (sql: string, params: readonly SqlValue[]): pg.QueryConfig => {
    let known = statements.get(sql);
    if (known === undefined) {
      // A generic plan chosen while a table was small (a seq scan) would stay in use as it
      // grows; queries with long IN lists are planned per execution instead.
      const named =
        statements.size < MAX_NAMED && (params.length <= MAX_NAMED_PARAMS || /^\s*INSERT\b/i.test(sql));
      known = { text: toNumberedPlaceholders(sql), ...(named ? { name: `k${statements.size}` } : {}) };
      if (named) statements.set(sql, known);
    }
    return { ...known, values: toPgParams(params) };
  };
  const lock = new Mutex();

  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      const result = await client.query(statement(sql, params));
      return result.rows as T[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
      const result = await client.query(statement(sql, params));
      return { changes: result.rowCount ?? 0 };
    },
  });

  const direct = on(pool);
  return {
    dialect: 'postgres',
    all: direct.all,
    run: direct.run,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return lock.runExclusive(async () => {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query('BEGIN');
          const result = await fn(on(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true;
          }
          throw error;
        } finally {
          // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
          client.release(broken);
        }
      });
    },
    async exec(sql: string): Promise<void> {
      // Schema changes run one at a time per schema, across processes: several node processes
      // starting together on one database would otherwise race their CREATE ... IF NOT EXISTS, and
      // PostgreSQL fails the loser (a unique violation on pg_type or pg_class) instead of skipping.
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('SELECT pg_advisory_lock(hashtext(current_schema()))');
        try {
          // Simple-query protocol: several `;`-separated statements in one round trip.
          await client.query(sql);
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext(current_schema()))').catch(() => {
            broken = true;
          });
        }
      } finally {
        // A connection that may still hold the lock is closed, which releases it.
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
