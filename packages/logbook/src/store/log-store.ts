// A log's durable state in the node's database (SQLite or PostgreSQL, one schema): its entries,
// the RFC 9162 perfect-subtree hashes that tiles and proofs are read from, and its signed
// checkpoints. Hashes and entries are base64 TEXT, the common subset of both engines.
import type { Db, Queryable, SqlValue } from '@ketenlog/storage';
import { fromBase64, toBase64 } from '../bytes.ts';
import type { Hash, NodeId, StoredNode, TreeStore } from '../merkle.ts';

export const LOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS log_entries (
  log_id TEXT NOT NULL,
  idx BIGINT NOT NULL,
  entry TEXT NOT NULL,
  leaf_hash TEXT NOT NULL,
  PRIMARY KEY (log_id, idx)
);
CREATE TABLE IF NOT EXISTS log_nodes (
  log_id TEXT NOT NULL,
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (log_id, level, idx)
);
CREATE TABLE IF NOT EXISTS log_checkpoints (
  log_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (log_id, size)
);
`;

/** Rows per multi-row INSERT: well below SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 500;

export interface LogEntry {
  readonly index: number;
  readonly entry: Uint8Array;
  readonly leafHash: Hash;
}

export interface StoredCheckpoint {
  readonly size: number;
  /** The signed note, as signed by the log. */
  readonly note: string;
}

/** Decodes a stored base64 column; a value that is not strict base64 is corrupt storage. */
export function decodeStored(text: string, what: string): Uint8Array {
  const bytes = fromBase64(text);
  if (!bytes) throw new Error(`log store: ${what} is not valid base64`);
  return bytes;
}

async function insertRows(tx: Queryable, head: string, columns: number, rows: readonly SqlValue[][]) {
  const tuple = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await tx.run(`${head} VALUES ${chunk.map(() => tuple).join(', ')}`, chunk.flat());
  }
}

/** One log's tables, read and written through a Db; implements merkle's TreeStore. */
export class SqlLogStore implements TreeStore {
  readonly db: Db;
  readonly logId: string;

  constructor(db: Db, logId: string) {
    this.db = db;
    this.logId = logId;
  }

  /** Creates the log tables when missing (idempotent). */
  static async migrate(db: Db): Promise<void> {
    await db.exec(LOG_SCHEMA);
  }

  /** The number of stored entries (entries are dense from index 0). */
  async entryCount(): Promise<number> {
    const rows = await this.db.all<{ n: number | null }>(
      'SELECT MAX(idx) + 1 AS n FROM log_entries WHERE log_id = ?',
      [this.logId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Writes one batch of entries and the tree nodes they complete, atomically: after this resolves
   * the batch is durable (the database committed), and only then may a checkpoint cover it.
   */
  async appendBatch(entries: readonly LogEntry[], nodes: readonly StoredNode[]): Promise<void> {
    const entryRows = entries.map((e) => [this.logId, e.index, toBase64(e.entry), toBase64(e.leafHash)]);
    const nodeRows = nodes.map((n) => [this.logId, n.level, n.index, toBase64(n.hash)]);
    await this.db.transaction(async (tx) => {
      await insertRows(tx, 'INSERT INTO log_entries (log_id, idx, entry, leaf_hash)', 4, entryRows);
      await insertRows(tx, 'INSERT INTO log_nodes (log_id, level, idx, hash)', 4, nodeRows);
    });
  }

  async addCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.db.run('INSERT INTO log_checkpoints (log_id, size, note) VALUES (?, ?, ?)', [
      this.logId,
      checkpoint.size,
      checkpoint.note,
    ]);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.db.all<{ size: number; note: string }>(
      'SELECT size, note FROM log_checkpoints WHERE log_id = ? ORDER BY size DESC LIMIT 1',
      [this.logId],
    );
    return rows[0] && { size: Number(rows[0].size), note: rows[0].note };
  }

  /** Checkpoints in increasing size, `limit` at a time from `afterSize` (exclusive). */
  async checkpoints(afterSize: number, limit: number): Promise<StoredCheckpoint[]> {
    const rows = await this.db.all<{ size: number; note: string }>(
      'SELECT size, note FROM log_checkpoints WHERE log_id = ? AND size > ? ORDER BY size LIMIT ?',
      [this.logId, afterSize, limit],
    );
    return rows.map((r) => ({ size: Number(r.size), note: r.note }));
  }

  /** Entries [start, end) in index order (fewer when the log is shorter). */
  async readEntries(start: number, end: number): Promise<LogEntry[]> {
    const rows = await this.db.all<{ idx: number; entry: string; leaf_hash: string }>(
      'SELECT idx, entry, leaf_hash FROM log_entries WHERE log_id = ? AND idx >= ? AND idx < ? ORDER BY idx',
      [this.logId, start, end],
    );
    return rows.map((r) => ({
      index: Number(r.idx),
      entry: decodeStored(r.entry, `entry ${r.idx}`),
      leafHash: decodeStored(r.leaf_hash, `leaf hash ${r.idx}`),
    }));
  }

  /** Stored nodes of one level with index in [start, end), in index order, as stored. */
  async readLevel(level: number, start: number, end: number): Promise<{ index: number; hash: string }[]> {
    const rows = await this.db.all<{ idx: number; hash: string }>(
      'SELECT idx, hash FROM log_nodes WHERE log_id = ? AND level = ? AND idx >= ? AND idx < ? ORDER BY idx',
      [this.logId, level, start, end],
    );
    return rows.map((r) => ({ index: Number(r.idx), hash: r.hash }));
  }

  /** merkle.TreeStore: one query for all requested nodes; a missing node is an error. */
  async readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]> {
    if (ids.length === 0) return [];
    const where = ids.map(() => '(level = ? AND idx = ?)').join(' OR ');
    const rows = await this.db.all<{ level: number; idx: number; hash: string }>(
      `SELECT level, idx, hash FROM log_nodes WHERE log_id = ? AND (${where})`,
      [this.logId, ...ids.flatMap((id) => [id.level, id.index])],
    );
    const found = new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
    return ids.map((id) => {
      const hash = found.get(`${id.level}/${id.index}`);
      if (hash === undefined) throw new Error(`log store: no node at level ${id.level} index ${id.index}`);
      return decodeStored(hash, `node ${id.level}/${id.index}`);
    });
  }
}
