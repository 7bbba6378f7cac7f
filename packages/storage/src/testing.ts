/**
 * Test helper: the storage engines every storage-backed suite runs against. Each `open()` gives
 * an isolated, empty database: a fresh temporary SQLite file, or a fresh PostgreSQL schema.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from './db.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  open: () => Promise<Db>;
}

/** A fresh schema that several pools may open, as several processes of one node would. */
export interface PostgresSchema {
  readonly url: string;
  readonly schema: string;
  /** A new pool on the schema. */
  open(): Promise<Db>;
  /** Drops the schema (once every pool on it is closed). */
  drop(): Promise<void>;
}

async function asAdmin(url: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A fresh schema on the test database (KETENLOG_TEST_PG, set by test/global-setup.ts) or on `url`. */
export async function freshPostgresSchema(url = process.env.KETENLOG_TEST_PG): Promise<PostgresSchema> {
  if (!url)
    throw new Error('KETENLOG_TEST_PG is not set: run the tests through vitest (test/global-setup.ts)');
  const schema = `t_${randomUUID().replace(/-/g, '')}`;
  await asAdmin(url, `CREATE SCHEMA ${schema}`);
  return {
    url,
    schema,
    open: () => openPostgres(url, { searchPath: schema }),
    drop: () => asAdmin(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

async function openFreshPostgres(): Promise<Db> {
  const { schema, open } = await freshPostgresSchema();
  const db = await open();
  return {
    ...db,
    // The schema goes with the handle, so test runs do not pile up schemas in the shared database.
    async close() {
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    },
  };
}

async function openFreshSqlite(): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-test-'));
  const db = await openSqlite(join(dir, 'test.db'));
  return {
    ...db,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testDatabases(): TestDatabase[] {
  return [
    { name: 'sqlite', open: openFreshSqlite },
    { name: 'postgres', open: openFreshPostgres },
  ];
}
