// `ketenlog verify --data`: re-derive every log in a node's database from its stored entries and
// check everything else that is stored against it — each leaf hash, each tree node, each
// checkpoint's signature and root. Any changed byte in entries, hashes or checkpoints shows up.
//
// Which key checks a log's checkpoints: a trusted verifier key supplied by the caller (matched by
// the key name on the checkpoint's signature line) when any are supplied; otherwise the vkey that
// the sequencer registered in the `log_keys` table, reported as not pinned (that table is in the
// same database, so it proves integrity against accidents, not against whoever can rewrite it).
import { oneRow, type Db } from '@ketenlog/storage';
import { bytesEqual } from './bytes.ts';
import { openCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { CompactTree, leafHash, type StoredNode } from './merkle.ts';
import { parseNote, verifierFromKey, type NoteVerifier } from './note.ts';
import { listLogs, SqlLogStore, type LogKeyRecord } from './store/log-store.ts';

/** Entries read and checked per query. */
const CHUNK = 16384;

export interface LogVerifyOk {
  readonly ok: true;
  readonly logId: string;
  readonly size: number;
  readonly checkpoints: number;
  /** Entries committed after the latest checkpoint (a crash before it was signed). */
  readonly uncovered: number;
  /** Whether the checkpoints were checked against a key the caller supplied. */
  readonly pinned: boolean;
}

export interface LogVerifyProblem {
  readonly ok: false;
  readonly logId: string;
  readonly problem: string;
  /** The first entry index the problem concerns, when it concerns entries or tree nodes. */
  readonly firstBadIndex?: number;
  /** The tree size of the checkpoint the problem concerns, when it concerns a checkpoint. */
  readonly checkpointSize?: number;
}

export type LogVerifyResult = LogVerifyOk | LogVerifyProblem;

export interface DataVerifyResult {
  /** True only when every log holds. */
  readonly ok: boolean;
  readonly logs: readonly LogVerifyResult[];
}

export interface VerifyDataOptions {
  /** Trusted log verifier keys (signed-note vkeys); when empty, each log's registered key is used. */
  readonly trustedKeys?: readonly string[];
  /**
   * Checks one entry's content (e.g. its statement signatures, with `parseEntry` and
   * `verifySignedStatement` and the region's keys); returns a problem, or undefined when it holds.
   */
  readonly checkEntry?: (entry: Uint8Array, index: number, logId: string) => string | undefined;
}

class Problem extends Error {
  readonly firstBadIndex: number | undefined;
  readonly checkpointSize: number | undefined;

  constructor(message: string, where: { firstBadIndex?: number; checkpointSize?: number } = {}) {
    super(message);
    this.firstBadIndex = where.firstBadIndex;
    this.checkpointSize = where.checkpointSize;
  }
}

const b64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Strict base64 (canonical, padded) through Buffer: the verify loop decodes millions of values. */
function decode(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : undefined;
}

/** The verifier for a log: a trusted key named like the checkpoint's signer, or the registered one. */
function chooseVerifier(
  record: LogKeyRecord | undefined,
  signerName: string | undefined,
  trusted: readonly NoteVerifier[],
): { verifier: NoteVerifier; pinned: boolean } {
  if (trusted.length > 0) {
    const verifier = trusted.find((v) => v.name === signerName);
    if (!verifier) throw new Problem(`no trusted key named ${signerName ?? '(none)'} for this log`);
    if (record && record.vkey.split('+')[0] === verifier.name) {
      const stored = safeVerifier(record.vkey);
      if (!stored || !bytesEqual(stored.keyId, verifier.keyId)) {
        throw new Problem('the registered log key differs from the trusted key');
      }
    }
    return { verifier, pinned: true };
  }
  if (!record) throw new Problem('the log has no registered key (log_keys) and no trusted key was given');
  const verifier = safeVerifier(record.vkey);
  if (!verifier) throw new Problem('the registered log key is not a valid Ed25519 vkey');
  return { verifier, pinned: false };
}

function safeVerifier(vkey: string): NoteVerifier | undefined {
  try {
    return verifierFromKey(vkey);
  } catch {
    return undefined;
  }
}

async function loadCheckpoints(
  store: SqlLogStore,
  record: LogKeyRecord | undefined,
  trusted: readonly NoteVerifier[],
): Promise<{ checkpoints: Checkpoint[]; pinned: boolean }> {
  const stored = [];
  for (let page = await store.checkpoints(-1, CHUNK), last = page.at(-1); last; last = page.at(-1)) {
    stored.push(...page);
    page = await store.checkpoints(last.size, CHUNK);
  }
  const latestStored = stored.at(-1);
  let signerName: string | undefined;
  if (latestStored) {
    try {
      signerName = parseNote(latestStored.note).signatures[0]?.name;
    } catch (error) {
      throw new Problem(`checkpoint is malformed: ${(error as Error).message}`, {
        checkpointSize: latestStored.size,
      });
    }
  }
  const { verifier, pinned } = chooseVerifier(record, signerName, trusted);
  const origin = record?.origin ?? safeOrigin(latestStored?.note);
  const checkpoints = stored.map(({ size, note }) => {
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, origin ?? '', verifier).checkpoint;
    } catch (error) {
      throw new Problem(`checkpoint does not verify: ${(error as Error).message}`, { checkpointSize: size });
    }
    if (checkpoint.size !== size) {
      throw new Problem(`checkpoint stored as size ${size} says ${checkpoint.size}`, {
        checkpointSize: size,
      });
    }
    return checkpoint;
  });
  return { checkpoints, pinned };
}

