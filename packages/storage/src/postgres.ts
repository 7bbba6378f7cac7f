import pg from 'pg';
import type { Db, DbSession, Queryable, Row, SqlValue } from './db.ts';
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

/** Advisory-lock key space of schema changes (the first of pg_advisory_xact_lock's two keys). */
const DDL_LOCK = 0x6b646466; // 'kddf'

/** Distinct SQL texts kept as named prepared statements (per connection on the server). */
const MAX_NAMED = 2000;
/** Queries (not INSERTs) with more parameters than this are not named (see `statement`). */
const MAX_NAMED_PARAMS = 64;

/** pg sends a Buffer as bytea; a plain Uint8Array would be sent as text. */
const toPgParams = (params: readonly SqlValue[]): unknown[] =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

/**
 * A dedicated client. The server-side TCP keepalive settings make the server end a session whose
 * client vanished (a partition) within about `keepaliveSeconds`, releasing its advisory locks.
 */
async function openSession(
  url: string,
  searchPath: string | undefined,
  keepaliveSeconds: number,
): Promise<DbSession> {
  const settings = [
    ...(searchPath ? [`-c search_path=${searchPath}`] : []),
    `-c tcp_keepalives_idle=${keepaliveSeconds}`,
    '-c tcp_keepalives_interval=1',
    `-c tcp_keepalives_count=${keepaliveSeconds}`,
  ];
  const client = new pg.Client({
    connectionString: url,
    types: typeParsers,
    keepAlive: true,
    keepAliveInitialDelayMillis: keepaliveSeconds * 1000,
    options: settings.join(' '),
  });
  const listeners = new Map<string, (payload: string) => void>();
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  client.on('notification', (message) => listeners.get(message.channel)?.(message.payload ?? ''));
  // A broken connection is reported through `ended`, never as an uncaught 'error' event.
  client.on('error', () => markEnded());
  client.on('end', () => markEnded());
  try {
    await client.connect();
  } catch (error) {
    markEnded();
    throw error;
  }
  const query = (sql: string, params: readonly SqlValue[]) =>
    client.query({ text: toNumberedPlaceholders(sql), values: toPgParams(params) });
  return {
    async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      return (await query(sql, params)).rows as T[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
      return { changes: (await query(sql, params)).rowCount ?? 0 };
    },
    async listen(channel: string, onPayload: (payload: string) => void): Promise<void> {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
      listeners.set(channel, onPayload);
      await client.query(`LISTEN ${channel}`);
    },
    ended,
    async close(): Promise<void> {
      await client.end().catch(() => undefined);
      markEnded();
    },
  };
}

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
        // A checked-out client has no error listener of the pool's: a connection lost mid-transaction
        // (the server restarted) would be an uncaught 'error' event and end the process. The
        // transaction's own query rejects; the client is destroyed on release.
        const lost = () => (broken = true);
        client.on('error', lost);
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
          client.removeListener('error', lost);
          client.release(broken);
        }
      });
    },
    async exec(sql: string): Promise<void> {
      // Simple-query protocol: several `;`-separated statements in one round trip, as one implicit
      // transaction. Its advisory lock makes processes that start together on one schema run their
      // DDL one after another: concurrent CREATE TABLE IF NOT EXISTS can fail in PostgreSQL.
      await pool.query(`SELECT pg_advisory_xact_lock(${DDL_LOCK}, hashtext(current_schema())); ${sql}`);
    },
    session: (sessionOptions = {}) =>
      openSession(url, options.searchPath, sessionOptions.keepaliveSeconds ?? 5),
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
