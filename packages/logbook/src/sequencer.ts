// One writer per log, with group commit. Concurrent appends are batched; a batch's entries and the
// tree nodes they complete are committed in one database transaction; only after that commit is a
// C2SP tlog-checkpoint over them signed, and the appends resolve once that checkpoint is stored too.
// To spend one commit per batch, a checkpoint is stored in the same transaction as the next batch
// (signing still strictly follows the commit of the entries it covers).
import type { Db } from '@ketenlog/storage';
import { bytesEqual } from './bytes.ts';
import { signCheckpoint } from './checkpoint.ts';
import { leafHash, type CompactTree, type StoredNode } from './merkle.ts';
import { verifierFromKey, type NoteSigner, type NoteVerifier } from './note.ts';
import { recoverLog, SequencerError } from './sequencer-recovery.ts';
import { LogReader } from './store/log-reader.ts';
import type { TileBudget } from './store/tile-budget.ts';
import { MAX_ENTRY_BYTES } from './tiles.ts';
import { SqlLogStore, type LogEntry, type StoredCheckpoint } from './store/log-store.ts';
import type { PendingAppends } from './store/pending-appends.ts';

export { SequencerError } from './sequencer-recovery.ts';

/** Upper bound on one batch, so a burst cannot make one transaction unboundedly large. */
const MAX_BATCH = 4096;

export interface SequencerOptions {
  /** The log's id in this database (e.g. `consent`); one node may hold several logs. */
  readonly logId: string;
  /** tlog-checkpoint origin line, e.g. `ketenlog.example/org-1/consent`. */
  readonly origin: string;
  readonly signer: NoteSigner;
  /** The signer's signed-note verifier key (vkey); stored in `log_keys` for `verify --data`. */
  readonly verifierKey: string;
  /** Memory for the tiles its proofs are served from, shared with the node's other logs. */
  readonly tileBudget?: TileBudget;
}

interface SequencerParts {
  /** Appends other processes hand over (PostgreSQL, several processes): drained when woken. */
  readonly forwarded?: PendingAppends;
}

export interface AppendResult {
  readonly index: number;
  /** The signed, stored checkpoint that first covers the entry. */
  readonly checkpoint: StoredCheckpoint;
}

interface PendingAppend {
  readonly entry: Uint8Array;
  /** Set for an append another process handed over: its row in the pending table. */
  readonly forwardedId?: number;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A batch that is committed and signed, waiting for its checkpoint to be stored. */
interface SignedBatch {
  readonly checkpoint: StoredCheckpoint;
  readonly first: number;
  readonly appends: readonly PendingAppend[];
  /** Whether it holds forwarded appends, whose processes wait for a notification. */
  readonly forwarded: boolean;
}

function checkKeyPair(signer: NoteSigner, vkey: string): NoteVerifier {
  const verifier = verifierFromKey(vkey);
  const probe = 'ketenlog log key check\n';
  if (
    verifier.name !== signer.name ||
    !bytesEqual(verifier.keyId, signer.keyId) ||
    !verifier.verify(probe, signer.sign(probe))
  ) {
    throw new SequencerError(`the verifier key ${verifier.name} is not the signer's key ${signer.name}`);
  }
  return verifier;
}

/**
 * Checks the key pair, creates the tables and registers the log's origin and key, refusing a log
 * already registered with another origin or key.
 */
export async function registerLog(
  db: Db,
  options: SequencerOptions,
  migrate: (db: Db) => Promise<void>,
): Promise<{ store: SqlLogStore; verifier: NoteVerifier }> {
  const verifier = checkKeyPair(options.signer, options.verifierKey);
  await migrate(db);
  const store = new SqlLogStore(db, options.logId);
  await store.registerLogKey(options.origin, options.verifierKey);
  const registered = await store.logKey();
  if (registered?.origin !== options.origin || registered.vkey !== options.verifierKey) {
    throw new SequencerError(
      `log ${options.logId} is registered with origin ${registered?.origin} and key ${registered?.vkey?.split('+')[0]}`,
    );
  }
  return { store, verifier };
}

export class Sequencer {
  readonly store: SqlLogStore;
  /** Reads entries and proofs against this log's checkpoints (the latest from memory). */
  readonly reader: LogReader;
  readonly #options: SequencerOptions;
  readonly #verifier: NoteVerifier;
  #tree: CompactTree;
  #latest: StoredCheckpoint | undefined;
  #pending: PendingAppend[] = [];
  #running: Promise<void> | undefined;
  /** Set when the store could not be re-read after a failure: the in-memory tree is unreliable. */
  #broken: unknown;
  #closed = false;
  readonly #forwarded: PendingAppends | undefined;
  /** Set when forwarded appends may be waiting; the drain then reads the pending table. */
  #forwardedDue = false;

