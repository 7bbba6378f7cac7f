import type { Db } from './db.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

/**
 * Opens the database named by a `--database` value: a `postgres://` or `postgresql://` URL is
 * PostgreSQL; anything else is a SQLite file path (or `:memory:`).
 */
export function openDatabase(spec: string): Promise<Db> {
  return /^postgres(ql)?:\/\//i.test(spec) ? openPostgres(spec) : openSqlite(spec);
}
