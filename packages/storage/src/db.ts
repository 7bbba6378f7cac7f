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

export interface Db extends Queryable {
  readonly dialect: Dialect;
  /** Runs `fn` atomically: everything commits or nothing does. Transactions are serialised. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs DDL (several statements separated by `;`). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
