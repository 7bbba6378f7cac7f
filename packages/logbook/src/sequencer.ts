// One writer per log, with group commit: concurrent appends are batched into one database
// transaction (entries + the tree nodes they complete); only after that commit is a C2SP
// tlog-checkpoint signed and stored, and only then do the appends resolve.
import type { Db } from '@ketenlog/storage';
import { bytesEqual } from './bytes.ts';
import { checkpointOfNote, signCheckpoint } from './checkpoint.ts';
import { CompactTree, emptyRoot, leafHash, nodeHash, rangeNodes, type Hash, type StoredNode } from './merkle.ts';
import type { NoteSigner } from './note.ts';
import { SqlLogStore, type LogEntry } from './store/log-store.ts';

/** Upper bound on one batch, so a burst cannot make one transaction unboundedly large. */
const MAX_BATCH = 8192;

export interface SequencerOptions {
  readonly logId: string;
  /** tlog-checkpoint origin line. */
  readonly origin: string;
  readonly signer: NoteSigner;
}

interface PendingAppend {
  readonly entry: Uint8Array;
  resolve(result: { index: number }): void;
  reject(error: unknown): void;
}

export class SequencerError extends Error {
  override name = 'SequencerError';
}

/** MTH of the first `size` leaves, from stored perfect-subtree hashes. */
async function storedRoot(store: SqlLogStore, size: number): Promise<Hash> {
  const pieces = await store.readNodes(rangeNodes({ start: 0, end: size }));
  if (pieces.length === 0) return emptyRoot();
  let root = pieces[pieces.length - 1];
  for (let i = pieces.length - 2; i >= 0; i--) root = nodeHash(pieces[i], root);
  return root;
}

/**
 * Rebuilds the compact tree from the store and checks it against the last signed checkpoint:
 * the stored tree may be ahead of it (a crash between commit and signing) but must contain it.
 */
async function recoverTree(store: SqlLogStore, origin: string): Promise<CompactTree> {
  const size = await store.entryCount();
  const peaks = await store.readNodes(rangeNodes({ start: 0, end: size }));
  const tree = new CompactTree(size, peaks);
  const latest = await store.latestCheckpoint();
  if (latest) {
    const checkpoint = checkpointOfNote(latest.note);
    if (checkpoint.origin !== origin) {
      throw new SequencerError(`log ${store.logId}: stored checkpoint has origin ${checkpoint.origin}`);
    }
    if (checkpoint.size !== latest.size || checkpoint.size > size) {
      throw new SequencerError(
        `log ${store.logId}: checkpoint of size ${checkpoint.size} but only ${size} entries stored`,
      );
    }
    const root = checkpoint.size === size ? tree.root() : await storedRoot(store, checkpoint.size);
    if (!bytesEqual(root, checkpoint.root)) {
      throw new SequencerError(
        `log ${store.logId}: stored tree does not match the checkpoint of size ${checkpoint.size}`,
      );
    }
  }
  return tree;
}

export class Sequencer {
  readonly store: SqlLogStore;
  readonly #options: SequencerOptions;
  #tree: CompactTree;
  #pending: PendingAppend[] = [];
  #running: Promise<void> | undefined;
  #checkpointSize: number;
  /** Set when the store could not be re-read after a failure: the in-memory tree is unreliable. */
  #broken: unknown;

  private constructor(store: SqlLogStore, options: SequencerOptions, tree: CompactTree, checkpointSize: number) {
    this.store = store;
    this.#options = options;
    this.#tree = tree;
    this.#checkpointSize = checkpointSize;
  }

  /**
   * Opens the log's sequencer: creates the tables if needed, recovers the tree from storage and
   * refuses to continue when it does not match the last checkpoint. Entries that were committed
   * but not yet covered by a checkpoint (a crash in between) get one now.
   */
  static async open(db: Db, options: SequencerOptions): Promise<Sequencer> {
    await SqlLogStore.migrate(db);
    const store = new SqlLogStore(db, options.logId);
    const tree = await recoverTree(store, options.origin);
    const latest = await store.latestCheckpoint();
    const sequencer = new Sequencer(store, options, tree, latest?.size ?? -1);
    if (!latest || latest.size < tree.size) await sequencer.#checkpoint();
    return sequencer;
  }

  /** The number of entries committed (and covered by a checkpoint once `append` resolved). */
  get size(): number {
    return this.#tree.size;
  }

  /** Appends one entry; resolves with its index once it is committed and a checkpoint covers it. */
  append(entry: Uint8Array): Promise<{ index: number }> {
    return new Promise((resolve, reject) => {
      if (this.#broken !== undefined) {
        reject(new SequencerError(`log ${this.store.logId}: sequencer stopped`, { cause: this.#broken }));
        return;
      }
      this.#pending.push({ entry: entry.slice(), resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Waits until every append made so far has settled. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    // Yield once so appends made in the same tick join the first batch.
    await Promise.resolve();
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      try {
        const first = await this.#commit(batch);
        batch.forEach((p, i) => p.resolve({ index: first + i }));
      } catch (error) {
        for (const p of batch) p.reject(error);
        await this.#resync();
      }
    }
    this.#running = undefined;
  }

  /** Writes one batch durably, then signs and stores a checkpoint over it. */
  async #commit(batch: readonly PendingAppend[]): Promise<number> {
    const first = this.#tree.size;
    const entries: LogEntry[] = [];
    const nodes: StoredNode[] = [];
    for (const [i, { entry }] of batch.entries()) {
      const leaf = leafHash(entry);
      entries.push({ index: first + i, entry, leafHash: leaf });
      nodes.push(...this.#tree.append(leaf));
    }
    await this.store.appendBatch(entries, nodes);
    await this.#checkpoint();
    return first;
  }

  /** tlog-checkpoint over the current (committed) tree; sizes only grow. */
  async #checkpoint(): Promise<void> {
    const size = this.#tree.size;
    if (size <= this.#checkpointSize) return;
    const { origin, signer } = this.#options;
    const note = signCheckpoint({ origin, size, root: this.#tree.root(), extensions: [] }, signer);
    await this.store.addCheckpoint({ size, note });
    this.#checkpointSize = size;
  }

  /**
   * After a failed batch the in-memory tree may be ahead of the store: reload it. If the entries
   * did commit and only the checkpoint failed, sign it now. When the store cannot be re-read the
   * sequencer stops: it must be reopened, which checks the store against the last checkpoint.
   */
  async #resync(): Promise<void> {
    try {
      this.#tree = await recoverTree(this.store, this.#options.origin);
      const latest = await this.store.latestCheckpoint();
      this.#checkpointSize = latest?.size ?? -1;
      await this.#checkpoint();
    } catch (error) {
      this.#broken = error;
      for (const p of this.#pending.splice(0)) {
        p.reject(new SequencerError(`log ${this.store.logId}: sequencer stopped`, { cause: error }));
      }
    }
  }
}
