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

function testPostgresUrl(): string {
  const url = process.env.KETENLOG_TEST_PG;
  if (!url)
    throw new Error('KETENLOG_TEST_PG is not set: run the tests through vitest (test/global-setup.ts)');
  return url;
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testPostgresUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh PostgreSQL schema that several handles open, as several node processes of one
 * organisation share one database; `drop` removes it once every handle is closed.
 */
export async function sharedPostgresSchema(): Promise<{
  readonly url: string;
  readonly schema: string;
  open(): Promise<Db>;
  drop(): Promise<void>;
}> {
  const url = testPostgresUrl();
  const schema = `t_${randomUUID().replace(/-/g, '')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  return {
    url,
    schema,
    open: () => openPostgres(url, { searchPath: schema }),
    drop: () => adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

async function openFreshPostgres(): Promise<Db> {
  const url = testPostgresUrl();
  const schema = `t_${randomUUID().replace(/-/g, '')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres(url, { searchPath: schema });
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
