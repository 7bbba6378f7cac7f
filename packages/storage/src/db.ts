/**
 * One query layer, two engines. SQL is written once with `?` placeholders in the common subset of
 * SQLite and PostgreSQL (TEXT, BIGINT, DOUBLE PRECISION, ON CONFLICT ...); each engine adapter
 * translates placeholders and normalises result types (BIGINT comes back as a JS number).
 */
export type SqlValue = string | number | bigint | null | Uint8Array;

export type Row = Record<string, unknown>;

export interface Queryable {
  /** Runs a query and returns all rows. */
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export type Dialect = 'sqlite' | 'postgres';

/**
 * A connection of its own, outside the pool, for what lives as long as a connection: session-level
 * advisory locks (released by the server when the connection ends, also when the process dies)
 * and LISTEN. Queries on it run one at a time, in order.
 */
export interface DbSession extends Queryable {
  /** LISTENs on `channel`; `onPayload` gets each notification's payload. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>;
  /** Settles once the connection is gone (closed, broken, or the server ended it). */
  readonly ended: Promise<void>;
  /**
   * Opens a dedicated connection (PostgreSQL only; undefined on SQLite, which one process owns).
   * `keepaliveSeconds` bounds how long the server keeps a session whose peer vanished without
   * closing it (a partition), and so how long its advisory locks outlive it.
   */
  session?(options?: { keepaliveSeconds?: number }): Promise<DbSession>;
  close(): Promise<void>;
}

export interface Db extends Queryable {
  readonly dialect: Dialect;
  /** Runs `fn` atomically: everything commits or nothing does. Transactions are serialised. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs DDL (several statements separated by `;`). */
  exec(sql: string): Promise<void>;
  /**
   * Opens a dedicated connection (PostgreSQL only; undefined on SQLite, which one process owns).
   * `keepaliveSeconds` bounds how long the server keeps a session whose peer vanished without
   * closing it (a partition), and so how long its advisory locks outlive it.
   */
  session?(options?: { keepaliveSeconds?: number }): Promise<DbSession>;
  close(): Promise<void>;
}

/** The row of a query that always returns one (an aggregate, the RETURNING of one insert). */
export function oneRow<T>(rows: readonly T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error('the query returned no row');
  return row;
}
