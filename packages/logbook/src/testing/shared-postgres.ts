// Test helper: one PostgreSQL schema that several "processes" open, each through its own pool (as
// separate node processes would), for the tests of one log written by several processes.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openPostgres, type Db } from '@ketenlog/storage';

export interface SharedSchema {
  readonly url: string;
  readonly schema: string;
  /** A new pool on the schema: one more process. */
  open(): Promise<Db>;
  /** Drops the schema (after every pool opened on it is closed). */
  drop(): Promise<void>;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh schema on the test database of test/global-setup.ts (or KETENLOG_BENCH_PG / `url`). */
export async function sharedSchema(url = process.env.KETENLOG_TEST_PG): Promise<SharedSchema> {
  if (!url)
    throw new Error('KETENLOG_TEST_PG is not set: run the tests through vitest (test/global-setup.ts)');
  const schema = `t_${randomUUID().replace(/-/g, '')}`;
  await admin(url, `CREATE SCHEMA ${schema}`);
  return {
    url,
    schema,
    open: () => openPostgres(url, { searchPath: schema }),
    drop: () => admin(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}