function safeOrigin(note: string | undefined): string | undefined {
  try {
    return note === undefined ? undefined : parseCheckpoint(parseNote(note).text).origin;
  } catch {
    return undefined;
  }
}

/** The lowest leaf index whose stored node (among those a chunk completed) is missing or wrong. */
async function firstBadNode(
  db: Db,
  logId: string,
  completed: readonly StoredNode[],
): Promise<number | undefined> {
  let first: number | undefined;
  for (const [level, nodes] of Map.groupBy(completed, (node) => node.level)) {
    const [low, high] = [nodes[0], nodes.at(-1)];
    if (!low || !high) continue;
    const rows = await db.all<{ idx: number; hash: string }>(
      'SELECT idx, hash FROM log_nodes WHERE log_id = ? AND level = ? AND idx >= ? AND idx <= ? ORDER BY idx',
      [logId, level, low.index, high.index],
    );
    const stored = new Map(rows.map((r) => [Number(r.idx), r.hash]));
    for (const node of nodes) {
      if (stored.get(node.index) !== b64(node.hash)) {
        const leaf = node.index * 2 ** level;
        if (first === undefined || leaf < first) first = leaf;
        break;
      }
    }
  }
  return first;
}

async function verifyOne(
  db: Db,
  logId: string,
  record: LogKeyRecord | undefined,
  trusted: readonly NoteVerifier[],
  checkEntry: VerifyDataOptions['checkEntry'],
) {
  const store = new SqlLogStore(db, logId);
  const { checkpoints, pinned } = await loadCheckpoints(store, record, trusted);
  const tree = new CompactTree();
  let next = 0;
  let nodeCount = 0;
  let lastGood = 0;
  const checkRoot = (): void => {
    for (let checkpoint = checkpoints[next]; checkpoint?.size === tree.size; checkpoint = checkpoints[next]) {
      if (!bytesEqual(checkpoint.root, tree.root())) {
        throw new Problem(
          `checkpoint root does not match the entries: an entry in [${lastGood}, ${tree.size}) was rewritten with its hashes`,
          { checkpointSize: tree.size, firstBadIndex: lastGood },
        );
      }
      lastGood = tree.size;
      next++;
    }
  };
  checkRoot();
  for (let start = 0; ; start += CHUNK) {
    const rows = await db.all<{ idx: number; entry: string; leaf_hash: string }>(
      'SELECT idx, entry, leaf_hash FROM log_entries WHERE log_id = ? AND idx >= ? ORDER BY idx LIMIT ?',
      [logId, start, CHUNK],
    );
    const completed: StoredNode[] = [];
    let entryProblem: Problem | undefined;
    for (const row of rows) {
      const index = tree.size;
      const entry = decode(row.entry);
      let problem: string | undefined;
      const leaf = entry && leafHash(entry);
      if (Number(row.idx) !== index) problem = `entry ${index} is missing`;
      else if (!leaf) problem = `entry ${index} is not valid base64`;
      else if (row.leaf_hash !== b64(leaf)) problem = `leaf hash of entry ${index} does not match the entry`;
      else if (checkEntry && entry) {
        const content = checkEntry(entry, index, logId);
        if (content !== undefined) problem = `entry ${index}: ${content}`;
      }
      if (problem || !leaf) {
        entryProblem = new Problem(problem ?? `entry ${index} is unreadable`, { firstBadIndex: index });
        break;
      }
      for (const node of tree.append(leaf)) completed.push(node);
      try {
        checkRoot();
      } catch (error) {
        entryProblem = error as Problem;
        break;
      }
    }
    const badNode = await firstBadNode(db, logId, completed);
    if (
      badNode !== undefined &&
      (entryProblem?.firstBadIndex === undefined || badNode <= entryProblem.firstBadIndex)
    ) {
      throw new Problem(`a stored tree node over entry ${badNode} is missing or wrong`, {
        firstBadIndex: badNode,
      });
    }
    if (entryProblem) throw entryProblem;
    nodeCount += completed.length;
    if (rows.length < CHUNK) break;
  }
  const uncovered = checkpoints[next];
  if (uncovered) {
    throw new Problem(`checkpoint covers ${uncovered.size} entries but ${tree.size} are stored`, {
      checkpointSize: uncovered.size,
      firstBadIndex: tree.size,
    });
  }
  const { n } = oneRow(
    await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM log_nodes WHERE log_id = ?', [logId]),
  );
  if (Number(n) !== nodeCount)
    throw new Problem(`${Number(n)} tree nodes stored where the entries make ${nodeCount}`);
  const latest = checkpoints[checkpoints.length - 1]?.size ?? 0;
  const result: LogVerifyOk = {
    ok: true,
    logId,
    size: tree.size,
    checkpoints: checkpoints.length,
    uncovered: tree.size - latest,
    pinned,
  };
  return result;
}

