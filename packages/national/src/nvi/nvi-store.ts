// The localisation records an NVI keeps, on the node's database: custodian, the NVI's own
// pseudonym, category and registering system — nothing else, no dates. A record registered twice
// is one record (registration is idempotent, as retries must be).
import { randomUUID } from 'node:crypto';
import { oneRow, type Db, type Queryable } from '@ketenlog/storage';
import type { LocalisationRecord } from './localization-list.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS nvi_records (
  id TEXT PRIMARY KEY,
  custodian TEXT NOT NULL,
  pseudonym TEXT NOT NULL,
  category TEXT NOT NULL,
  source TEXT NOT NULL,
  UNIQUE (pseudonym, custodian, category, source)
);
CREATE INDEX IF NOT EXISTS nvi_records_source ON nvi_records (custodian, source)
`;

export interface RecordQuery {
  readonly pseudonym?: string;
  /** Only this custodian's records (the `source:identifier` search is a custodian's own). */
  readonly custodian?: string;
  readonly source?: string;
  readonly categories?: readonly string[];
}

interface Row {
  id: string;
  custodian: string;
  pseudonym: string;
  category: string;
  source: string;
}

export class NviStore {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<NviStore> {
    await db.exec(SCHEMA);
    return new NviStore(db);
  }

  /** Adds a record, or finds the same one already there; its id either way. */
  add(record: Omit<LocalisationRecord, 'id'>): Promise<LocalisationRecord> {
    return addRecord(this.#db, record);
  }

  /** Runs `fn` atomically: its adds and removes all happen, or none (a transaction Bundle). */
  transaction<T>(fn: (records: RecordWriter) => Promise<T>): Promise<T> {
    return this.#db.transaction((tx) =>
      fn({
        add: (record) => addRecord(tx, record),
        remove: (ids, custodian) => removeRecords(tx, ids, custodian),
      }),
    );
  }

  async read(id: string): Promise<LocalisationRecord | undefined> {
    const [row] = await this.#db.all<Row>('SELECT * FROM nvi_records WHERE id = ?', [id]);
    return row;
  }

  async find(query: RecordQuery): Promise<LocalisationRecord[]> {
    const where: string[] = [];
    const params: string[] = [];
    const equal = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    equal('pseudonym', query.pseudonym);
    equal('custodian', query.custodian);
    equal('source', query.source);
    if (query.categories?.length) {
      where.push(`category IN (${query.categories.map(() => '?').join(', ')})`);
      params.push(...query.categories);
    }
    if (where.length === 0) throw new Error('an NVI search needs a subject or a source');
    return this.#db.all<Row>(
      `SELECT * FROM nvi_records WHERE ${where.join(' AND ')} ORDER BY custodian, category, id`,
      params,
    );
  }

  /** Removes records of one custodian; how many. */
  remove(ids: readonly string[], custodian: string): Promise<number> {
    return removeRecords(this.#db, ids, custodian);
  }
}

export interface RecordWriter {
  add(record: Omit<LocalisationRecord, 'id'>): Promise<LocalisationRecord>;
  remove(ids: readonly string[], custodian: string): Promise<number>;
}

async function addRecord(db: Queryable, record: Omit<LocalisationRecord, 'id'>): Promise<LocalisationRecord> {
  const { custodian, pseudonym, category, source } = record;
  await db.run(
    `INSERT INTO nvi_records (id, custodian, pseudonym, category, source) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (pseudonym, custodian, category, source) DO NOTHING`,
    [randomUUID(), custodian, pseudonym, category, source],
  );
  return oneRow(
    await db.all<Row>(
      'SELECT * FROM nvi_records WHERE pseudonym = ? AND custodian = ? AND category = ? AND source = ?',
      [pseudonym, custodian, category, source],
    ),
  );
}

async function removeRecords(db: Queryable, ids: readonly string[], custodian: string): Promise<number> {
  let removed = 0;
  for (const id of ids)
    removed += (await db.run('DELETE FROM nvi_records WHERE id = ? AND custodian = ?', [id, custodian]))
      .changes;
  return removed;
}
