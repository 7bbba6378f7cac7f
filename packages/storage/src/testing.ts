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

async function openFreshPostgres(): Promise<Db> {
  const url = process.env.KETENLOG_TEST_PG;
  if (!url)
    throw new Error('KETENLOG_TEST_PG is not set: run the tests through vitest (test/global-setup.ts)');
  const schema = `t_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
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
