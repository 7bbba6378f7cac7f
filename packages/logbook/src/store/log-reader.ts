// Reading one log for clients: an entry with its inclusion proof against a signed checkpoint,
// consistency proofs, and the checkpoint list. Works on any SqlLogStore (the sequencer's own log,
// or a read-only view of it); upper tree nodes are cached because they never change.
import { leafHash, readConsistencyProof, readInclusionProof, type Hash, type NodeId, type TreeStore } from '../merkle.ts';
import type { LogEntry, SqlLogStore, StoredCheckpoint } from './log-store.ts';

/** Nodes at or above this level are cached: few of them, and every proof needs some. */
const CACHED_FROM_LEVEL = 6;
/** Bound on cached nodes (about 100 bytes each with their keys). */
const MAX_CACHED_NODES = 200_000;

export class LogReadError extends Error {
  override name = 'LogReadError';
  /** 'not-found': beyond what the checkpoint covers; 'bad-request': arguments that can never be valid. */
  readonly kind: 'not-found' | 'bad-request';

  constructor(kind: 'not-found' | 'bad-request', message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface EntryWithProof extends LogEntry {
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

const isIndex = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export class LogReader implements TreeStore {
  readonly store: SqlLogStore;
  readonly #latest: LatestCheckpoint;
  readonly #nodes = new Map<string, Hash>();

  /** `latest` defaults to the store's newest stored checkpoint. */
  constructor(store: SqlLogStore, latest?: LatestCheckpoint) {
    this.store = store;
    this.#latest = latest ?? (() => store.latestCheckpoint());
  }

  get logId(): string {
    return this.store.logId;
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#latest();
  }

  /** merkle.TreeStore with a cache for upper nodes (perfect subtrees are immutable once stored). */
  async readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]> {
    const result: (Hash | undefined)[] = ids.map((id) =>
      id.level >= CACHED_FROM_LEVEL ? this.#nodes.get(`${id.level}/${id.index}`) : undefined,
    );
    const missing = ids.filter((_, i) => result[i] === undefined);
    if (missing.length > 0) {
      const read = await this.store.readNodes(missing);
      let next = 0;
      ids.forEach((id, i) => {
        if (result[i] !== undefined) return;
        const hash = read[next++];
        result[i] = hash;
        if (id.level >= CACHED_FROM_LEVEL) {
          if (this.#nodes.size >= MAX_CACHED_NODES) this.#nodes.clear();
          this.#nodes.set(`${id.level}/${id.index}`, hash);
        }
      });
    }
    return result as Hash[];
  }

  /** The checkpoint of `size` (latest when omitted); a not-found error when the log never signed it. */
  async checkpoint(size?: number): Promise<StoredCheckpoint> {
    if (size === undefined) {
      const latest = await this.#latest();
      if (!latest) throw new LogReadError('not-found', `log ${this.logId} has no checkpoint yet`);
      return latest;
    }
    if (!isIndex(size)) throw new LogReadError('bad-request', `invalid tree size ${size}`);
    const stored = await this.store.checkpointAt(size);
    if (!stored) throw new LogReadError('not-found', `log ${this.logId} has no checkpoint of size ${size}`);
    return stored;
  }

  /** Entry `index` with its inclusion proof against the checkpoint of `size` (default: the latest). */
  async entry(index: number, size?: number): Promise<EntryWithProof> {
    if (!isIndex(index)) throw new LogReadError('bad-request', `invalid entry index ${index}`);
    const checkpoint = await this.checkpoint(size);
    if (index >= checkpoint.size) {
      throw new LogReadError('not-found', `entry ${index} is beyond the tree of size ${checkpoint.size}`);
    }
    const [[stored], inclusionProof] = await Promise.all([
      this.store.readEntries(index, index + 1),
      readInclusionProof(index, checkpoint.size, this),
    ]);
    if (!stored) throw new Error(`log ${this.logId}: entry ${index} is missing from storage`);
    // The proof is for the entry's own hash, never a stored copy that could disagree with it.
    return { index, entry: stored.entry, leafHash: leafHash(stored.entry), checkpoint, inclusionProof };
  }

  /** Consistency proof between two tree sizes; both must be covered by the latest checkpoint. */
  async consistency(from: number, to: number): Promise<ConsistencyProof> {
    if (!isIndex(from) || !isIndex(to) || from > to) {
      throw new LogReadError('bad-request', `invalid consistency range ${from}..${to}`);
    }
    const latest = await this.checkpoint();
    if (to > latest.size) throw new LogReadError('not-found', `tree size ${to} is beyond the log's ${latest.size}`);
    // RFC 9162 §2.1.4: nothing to prove from the empty tree or to the same size.
    if (from === 0 || from === to) return { from, to, proof: [] };
    return { from, to, proof: await readConsistencyProof(from, to, this) };
  }

  /** Signed checkpoints in increasing size after `afterSize`, at most `limit`. */
  checkpoints(afterSize = -1, limit = 1000): Promise<StoredCheckpoint[]> {
    return this.store.checkpoints(afterSize, limit);
  }
}