/** Verifies one stored log. Reports the first problem found, with the first bad entry index. */
export async function verifyLog(
  db: Db,
  logId: string,
  options: VerifyDataOptions = {},
): Promise<LogVerifyResult> {
  const trusted = (options.trustedKeys ?? []).map((k) => verifierFromKey(k));
  const record = (await listLogs(db)).find((l) => l.logId === logId);
  try {
    return await verifyOne(db, logId, record, trusted, options.checkEntry);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    return {
      ok: false,
      logId,
      problem: error.message,
      ...(error.firstBadIndex !== undefined ? { firstBadIndex: error.firstBadIndex } : {}),
      ...(error.checkpointSize !== undefined ? { checkpointSize: error.checkpointSize } : {}),
    };
  }
}

/** Every log id with anything stored: registered, or with entries, nodes or checkpoints. */
async function storedLogIds(db: Db): Promise<string[]> {
  const rows = await db.all<{ log_id: string }>(
    `SELECT log_id FROM log_keys UNION SELECT DISTINCT log_id FROM log_entries
     UNION SELECT DISTINCT log_id FROM log_nodes UNION SELECT DISTINCT log_id FROM log_checkpoints ORDER BY log_id`,
  );
  return rows.map((r) => r.log_id);
}

/** Whether the database has the log tables at all (verify never creates them). */
async function hasLogTables(db: Db): Promise<boolean> {
  const rows =
    db.dialect === 'sqlite'
      ? await db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'log_entries'")
      : await db.all(
          "SELECT to_regclass('log_entries') AS name WHERE to_regclass('log_entries') IS NOT NULL",
        );
  return rows.length > 0;
}

/** Verifies every log in a node's database. A database without log tables has no logs (ok). */
export async function verifyData(db: Db, options: VerifyDataOptions = {}): Promise<DataVerifyResult> {
  if (!(await hasLogTables(db))) return { ok: true, logs: [] };
  const logs: LogVerifyResult[] = [];
  for (const logId of await storedLogIds(db)) logs.push(await verifyLog(db, logId, options));
  return { ok: logs.every((l) => l.ok), logs };
}
