export {
  oneRow,
  type Db,
  type DbSession,
  type Dialect,
  type Queryable,
  type Row,
  type SqlValue,
} from './db.ts';
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
