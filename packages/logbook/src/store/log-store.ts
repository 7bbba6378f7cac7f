// A log's durable state in the node's database (SQLite or PostgreSQL, one schema): its entries,
// the RFC 9162 perfect-subtree hashes that tiles and proofs are read from, its signed checkpoints,
// and the log's public key. Hashes and entries are base64 TEXT, the common subset of both engines.
import type { Db, Queryable, SqlValue } from '@ketenlog/storage';
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
CREATE TABLE IF NOT EXISTS log_keys (
  log_id TEXT PRIMARY KEY,
  origin TEXT NOT NULL,
  vkey TEXT NOT NULL
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

/** A log as registered in `log_keys`: its origin line and its signed-note verifier key. */
export interface LogKeyRecord {
  readonly logId: string;
  readonly origin: string;
  /** signed-note vkey `<name>+<hex id>+<base64 key>`. */
  readonly vkey: string;
}

/** Stored data that cannot be decoded: the database was changed outside the log. */
export class LogStoreError extends Error {
  override name = 'LogStoreError';
}

/** Base64 on Buffer: this module only runs on Node, and this is the hot path of every append. */
export const encodeStored = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Decodes a stored base64 column; a value that is not strict (canonical, padded) base64 is corrupt storage. */
export function decodeStored(text: string, what: string): Uint8Array {
  const bytes = typeof text === 'string' && text.length % 4 === 0 ? Buffer.from(text, 'base64') : undefined;
  // Buffer's decoder skips invalid characters; re-encoding catches them and non-canonical padding.
  if (!bytes || bytes.toString('base64') !== text)
    throw new LogStoreError(`log store: ${what} is not valid base64`);
  // A copy: small Buffers are views into Node's shared 8 KiB pool, and a cached 32-byte hash that
  // is a view keeps its whole pool slab alive (caches then pin megabytes for kilobytes of hashes).
  return new Uint8Array(bytes);
}

/** Decodes a stored hash: strict base64 of exactly 32 bytes. */
function decodeHash(text: string, what: string): Hash {
  const bytes = decodeStored(text, what);
  if (bytes.length !== 32) throw new LogStoreError(`log store: ${what} is not a 32-byte hash`);
  return bytes;
}

const ENTRIES_HEAD = 'INSERT INTO log_entries (log_id, idx, entry, leaf_hash)';
const NODES_HEAD = 'INSERT INTO log_nodes (log_id, level, idx, hash)';
const CHECKPOINTS_HEAD = 'INSERT INTO log_checkpoints (log_id, size, note)';
/** Bound parameters in one PostgreSQL commit statement (its limit is 65,535). */
const MAX_STATEMENT_PARAMS = 30_000;

const valuesList = (rows: readonly SqlValue[][]): string =>
  rows.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');

/** Marks forwarded appends as sequenced at their indices (PostgreSQL only; see pending-appends.ts). */
const forwardedUpdate = (rows: number): string =>
  `UPDATE log_pending SET idx = v.idx FROM (VALUES ${Array.from({ length: rows }, () => '(?::bigint, ?::bigint)').join(', ')}) AS v(id, idx) WHERE log_pending.id = v.id`;

/**
 * PostgreSQL: one statement for a whole commit, with the writes as data-modifying CTEs. A single
 * statement is atomic on its own, so the commit costs one round trip instead of five
 * (BEGIN, three INSERTs, COMMIT). A notification in it is delivered only once it commits.
 */
function oneStatement(
  entryRows: readonly SqlValue[][],
  nodeRows: readonly SqlValue[][],
  forwardedRows: readonly SqlValue[][],
  checkpointRow: SqlValue[] | undefined,
  notify: LogCommit['notify'],
): [string, SqlValue[]] {
  const ctes: string[] = [];
  const params: SqlValue[] = [];
  if (entryRows.length > 0) {
    ctes.push(`e AS (${ENTRIES_HEAD} VALUES ${valuesList(entryRows)})`);
    params.push(...entryRows.flat());
  }
  if (nodeRows.length > 0) {
    ctes.push(`n AS (${NODES_HEAD} VALUES ${valuesList(nodeRows)})`);
    params.push(...nodeRows.flat());
  }
  if (forwardedRows.length > 0) {
    ctes.push(`p AS (${forwardedUpdate(forwardedRows.length)})`);
    params.push(...forwardedRows.flat());
  }
  if (checkpointRow && notify) {
    ctes.push(`c AS (${CHECKPOINTS_HEAD} VALUES (?, ?, ?))`);
    params.push(...checkpointRow);
  }
  let main = 'SELECT 1';
  if (notify) {
    main = 'SELECT pg_notify(?, ?)';
    params.push(notify.channel, notify.payload);
  } else if (checkpointRow) {
    main = `${CHECKPOINTS_HEAD} VALUES (?, ?, ?)`;
    params.push(...checkpointRow);
  }
  return [ctes.length > 0 ? `WITH ${ctes.join(', ')} ${main}` : main, params];
}

async function insertRows(tx: Queryable, head: string, rows: readonly SqlValue[][]) {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await tx.run(`${head} VALUES ${valuesList(chunk)}`, chunk.flat());
  }
}

