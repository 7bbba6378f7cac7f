// Test helper: several "processes" of one node — each its own pool — on one fresh PostgreSQL schema.
import { freshPostgresSchema, type Db, type PostgresSchema } from '@ketenlog/storage';

export interface TestProcesses {
  readonly schema: PostgresSchema;
  readonly dbs: Db[];
  /** Closes every pool and drops the schema. */
  close(): Promise<void>;
}

export async function openProcesses(count: number): Promise<TestProcesses> {
  const schema = await freshPostgresSchema();
  const dbs = await Promise.all(Array.from({ length: count }, () => schema.open()));
  return {
    schema,
    dbs,
    async close() {
      await Promise.all(dbs.map((d) => d.close()));
      await schema.drop();
    },
  };
}
