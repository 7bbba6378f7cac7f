// `ketenlog verify --data`: re-derive one log from its stored entries and check everything else
// that is stored against it — each leaf hash, each tree node, each checkpoint's signature and
// root. Any changed byte in entries, hashes or checkpoints shows up as a problem.
import type { Db } from '@ketenlog/storage';
import { bytesEqual, fromBase64 } from './bytes.ts';
import { checkpointOfNote, openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { CompactTree, leafHash, type StoredNode } from './merkle.ts';
import type { NoteVerifier } from './note.ts';
import { SqlLogStore } from './store/log-store.ts';

/** Entries read and checked per query. */
const CHUNK = 8192;

export type VerifyResult =
  | { readonly ok: true; readonly size: number; readonly checkpoints: number }
  | {
      readonly ok: false;
      readonly problem: string;
      /** The first entry index the problem concerns, when it concerns entries or tree nodes. */
      readonly firstBadIndex?: number;
      /** The tree size of the checkpoint the problem concerns, when it concerns a checkpoint. */
      readonly checkpointSize?: number;
    };

class Problem extends Error {
  readonly firstBadIndex: number | undefined;
  readonly checkpointSize: number | undefined;

  constructor(message: string, where: { firstBadIndex?: number; checkpointSize?: number }) {
    super(message);
    this.firstBadIndex = where.firstBadIndex;
    this.checkpointSize = where.checkpointSize;
  }
}

async function loadCheckpoints(store: SqlLogStore, logVerifier: NoteVerifier): Promise<Checkpoint[]> {
  const stored = [];
  for (let page = await store.checkpoints(-1, CHUNK); page.length > 0; ) {
    stored.push(...page);
    page = await store.checkpoints(page[page.length - 1].size, CHUNK);
  }
  if (stored.length === 0) return [];
  let origin: string;
  try {
    origin = checkpointOfNote(stored[stored.length - 1].note).origin;
  } catch (error) {
    throw new Problem(`checkpoint is malformed: ${(error as Error).message}`, {
      checkpointSize: stored[stored.length - 1].size,
    });
  }
  return stored.map(({ size, note }) => {
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, origin, logVerifier).checkpoint;
    } catch (error) {
      throw new Problem(`checkpoint does not verify: ${(error as Error).message}`, { checkpointSize: size });
    }
    if (checkpoint.size !== size) {
      throw new Problem(`checkpoint stored as size ${size} says ${checkpoint.size}`, { checkpointSize: size });
    }
    return checkpoint;
  });
}

/** Compares the nodes a chunk of appends completed with the stored ones, level by level. */
async function checkNodes(store: SqlLogStore, completed: readonly StoredNode[]): Promise<void> {
  const byLevel = new Map<number, StoredNode[]>();
  for (const node of completed) {
    let level = byLevel.get(node.level);
    if (!level) byLevel.set(node.level, (level = []));
    level.push(node);
  }
  for (const [level, nodes] of byLevel) {
    const stored = await store.readLevel(level, nodes[0].index, nodes[nodes.length - 1].index + 1);
    for (const [i, node] of nodes.entries()) {
      const hash = stored[i]?.index === node.index ? fromBase64(stored[i].hash) : undefined;
      if (!hash || !bytesEqual(hash, node.hash)) {
        throw new Problem(`tree node at level ${level} index ${node.index} is missing or wrong`, {
          firstBadIndex: node.index * 2 ** level,
        });
      }
    }
  }
}

async function verify(db: Db, logId: string, logVerifier: NoteVerifier): Promise<VerifyResult> {
  const store = new SqlLogStore(db, logId);
  const checkpoints = await loadCheckpoints(store, logVerifier);
  const tree = new CompactTree();
  let next = 0;
  let nodeCount = 0;
  const checkRoots = (): void => {
    while (next < checkpoints.length && checkpoints[next].size === tree.size) {
      if (!bytesEqual(checkpoints[next].root, tree.root())) {
        throw new Problem(`checkpoint root does not match the entries`, { checkpointSize: tree.size });
      }
      next++;
    }
  };
  for (let start = 0; ; start += CHUNK) {
    const rows = await db.all<{ idx: number; entry: string; leaf_hash: string }>(
      'SELECT idx, entry, leaf_hash FROM log_entries WHERE log_id = ? AND idx >= ? ORDER BY idx LIMIT ?',
      [logId, start, CHUNK],
    );
    const completed: StoredNode[] = [];
    for (const row of rows) {
      const index = tree.size;
      if (Number(row.idx) !== index) {
        throw new Problem(`entry ${index} is missing`, { firstBadIndex: index });
      }
      const entry = fromBase64(row.entry);
      const stored = fromBase64(row.leaf_hash);
      if (!entry) throw new Problem(`entry ${index} is not valid base64`, { firstBadIndex: index });
      const leaf = leafHash(entry);
      if (!stored || !bytesEqual(stored, leaf)) {
        throw new Problem(`leaf hash of entry ${index} does not match the entry`, { firstBadIndex: index });
      }
      checkRoots();
      completed.push(...tree.append(leaf));
    }
    await checkNodes(store, completed);
    nodeCount += completed.length;
    if (rows.length < CHUNK) break;
  }
  checkRoots();
  if (next < checkpoints.length) {
    throw new Problem(`checkpoint covers ${checkpoints[next].size} entries but ${tree.size} are stored`, {
      checkpointSize: checkpoints[next].size,
      firstBadIndex: tree.size,
    });
  }
  const [{ n }] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM log_nodes WHERE log_id = ?', [logId]);
  if (Number(n) !== nodeCount) {
    throw new Problem(`${Number(n)} tree nodes stored where the entries make ${nodeCount}`, {});
  }
  return { ok: true, size: tree.size, checkpoints: checkpoints.length };
}

/**
 * Verifies one stored log against the log's public key. Reports the first problem found:
 * entries and nodes in index order, with the first bad entry index.
 */
export async function verifyLog(db: Db, logId: string, logVerifier: NoteVerifier): Promise<VerifyResult> {
  try {
    return await verify(db, logId, logVerifier);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    const result: { ok: false; problem: string; firstBadIndex?: number; checkpointSize?: number } = {
      ok: false,
      problem: error.message,
    };
    if (error.firstBadIndex !== undefined) result.firstBadIndex = error.firstBadIndex;
    if (error.checkpointSize !== undefined) result.checkpointSize = error.checkpointSize;
    return result;
  }
}
