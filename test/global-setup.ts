/**
 * vitest globalSetup: provisions the PostgreSQL server the storage tests run against, so the
 * same suites run on SQLite and PostgreSQL. Never skips silently: without PostgreSQL it fails
 * with the command to run. Set KETENLOG_TEST_PG to use an existing server instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { ensureChromium } from './chromium.ts';
import { ensureHaproxy } from './haproxy.ts';

const ROLE = 'ketenlog';
const DATABASE = 'ketenlog_test';
const TEST_URL = `postgresql://${ROLE}:${ROLE}@127.0.0.1:5432/${DATABASE}`;
const INSTALL = 'apt-get update && apt-get install -y postgresql';

const sh = (command: string): string =>
  execFileSync('sh', ['-c', command], { encoding: 'utf8', stdio: 'pipe' });
const asPostgres = (sql: string): string =>
  execFileSync('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -tAc "${sql.replace(/"/g, '\\"')}"`], {
    encoding: 'utf8',
    stdio: 'pipe',
  }).trim();

function clusterVersion(): string | undefined {
  if (!existsSync('/etc/postgresql')) return undefined;
  return readdirSync('/etc/postgresql')
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))[0];
}

function provision(): void {
  const root = process.getuid?.() === 0;
  let version = clusterVersion();
  if (!version) {
    if (!root) throw new Error(`PostgreSQL is needed for the test suite. Run as root: ${INSTALL}`);
    sh(`${INSTALL} >/dev/null 2>&1`);
    version = clusterVersion();
    if (!version) throw new Error(`PostgreSQL is not installed after: ${INSTALL}`);
  }
  if (!sh(`pg_lsclusters -h ${version} main`).includes('online')) {
    if (!root) throw new Error(`PostgreSQL is not running. Run as root: pg_ctlcluster ${version} main start`);
    sh(`pg_ctlcluster ${version} main start`);
  }
  if (!root) return; // a running server prepared by an administrator; the connection test below tells.
  if (asPostgres(`SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'`) !== '1') {
    asPostgres(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE}'`);
  }
  if (asPostgres(`SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`) !== '1') {
    asPostgres(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`);
  }
}

/** The URL as it may appear in an error message. */
function withoutPassword(url: string): string {
  try {
    const parsed = new globalThis.URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export default async function setup(): Promise<void> {
  ensureChromium();
  ensureHaproxy();
  if (!process.env.KETENLOG_TEST_PG) {
    provision();
    process.env.KETENLOG_TEST_PG = TEST_URL;
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env.KETENLOG_TEST_PG });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot connect to the test PostgreSQL at ${withoutPassword(process.env.KETENLOG_TEST_PG)}`,
      {
        cause: error,
      },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