  private constructor(
    store: SqlLogStore,
    options: SequencerOptions,
    verifier: NoteVerifier,
    tree: CompactTree,
    parts: SequencerParts,
  ) {
    this.store = store;
    this.#forwarded = parts.forwarded;
    this.#forwardedDue = parts.forwarded !== undefined;
    this.#options = options;
    this.#verifier = verifier;
    this.#tree = tree;
    this.reader = new LogReader(store, async () => this.#latest, { tileBudget: options.tileBudget });
  }

  /**
   * Opens the log's sequencer: creates the tables if needed, registers the log's key, recovers the
   * tree and refuses to continue when it does not match the last checkpoint. Entries that were
   * committed but not yet covered by a checkpoint (a crash in between) get one now; a new log gets
   * a checkpoint of the empty tree.
   */
  static async open(db: Db, options: SequencerOptions, parts: SequencerParts = {}): Promise<Sequencer> {
    const { store, verifier } = await registerLog(db, options, SqlLogStore.migrate);
    const { tree, latest } = await recoverLog(store, options.origin, verifier);
    const sequencer = new Sequencer(store, options, verifier, tree, parts);
    sequencer.#latest = latest;
    if (!latest || latest.size < tree.size) await sequencer.#checkpointNow();
    return sequencer;
  }

  /**
   * Forwarded appends are waiting (a notification, or a periodic look): the next drain reads
   * them. A no-op without a pending table.
   */
  wake(): void {
    if (!this.#forwarded || this.#closed || this.#broken !== undefined) return;
    this.#forwardedDue = true;
    this.#running ??= this.#drain();
  }

  get logId(): string {
    return this.#options.logId;
  }

  get origin(): string {
    return this.#options.origin;
  }

  /** The log's verifier (its public key), for checking its own checkpoints. */
  get verifier(): NoteVerifier {
    return this.#verifier;
  }

  /** The size of the latest stored checkpoint: every acknowledged entry is below it. */
  get size(): number {
    return this.#latest?.size ?? 0;
  }

  /** The latest signed and stored checkpoint. */
  latestCheckpoint(): StoredCheckpoint | undefined {
    return this.#latest;
  }

  /**
   * Appends one entry; resolves once it is committed and a signed checkpoint covering it is
   * stored. A rejected append may or may not be in the log (as with any database write).
   */
  append(entry: Uint8Array): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.#closed || this.#broken !== undefined) {
        const why = this.#closed ? 'closed' : 'stopped after a storage failure';
        reject(new SequencerError(`log ${this.logId}: sequencer ${why}`, { cause: this.#broken }));
        return;
      }
      if (entry.length > MAX_ENTRY_BYTES) {
        reject(
          new SequencerError(`log ${this.logId}: entry of ${entry.length} bytes exceeds ${MAX_ENTRY_BYTES}`),
        );
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

  /** Stops accepting appends and waits for those in flight. The database stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  /** A tlog-checkpoint over the in-memory tree, which the caller has made durable. */
  #sign(): StoredCheckpoint {
    const { origin, signer } = this.#options;
    const size = this.#tree.size;
    return { size, note: signCheckpoint({ origin, size, root: this.#tree.root(), extensions: [] }, signer) };
  }

  /** Signs the in-memory tree, whose entries are durable, and stores that checkpoint on its own. */
  async #checkpointNow(): Promise<void> {
    const checkpoint = this.#sign();
    await this.store.commit({
      entries: [],
      nodes: [],
      checkpoint,
      notify: this.#forwarded?.sequencedNotice(checkpoint.size),
    });
    this.#latest = checkpoint;
  }

  /** Forwarded appends to sequence with this batch, when some may be waiting. */
  async #takeForwarded(room: number): Promise<PendingAppend[]> {
    if (!this.#forwarded || !this.#forwardedDue || room <= 0) return [];
    this.#forwardedDue = false;
    let taken;
    try {
      taken = await this.#forwarded.take(Math.min(room, 1024));
    } catch {
      // The pending table is unreadable for now; the next wake (at the latest the periodic one) retries.
      return [];
    }
    if (taken.length === Math.min(room, 1024)) this.#forwardedDue = true;
    return taken.map(({ id, entry }) => ({ entry, forwardedId: id, resolve: () => {}, reject: () => {} }));
  }

  async #drain(): Promise<void> {
    let signed: SignedBatch | undefined;
    while (this.#pending.length > 0 || signed || this.#forwardedDue) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      batch.push(...(await this.#takeForwarded(MAX_BATCH - batch.length)));
      const first = this.#tree.size;
      const entries: LogEntry[] = [];
      const nodes: StoredNode[] = [];
      const forwarded: { id: number; index: number }[] = [];
      for (const [i, { entry, forwardedId }] of batch.entries()) {
        const leaf = leafHash(entry);
        entries.push({ index: first + i, entry, leafHash: leaf });
        for (const node of this.#tree.append(leaf)) nodes.push(node);
        if (forwardedId !== undefined) forwarded.push({ id: forwardedId, index: first + i });
      }
      if (entries.length === 0 && !signed) continue;
      try {
        await this.store.commit({
          entries,
          nodes,
          checkpoint: signed?.checkpoint,
          forwarded,
          // Only checkpoints over forwarded appends notify: a NOTIFY serialises commits in
          // PostgreSQL, and the integrator's own appends need none.
          notify: signed?.forwarded ? this.#forwarded?.sequencedNotice(signed.checkpoint.size) : undefined,
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
        // Forwarded appends that did not commit are still pending: take them again.
        if (forwarded.length > 0) this.#forwardedDue = true;
        await this.#recover(signed, error);
        signed = undefined;
        continue;
      }
      if (signed) this.#settle(signed);
      // The batch is durable now: sign over it; the checkpoint is stored with the next batch.
      signed =
        batch.length > 0
          ? { checkpoint: this.#sign(), first, appends: batch, forwarded: forwarded.length > 0 }
          : undefined;
    }
    this.#running = undefined;
  }

  #settle(signed: SignedBatch): void {
    this.#latest = signed.checkpoint;
    signed.appends.forEach((p, i) => p.resolve({ index: signed.first + i, checkpoint: signed.checkpoint }));
  }

  /**
   * After a failed commit the in-memory tree may be ahead of the store: rebuild it from storage
   * (which checks it against the last checkpoint) and sign what was committed but not yet covered.
   * The previous batch, already committed, still resolves when that checkpoint covers it. When the
   * store cannot be recovered the sequencer stops; reopening it runs the same checks.
   */
  async #recover(signed: SignedBatch | undefined, cause: unknown): Promise<void> {
    try {
      const { tree, latest } = await recoverLog(this.store, this.#options.origin, this.#verifier);
      this.#tree = tree;
      this.#latest = latest;
      if (!latest || latest.size < tree.size) await this.#checkpointNow();
      if (signed && this.size >= signed.first + signed.appends.length) {
        signed.appends.forEach((p, i) => p.resolve({ index: signed.first + i, checkpoint: this.#latest! }));
      } else {
        for (const p of signed?.appends ?? []) p.reject(cause);
      }
    } catch (error) {
      this.#broken = error;
      for (const p of [...(signed?.appends ?? []), ...this.#pending.splice(0)]) {
        p.reject(new SequencerError(`log ${this.logId}: sequencer stopped`, { cause: error }));
      }
    }
  }
}
