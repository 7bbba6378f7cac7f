// The log's final checkpoints: its own signed checkpoints with the witnesses' cosignatures added,
// stored once a quorum has cosigned. Receipts are built from the latest of them.
import type { Db } from '@ketenlog/storage';
import type { StoredCheckpoint } from '../store/log-store.ts';

export const COSIGNED_SCHEMA = `
CREATE TABLE IF NOT EXISTS log_cosigned (
  log_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (log_id, size)
);
`;

export class CosignedStore {
  readonly db: Db;
  readonly logId: string;

  private constructor(db: Db, logId: string) {
    this.db = db;
    this.logId = logId;
  }

  static async open(db: Db, logId: string): Promise<CosignedStore> {
    await db.exec(COSIGNED_SCHEMA);
    return new CosignedStore(db, logId);
  }

  async add(checkpoint: StoredCheckpoint): Promise<void> {
    await this.db.run(
      'INSERT INTO log_cosigned (log_id, size, note) VALUES (?, ?, ?) ' +
        'ON CONFLICT (log_id, size) DO UPDATE SET note = excluded.note',
      [this.logId, checkpoint.size, checkpoint.note],
    );
  }

  async latest(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.db.all<StoredCheckpoint>(
      'SELECT size, note FROM log_cosigned WHERE log_id = ? ORDER BY size DESC LIMIT 1',
      [this.logId],
    );
    return rows[0];
  }
}
