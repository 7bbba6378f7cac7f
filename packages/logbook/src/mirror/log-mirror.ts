// A mirror of another node's log, stored in this node's database like a log of its own (entries,
// tree nodes, the log's signed checkpoints), so it can be verified, proven from and served again.
// Syncing to a checkpoint fetches the entries it adds, checks they hash to its root (so the
// mirror's copy is exactly what the log signed), and lets the region's rules judge each new entry
// before anything is stored: a validating witness cosigns only what its mirror accepted.
import type { Db } from '@ketenlog/storage';
import { bytesEqual } from '../bytes.ts';
import { openCheckpoint, type Checkpoint } from '../checkpoint.ts';
import { CompactTree, leafHash, rangeNodes, verifyConsistency, type StoredNode } from '../merkle.ts';
import { verifierFromKey, type NoteVerifier } from '../note.ts';
import { recoverLog } from '../sequencer-recovery.ts';
import { LogReader } from '../store/log-reader.ts';
import { SqlLogStore, type LogEntry } from '../store/log-store.ts';
import type { TileBudget } from '../store/tile-budget.ts';
import type { Validation } from '../witness/witness.ts';
import type { EntryPolicy, LogRef } from '../witness/policy.ts';
import { TileFetchError, type TileClient } from './tile-client.ts';

export interface LogMirrorOptions {
  /** The mirror's log id in this database, e.g. `mirror-<node id>`. */
  readonly logId: string;
  readonly origin: string;
  /** The log's signed-note verifier key, as the region publishes it. */
  readonly verifierKey: string;
  readonly client: TileClient;
  /** Judges each new entry and folds the accepted ones; none: every authentic entry is kept. */
  readonly policy?: EntryPolicy;
  /** Memory for the tiles its proofs are served from, shared with the node's other logs. */
  readonly tileBudget?: TileBudget;
}

export type SyncResult = Validation & { readonly size: number };

/** Entries fetched, checked and stored per step while catching up. */
const STEP = 4096;

export class LogMirror {
  readonly store: SqlLogStore;
  readonly reader: LogReader;
  readonly #options: LogMirrorOptions;
  readonly #verifier: NoteVerifier;
  #tree: CompactTree;
  #running: Promise<unknown> = Promise.resolve();
  /** Entries durably stored. A sync step grows the tree before it judges the new entries. */
  #stored: number;

  private constructor(
    store: SqlLogStore,
    options: LogMirrorOptions,
    verifier: NoteVerifier,
    tree: CompactTree,
  ) {
    this.store = store;
    this.#options = options;
    this.#verifier = verifier;
    this.#tree = tree;
    this.#stored = tree.size;
    this.reader = new LogReader(store, undefined, { tileBudget: options.tileBudget });
  }

  static async open(db: Db, options: LogMirrorOptions): Promise<LogMirror> {
    await SqlLogStore.migrate(db);
    const store = new SqlLogStore(db, options.logId);
    await store.registerLogKey(options.origin, options.verifierKey);
    const verifier = verifierFromKey(options.verifierKey);
    const { tree } = await recoverLog(store, options.origin, verifier);
    return new LogMirror(store, options, verifier, tree);
  }

  get origin(): string {
    return this.#options.origin;
  }

  /** The log's checkpoint verifier. */
  get verifier(): NoteVerifier {
    return this.#verifier;
  }

