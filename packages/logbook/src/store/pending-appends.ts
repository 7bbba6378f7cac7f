// Appends handed from a process that does not integrate the log to the one that does, through
// the database (PostgreSQL only: SQLite has one process, which always integrates). A forwarding
// process inserts a row and wakes the integrator (NOTIFY in the same statement); the integrator
// sequences it and sets its `idx` in the very commit that stores the entry, so a row is sequenced
// exactly once, also across a take-over; the forwarder reads its index and the first checkpoint
// covering it, and removes the row.
import { oneRow, type Db } from '@ketenlog/storage';
import { decodeStored, encodeStored, LOG_SCHEMA, type StoredCheckpoint } from './log-store.ts';

const PENDING_SCHEMA = `
CREATE TABLE IF NOT EXISTS log_pending (
  id BIGSERIAL PRIMARY KEY,
  log_id TEXT NOT NULL,
  entry TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  idx BIGINT
);
CREATE INDEX IF NOT EXISTS log_pending_open ON log_pending (log_id, id) WHERE idx IS NULL;
`;

/** The one notification channel of the logbook; payloads name the schema and log (see `scope`). */
export const LOG_CHANNEL = 'ketenlog_log';

/** Rows answered by a forwarder that died before it read them are removed after this. */
const ABANDONED_MS = 60 * 60 * 1000;

/** Pending appends per query (the integrator's batch also holds its own appends). */
const TAKE_LIMIT = 1024;

export interface ForwardedAppend {
  readonly id: number;
  readonly entry: Uint8Array;
}

export interface SequencedAppend {
  readonly id: number;
  readonly index: number;
  readonly checkpoint: StoredCheckpoint;
}

/**
 * Advisory-lock key space of the logbook (the first of pg_advisory_lock's two int4 keys); the
 * second is a hash of the schema and the role, so isolated schemas in one database do not meet.
 */
export const LOCK_SPACE = 0x6b6c6f67; // 'klog'

/** Creates the log tables and the pending table (PostgreSQL). */
export async function migrateShared(db: Db): Promise<void> {
  await db.exec(`${LOG_SCHEMA}${PENDING_SCHEMA}`);
}

/** The pending-appends table of one log. */
export class PendingAppends {
  readonly db: Db;
  readonly logId: string;
  /** `<schema>/<log id>`: what notifications about this log carry. */
  readonly scope: string;

  private constructor(db: Db, logId: string, scope: string) {
    this.db = db;
    this.logId = logId;
    this.scope = scope;
  }

  static async open(db: Db, logId: string): Promise<PendingAppends> {
    const rows = await db.all<{ schema: string }>('SELECT current_schema() AS schema');
    return new PendingAppends(db, logId, `${oneRow(rows).schema}/${logId}`);
  }

  /** The notification a commit sends once it stored a checkpoint of `size`. */
  sequencedNotice(size: number): { channel: string; payload: string } {
    return { channel: LOG_CHANNEL, payload: `sequenced ${this.scope} ${size}` };
  }

  /** Hands one append to the integrator and wakes it; returns the row's id. */
  async forward(entry: Uint8Array): Promise<number> {
    const rows = await this.db.all<{ id: number }>(
      `WITH p AS (INSERT INTO log_pending (log_id, entry, created_ms) VALUES (?, ?, ?) RETURNING id)
       SELECT id, pg_notify(?, ?) FROM p`,
      [this.logId, encodeStored(entry), Date.now(), LOG_CHANNEL, `pending ${this.scope}`],
    );
    return Number(oneRow(rows).id);
  }

  /** The integrator: the oldest appends not yet sequenced. */
  async take(limit = TAKE_LIMIT): Promise<ForwardedAppend[]> {
    const rows = await this.db.all<{ id: number; entry: string }>(
      'SELECT id, entry FROM log_pending WHERE log_id = ? AND idx IS NULL ORDER BY id LIMIT ?',
      [this.logId, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), entry: decodeStored(r.entry, `pending append ${r.id}`) }));
  }

  /**
   * The forwarder: which of `ids` are sequenced under a stored checkpoint, each with the first
   * checkpoint that covers it (what the integrator answers its own appends with).
   */
  async sequenced(ids: readonly number[]): Promise<SequencedAppend[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all<{ id: number; idx: number }>(
      `SELECT id, idx FROM log_pending WHERE log_id = ? AND idx IS NOT NULL AND id IN (${ids.map(() => '?').join(', ')})`,
      [this.logId, ...ids],
    );
    if (rows.length === 0) return [];
    const lowest = Math.min(...rows.map((r) => Number(r.idx)));
    const checkpoints = await this.db.all<{ size: number; note: string }>(
      'SELECT size, note FROM log_checkpoints WHERE log_id = ? AND size > ? ORDER BY size LIMIT 64',
      [this.logId, lowest],
    );
    const done: SequencedAppend[] = [];
    for (const row of rows) {
      const index = Number(row.idx);
      const covering = checkpoints.find((c) => Number(c.size) > index);
      if (covering)
        done.push({
          id: Number(row.id),
          index,
          checkpoint: { size: Number(covering.size), note: covering.note },
        });
    }
    return done;
  }

  /** The forwarder, once it has its answers. */
  async remove(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(`DELETE FROM log_pending WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
  }

  /** The integrator, on taking over: rows answered long ago whose forwarder never came back. */
  async removeAbandoned(now = Date.now()): Promise<void> {
    await this.db.run('DELETE FROM log_pending WHERE log_id = ? AND idx IS NOT NULL AND created_ms < ?', [
      this.logId,
      now - ABANDONED_MS,
    ]);
  }
}