/** What one sequencer step writes in one database transaction. */
export interface LogCommit {
  readonly entries: readonly LogEntry[];
  readonly nodes: readonly StoredNode[];
  /** A checkpoint signed after an earlier commit made its entries durable. */
  readonly checkpoint?: StoredCheckpoint;
  /** Appends handed over by other processes, sequenced in this commit (PostgreSQL only). */
  readonly forwarded?: readonly { readonly id: number; readonly index: number }[];
  /** A notification sent when this commit commits (PostgreSQL only). */
  readonly notify?: { readonly channel: string; readonly payload: string };
}

/** Every log registered in a database (its `log_keys` rows), in log id order. */
export async function listLogs(db: Db): Promise<LogKeyRecord[]> {
  const rows = await db.all<{ log_id: string; origin: string; vkey: string }>(
    'SELECT log_id, origin, vkey FROM log_keys ORDER BY log_id',
  );
  return rows.map((r) => ({ logId: r.log_id, origin: r.origin, vkey: r.vkey }));
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

  /** The number of stored entries, assuming they are dense from index 0 (recovery checks that). */
  async entryCount(): Promise<number> {
    const rows = await this.db.all<{ n: number | null }>(
      'SELECT MAX(idx) + 1 AS n FROM log_entries WHERE log_id = ?',
      [this.logId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Writes entries, the tree nodes they complete and (optionally) a checkpoint over earlier,
   * already durable entries, atomically: after this resolves all of it is committed.
   */
  async commit(commit: LogCommit): Promise<void> {
    const { entries, nodes, checkpoint, forwarded = [], notify } = commit;
    const entryRows = entries.map((e) => [
      this.logId,
      e.index,
      encodeStored(e.entry),
      encodeStored(e.leafHash),
    ]);
    const nodeRows = nodes.map((n) => [this.logId, n.level, n.index, encodeStored(n.hash)]);
    const forwardedRows = forwarded.map((f) => [f.id, f.index]);
    const checkpointRow = checkpoint ? [this.logId, checkpoint.size, checkpoint.note] : undefined;
    const paramCount = (entryRows.length + nodeRows.length) * 4 + forwardedRows.length * 2;
    if (this.db.dialect === 'postgres' && paramCount <= MAX_STATEMENT_PARAMS) {
      await this.db.run(...oneStatement(entryRows, nodeRows, forwardedRows, checkpointRow, notify));
      return;
    }
    await this.db.transaction(async (tx) => {
      await insertRows(tx, ENTRIES_HEAD, entryRows);
      await insertRows(tx, NODES_HEAD, nodeRows);
      for (let i = 0; i < forwardedRows.length; i += ROWS_PER_INSERT) {
        const chunk = forwardedRows.slice(i, i + ROWS_PER_INSERT);
        await tx.run(forwardedUpdate(chunk.length), chunk.flat());
      }
      if (checkpointRow) await tx.run(`${CHECKPOINTS_HEAD} VALUES (?, ?, ?)`, checkpointRow);
      if (notify) await tx.run('SELECT pg_notify(?, ?)', [notify.channel, notify.payload]);
    });
  }

  /** Stores a checkpoint on its own (recovery; tests). */
  async addCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.commit({ entries: [], nodes: [], checkpoint });
  }

  /** The log's registration, or undefined for a log never opened for writing. */
  async logKey(): Promise<LogKeyRecord | undefined> {
    const rows = await this.db.all<{ origin: string; vkey: string }>(
      'SELECT origin, vkey FROM log_keys WHERE log_id = ?',
      [this.logId],
    );
    return rows[0] && { logId: this.logId, origin: rows[0].origin, vkey: rows[0].vkey };
  }

  /** Registers the log's origin and verifier key; a no-op when the same row exists. */
  async registerLogKey(origin: string, vkey: string): Promise<void> {
    await this.db.run(
      'INSERT INTO log_keys (log_id, origin, vkey) VALUES (?, ?, ?) ON CONFLICT (log_id) DO NOTHING',
      [this.logId, origin, vkey],
    );
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.db.all<{ size: number; note: string }>(
      'SELECT size, note FROM log_checkpoints WHERE log_id = ? ORDER BY size DESC LIMIT 1',
      [this.logId],
    );
    return rows[0] && { size: Number(rows[0].size), note: rows[0].note };
  }

  /** The stored checkpoint of exactly this size, if the log signed one. */
  async checkpointAt(size: number): Promise<StoredCheckpoint | undefined> {
    const rows = await this.db.all<{ size: number; note: string }>(
      'SELECT size, note FROM log_checkpoints WHERE log_id = ? AND size = ?',
      [this.logId, size],
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

  /** Entries [start, end) in index order (fewer when the log is shorter or has gaps). */
  async readEntries(start: number, end: number): Promise<LogEntry[]> {
    const rows = await this.db.all<{ idx: number; entry: string; leaf_hash: string }>(
      'SELECT idx, entry, leaf_hash FROM log_entries WHERE log_id = ? AND idx >= ? AND idx < ? ORDER BY idx',
      [this.logId, start, end],
    );
    return rows.map((r) => ({
      index: Number(r.idx),
      entry: decodeStored(r.entry, `entry ${r.idx}`),
      leafHash: decodeHash(r.leaf_hash, `leaf hash ${r.idx}`),
    }));
  }

  /** One entry's bytes, or undefined when it is not stored (the hot path of serving proofs). */
  async readEntry(index: number): Promise<Uint8Array | undefined> {
    const rows = await this.db.all<{ entry: string }>(
      'SELECT entry FROM log_entries WHERE log_id = ? AND idx = ?',
      [this.logId, index],
    );
    return rows[0] && decodeStored(rows[0].entry, `entry ${index}`);
  }

  /** Stored nodes of one level with index in [start, end), in index order, as stored (base64). */
  async readLevel(level: number, start: number, end: number): Promise<{ index: number; hash: string }[]> {
    const rows = await this.db.all<{ idx: number; hash: string }>(
      'SELECT idx, hash FROM log_nodes WHERE log_id = ? AND level = ? AND idx >= ? AND idx < ? ORDER BY idx',
      [this.logId, level, start, end],
    );
    return rows.map((r) => ({ index: Number(r.idx), hash: r.hash }));
  }

  /**
   * merkle.TreeStore: one query for all requested nodes; a missing node is an error. Point lookups
   * joined by UNION ALL, because both engines plan each one on the primary key (an OR of pairs can
   * make SQLite scan the whole log).
   */
  async readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]> {
    if (ids.length === 0) return [];
    const unique = [...new Map(ids.map((id) => [`${id.level}/${id.index}`, id])).values()];
    const point = 'SELECT level, idx, hash FROM log_nodes WHERE log_id = ? AND level = ? AND idx = ?';
    const rows = await this.db.all<{ level: number; idx: number; hash: string }>(
      unique.map(() => point).join(' UNION ALL '),
      unique.flatMap((id) => [this.logId, id.level, id.index]),
    );
    const found = new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
    return ids.map((id) => {
      const hash = found.get(`${id.level}/${id.index}`);
      if (hash === undefined)
        throw new LogStoreError(`log store: no node at level ${id.level} index ${id.index}`);
      return decodeHash(hash, `node ${id.level}/${id.index}`);
    });
  }
}
