// Reading one log for clients: an entry with its inclusion proof against a signed checkpoint,
// consistency proofs, and the checkpoint list. Works on any SqlLogStore (the sequencer's own log,
// or a read-only view of it); tree nodes are cached (./node-cache.ts) because they never change.
import { readConsistencyProof, type Hash, type NodeId, type TreeStore } from '../merkle.ts';
import type { SqlLogStore, StoredCheckpoint } from './log-store.ts';
import { EntryCache, type EntryCacheOptions } from './entry-cache.ts';
import { NodeCache, type NodeCacheOptions } from './node-cache.ts';

export class LogReadError extends Error {
  override name = 'LogReadError';
  /** 'not-found': beyond what the checkpoint covers; 'bad-request': arguments that can never be valid. */
  readonly kind: 'not-found' | 'bad-request';

  constructor(kind: 'not-found' | 'bad-request', message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface EntryWithProof {
  readonly index: number;
  readonly entry: Uint8Array;
  /** The checkpoint the proof is against. */
  readonly checkpoint: StoredCheckpoint;
  /** RFC 9162 §2.1.3.1 inclusion proof of `index` in the tree of `checkpoint.size`. */
  readonly inclusionProof: readonly Hash[];
}

export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  /** RFC 9162 §2.1.4.1; empty when from = to. */
  readonly proof: readonly Hash[];
}

/** Where the latest checkpoint comes from: the sequencer's memory, or the database. */
export type LatestCheckpoint = () => Promise<StoredCheckpoint | undefined>;

/**
 * The store's newest checkpoint, re-read at most every `maxAgeMs` (tlog-tiles lets a checkpoint
 * be cached for a few seconds): for a reader that is not the log's sequencer.
 */
export function storedLatestCheckpoint(store: SqlLogStore, maxAgeMs = 1000): LatestCheckpoint {
  let cached: { at: number; checkpoint: Promise<StoredCheckpoint | undefined> } | undefined;
  return () => {
    const now = performance.now();
    if (!cached || now - cached.at > maxAgeMs) {
      const checkpoint = store.latestCheckpoint();
      cached = { at: now, checkpoint };
      checkpoint.catch(() => (cached = undefined));
    }
    return cached.checkpoint;
  };
}

const isIndex = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export class LogReader implements TreeStore {
  readonly store: SqlLogStore;
  readonly #latest: LatestCheckpoint;
  readonly #nodes: NodeCache;
  readonly #entries: EntryCache;

  /** `latest` defaults to the store's newest stored checkpoint, re-read at most every second. */
  constructor(store: SqlLogStore, latest?: LatestCheckpoint, cache?: NodeCacheOptions & EntryCacheOptions) {
    this.store = store;
    this.#latest = latest ?? storedLatestCheckpoint(store);
    this.#nodes = new NodeCache(store, cache);
    this.#entries = new EntryCache(store, cache);
  }

  get logId(): string {
    return this.store.logId;
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const latest = await this.#latest();
    if (latest) this.#noteSize(latest.size);
    return latest;
  }

  #noteSize(size: number): void {
    this.#nodes.noteSize(size);
    this.#entries.noteSize(size);
  }

  /** merkle.TreeStore through the node cache (perfect subtrees are immutable once stored). */
  readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]> {
    return this.#nodes.readNodes(ids);
  }

  /** The checkpoint of `size` (latest when omitted); a not-found error when the log never signed it. */
  async checkpoint(size?: number): Promise<StoredCheckpoint> {
    if (size === undefined) {
      const latest = await this.latestCheckpoint();
      if (!latest) throw new LogReadError('not-found', `log ${this.logId} has no checkpoint yet`);
      return latest;
    }
    if (!isIndex(size)) throw new LogReadError('bad-request', `invalid tree size ${size}`);
    const stored = await this.store.checkpointAt(size);
    if (!stored) throw new LogReadError('not-found', `log ${this.logId} has no checkpoint of size ${size}`);
    this.#noteSize(stored.size);
    return stored;
  }

  /** Entry `index` with its inclusion proof against the checkpoint of `size` (default: the latest). */
  async entry(index: number, size?: number): Promise<EntryWithProof> {
    if (!isIndex(index)) throw new LogReadError('bad-request', `invalid entry index ${index}`);
    const checkpoint = await this.checkpoint(size);
    if (index >= checkpoint.size) {
      throw new LogReadError('not-found', `entry ${index} is beyond the tree of size ${checkpoint.size}`);
    }
    const [entry, inclusionProof] = await Promise.all([
      this.#entries.entry(index),
      this.#nodes.inclusionProof(index, checkpoint.size),
    ]);
    if (!entry) throw new Error(`log ${this.logId}: entry ${index} is missing from storage`);
    return { index, entry, checkpoint, inclusionProof };
  }

  /** Consistency proof between two tree sizes; both must be covered by the latest checkpoint. */
  async consistency(from: number, to: number): Promise<ConsistencyProof> {
    if (!isIndex(from) || !isIndex(to) || from > to) {
      throw new LogReadError('bad-request', `invalid consistency range ${from}..${to}`);
    }
    const latest = await this.checkpoint();
    if (to > latest.size)
      throw new LogReadError('not-found', `tree size ${to} is beyond the log's ${latest.size}`);
    // RFC 9162 §2.1.4: nothing to prove from the empty tree or to the same size.
    if (from === 0 || from === to) return { from, to, proof: [] };
    return { from, to, proof: await readConsistencyProof(from, to, this) };
  }

  /** Signed checkpoints in increasing size after `afterSize`, at most `limit`. */
  checkpoints(afterSize = -1, limit = 1000): Promise<StoredCheckpoint[]> {
    return this.store.checkpoints(afterSize, limit);
  }
}