  get ref(): LogRef {
    return { logId: this.#options.logId, origin: this.#options.origin };
  }

  /** Entries held (all authentic and accepted). */
  /** Entries held: verified, judged and stored (never the ones a sync is still checking). */
  get size(): number {
    return this.#stored;
  }

  /**
   * Brings the mirror up to `target` (a checkpoint note someone submitted), or to the log's
   * latest checkpoint. One sync at a time; the result says whether the mirror now holds the
   * checkpoint's tree, and if not, why (with evidence when the log misbehaved).
   */
  sync(targetNote?: string): Promise<SyncResult> {
    const run = this.#running.then(() => this.#sync(targetNote));
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #sync(targetNote: string | undefined): Promise<SyncResult> {
    let note = targetNote;
    try {
      note ??= await this.#options.client.checkpoint();
    } catch (error) {
      return this.#refused(503, `cannot reach the log: ${(error as Error).message}`);
    }
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, this.origin, this.#verifier).checkpoint;
    } catch (error) {
      return this.#refused(422, `the log's checkpoint does not verify: ${(error as Error).message}`);
    }
    if (checkpoint.size <= this.#tree.size) return this.#compare(checkpoint, note);
    while (this.#tree.size < checkpoint.size) {
      const result = await this.#step(checkpoint, note);
      if (!result.ok) return result;
    }
    return { ok: true, size: this.#tree.size };
  }

  /** A checkpoint no larger than what the mirror holds must have the root the mirror computes. */
  async #compare(checkpoint: Checkpoint, note: string): Promise<SyncResult> {
    const root =
      checkpoint.size === this.#tree.size
        ? this.#tree.root()
        : new CompactTree(
            checkpoint.size,
            await this.store.readNodes(rangeNodes({ start: 0, end: checkpoint.size })),
          ).root();
    if (!bytesEqual(root, checkpoint.root)) {
      const ours = await this.store.latestCheckpoint();
      return {
        ...this.#refused(409, `two different roots for tree size ${checkpoint.size}`),
        kind: 'split-view',
        notes: ours ? [ours.note] : [],
      };
    }
    if (checkpoint.size === this.#tree.size && !(await this.store.checkpointAt(checkpoint.size))) {
      await this.store.addCheckpoint({ size: checkpoint.size, note });
    }
    return { ok: true, size: this.#tree.size };
  }

  /** Fetches, checks, judges and stores up to STEP entries towards `checkpoint`. */
  async #step(checkpoint: Checkpoint, note: string): Promise<SyncResult> {
    const from = this.#tree.size;
    const to = Math.min(checkpoint.size, from + STEP);
    let entries: Uint8Array[];
    try {
      entries = await this.#options.client.entries(from, to);
    } catch (error) {
      if (error instanceof TileFetchError)
        return this.#refused(503, `cannot fetch entries: ${error.message}`);
      throw error;
    }
    const completed: StoredNode[][] = [];
    const fetched: LogEntry[] = entries.map((entry, i) => ({
      index: from + i,
      entry,
      leafHash: leafHash(entry),
    }));
    for (const { leafHash: leaf } of fetched) completed.push(this.#tree.append(leaf));
    // Every step is checked against the checkpoint before it is judged or stored: the last one by
    // its root, the others by a consistency proof from the step's tree to the checkpoint's.
    let authentic: boolean;
    try {
      authentic =
        to === checkpoint.size
          ? bytesEqual(this.#tree.root(), checkpoint.root)
          : verifyConsistency(
              to,
              checkpoint.size,
              await this.#options.client.consistency(to, checkpoint.size),
              this.#tree.root(),
              checkpoint.root,
            );
    } catch (error) {
      await this.#reload();
      if (error instanceof TileFetchError)
        return this.#refused(503, `cannot fetch a consistency proof: ${error.message}`);
      throw error;
    }
    if (!authentic) {
      await this.#reload();
      return {
        ...this.#refused(
          422,
          `the log's entries ${from}..${to} do not match its checkpoint of size ${checkpoint.size}`,
        ),
        kind: 'entries-mismatch',
      };
    }
    let accepted = entries.length;
    let refusal = '';
    const { policy } = this.#options;
    if (policy) {
      for (const [i, entry] of entries.entries()) {
        const verdict = policy.check(this.ref, from + i, entry);
        if (!verdict.ok) {
          accepted = i;
          refusal = `entry ${from + i}: ${verdict.reason}`;
          break;
        }
        policy.accept(this.ref, from + i, entry);
      }
    }
    const rows = fetched.slice(0, accepted);
    await this.store.commit({
      entries: rows,
      nodes: completed.slice(0, accepted).flat(),
      ...(accepted === entries.length && to === checkpoint.size ? { checkpoint: { size: to, note } } : {}),
    });
    this.#stored = from + accepted;
    if (accepted < entries.length) {
      await this.#reload();
      return { ...this.#refused(422, refusal), kind: 'invalid-entry' };
    }
    return { ok: true, size: this.#tree.size };
  }

  async #reload(): Promise<void> {
    this.#tree = (await recoverLog(this.store, this.origin, this.#verifier)).tree;
    this.#stored = this.#tree.size;
  }

  #refused(status: 409 | 422 | 503, reason: string): SyncResult & { ok: false } {
    return { ok: false, status, reason, size: this.#tree.size };
  }

  /** Every stored entry, in order (to rebuild the region state from the database). */
  async *entries(): AsyncGenerator<{ index: number; entry: Uint8Array }> {
    for (let start = 0; start < this.#tree.size; start += STEP) {
      for (const e of await this.store.readEntries(start, Math.min(this.#tree.size, start + STEP))) {
        yield { index: e.index, entry: e.entry };
      }
    }
  }
}
