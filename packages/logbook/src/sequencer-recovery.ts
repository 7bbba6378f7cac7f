// Opening a log for writing: rebuild the compact tree from storage and refuse when the stored data
// contradicts the last signed checkpoint. The stored tree may be ahead of that checkpoint (a crash
// between a commit and the next checkpoint); those tail entries are re-hashed and checked.
import { bytesEqual } from './bytes.ts';
import { openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { CompactTree, leafHash, rangeNodes, type StoredNode } from './merkle.ts';
import type { NoteVerifier } from './note.ts';
import { LogStoreError, type SqlLogStore, type StoredCheckpoint } from './store/log-store.ts';

/** Tail entries re-checked per query. */
const CHUNK = 4096;

export class SequencerError extends Error {
  override name = 'SequencerError';
}

export interface RecoveredLog {
  readonly tree: CompactTree;
  /** The last stored checkpoint, verified; undefined for a log that never signed one. */
  readonly latest: StoredCheckpoint | undefined;
}

function refuse(store: SqlLogStore, message: string, cause?: unknown): never {
  throw new SequencerError(`log ${store.logId}: ${message}`, cause === undefined ? undefined : { cause });
}

/** Compares the nodes that appends completed with the stored ones, level by level. */
async function checkStoredNodes(store: SqlLogStore, completed: readonly StoredNode[]): Promise<void> {
  for (const [level, nodes] of Map.groupBy(completed, (node) => node.level)) {
    const [first, last] = [nodes[0], nodes.at(-1)];
    if (!first || !last) continue;
    const stored = await store.readLevel(level, first.index, last.index + 1);
    const byIndex = new Map(stored.map((s) => [s.index, s.hash]));
    for (const node of nodes) {
      const text = byIndex.get(node.index);
      if (text === undefined || text !== Buffer.from(node.hash).toString('base64')) {
        refuse(store, `stored tree node ${level}/${node.index} does not match the entries`);
      }
    }
  }
}

function verifyLatest(
  store: SqlLogStore,
  latest: StoredCheckpoint,
  origin: string,
  verifier: NoteVerifier,
): Checkpoint {
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(latest.note, origin, verifier).checkpoint;
  } catch (error) {
    refuse(store, `the last stored checkpoint does not verify: ${(error as Error).message}`, error);
  }
  if (checkpoint.size !== latest.size) {
    refuse(store, `checkpoint stored as size ${latest.size} says ${checkpoint.size}`);
  }
  return checkpoint;
}

/**
 * Rebuilds the log's compact tree. The last checkpoint's signature and root are checked against
 * the stored perfect-subtree hashes (which then are authentic), and every entry after it is
 * re-hashed and checked against its stored leaf hash and tree nodes.
 */
export async function recoverLog(
  store: SqlLogStore,
  origin: string,
  verifier: NoteVerifier,
): Promise<RecoveredLog> {
  try {
    const count = await store.entryCount();
    const latest = await store.latestCheckpoint();
    let tree = new CompactTree();
    if (latest) {
      const checkpoint = verifyLatest(store, latest, origin, verifier);
      if (checkpoint.size > count) {
        refuse(
          store,
          `the checkpoint of size ${checkpoint.size} covers entries that are not stored (${count})`,
        );
      }
      tree = new CompactTree(
        checkpoint.size,
        await store.readNodes(rangeNodes({ start: 0, end: checkpoint.size })),
      );
      if (!bytesEqual(tree.root(), checkpoint.root)) {
        refuse(store, `the stored tree does not match the checkpoint of size ${checkpoint.size}`);
      }
    }
    for (let start = tree.size; start < count; start += CHUNK) {
      const end = Math.min(count, start + CHUNK);
      const entries = await store.readEntries(start, end);
      const completed: StoredNode[] = [];
      for (const [i, e] of entries.entries()) {
        if (e.index !== start + i) refuse(store, `entry ${start + i} is missing`);
        const leaf = leafHash(e.entry);
        if (!bytesEqual(leaf, e.leafHash))
          refuse(store, `leaf hash of entry ${e.index} does not match the entry`);
        completed.push(...tree.append(leaf));
      }
      if (entries.length !== end - start) refuse(store, `entry ${start + entries.length} is missing`);
      await checkStoredNodes(store, completed);
    }
    return { tree, latest };
  } catch (error) {
    if (error instanceof LogStoreError) refuse(store, error.message, error);
    throw error;
  }
}
