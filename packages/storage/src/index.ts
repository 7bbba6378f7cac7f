export type { Db, DbSession, Dialect, Queryable, Row, SqlValue } from './db.ts';
export { openSqlite } from './sqlite.ts';
export { openPostgres } from './postgres.ts';
export { openDatabase } from './open.ts';
export { freshPostgresSchema, testDatabases, type PostgresSchema, type TestDatabase } from './testing.ts';
export {
  EPHEMERAL_SCHEMA,
  MemoryEphemeralStore,
  SqlEphemeralStore,
  SWEEP_INTERVAL_MS,
  sweepPeriodically,
  type EphemeralSpace,
  type EphemeralStore,
} from './ephemeral-store.ts';
