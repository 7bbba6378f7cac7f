// One log written by any number of processes on one PostgreSQL database. Exactly one of them, the
// integrator (elected, see election.ts), sequences the log, builds its tree and signs checkpoints
// with an ordinary Sequencer opened from the stored tree (sequencer-recovery.ts); an append that
// reaches any other process is handed to it through the pending table (store/pending-appends.ts)
// and answers with the same index and checkpoint the integrator would have given. When the
// integrator dies, the next process elected resumes from the stored tree: entries are unique per
// index in the database and Ed25519 signatures are deterministic, so two processes that both
// believe they integrate can never store or sign two different checkpoints of one size.
// On SQLite (one process) this is the plain Sequencer.
import type { Db, DbSession } from '@ketenlog/storage';
import {
  registerLog,
  Sequencer,
  SequencerError,
  type AppendResult,
  type SequencerOptions,
} from '../sequencer.ts';
import { LogReader } from '../store/log-reader.ts';
import { SqlLogStore, type StoredCheckpoint } from '../store/log-store.ts';
import { LOG_CHANNEL, migrateShared, PendingAppends } from '../store/pending-appends.ts';
import { MAX_ENTRY_BYTES } from '../tiles.ts';
import type { NoteVerifier } from '../note.ts';
import { Election } from './election.ts';

export interface SharedLogOptions extends SequencerOptions {
  /** How often a forwarder looks for its answers without a notification (and the integrator for
   * forwarded appends). Default 1 s; notifications normally come first. */
  readonly pollMs?: number;
  /** A forwarded append not sequenced within this rejects (it may still be sequenced later). Default 30 s. */
  readonly forwardTimeoutMs?: number;
  /** Told when this process becomes or stops being the integrator. */
  readonly onRole?: (integrating: boolean) => void;
  readonly onError?: (error: unknown) => void;
}

interface Waiting {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
  readonly deadline: number;
}

/** Forwarded appends looked up per query. */
const SETTLE_BATCH = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class SharedLog {
  readonly store: SqlLogStore;
  /** Reads entries and proofs against this log's latest stored checkpoint. */
  readonly reader: LogReader;
  readonly logId: string;
  readonly origin: string;
  /** The log's verifier (its public key). */
  readonly verifier: NoteVerifier;
  readonly #options: SharedLogOptions;
  readonly #pending: PendingAppends | undefined;
  #sequencer: Sequencer | undefined;
  #election: Election | undefined;
  #listener: DbSession | undefined;
  /** The latest checkpoint seen by this process (from its own sequencer, or read from the store). */
  #latest: StoredCheckpoint | undefined;
  readonly #waiting = new Map<number, Waiting>();
  #checking: Promise<void> | undefined;
  #recheck = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #sizeListeners = new Set<(size: number) => void>();
  #closed = false;

  private constructor(
    store: SqlLogStore,
    options: SharedLogOptions,
    verifier: NoteVerifier,
    pending?: PendingAppends,
  ) {
    this.store = store;
    this.#options = options;
    this.logId = options.logId;
    this.origin = options.origin;
    this.verifier = verifier;
    this.#pending = pending;
    this.reader = new LogReader(store, () => this.#currentLatest(), { tileBudget: options.tileBudget });
  }

  /**
   * Opens the log in this process. On PostgreSQL it campaigns to integrate the log; it returns
   * once that first attempt is decided (integrating, or forwarding to the process that is).
   */
  static async open(db: Db, options: SharedLogOptions): Promise<SharedLog> {
    if (!db.session) {
      const sequencer = await Sequencer.open(db, options);
      const log = new SharedLog(sequencer.store, options, sequencer.verifier);
      log.#sequencer = sequencer;
      return log;
    }
    const { store, verifier } = await registerLog(db, options, migrateShared);
    const pending = await PendingAppends.open(db, options.logId);
    const log = new SharedLog(store, options, verifier, pending);
    log.#latest = await store.latestCheckpoint();
    await log.#listen();
    log.#election = await Election.start(db, {
      role: `log:${options.logId}`,
      onElected: () => log.#integrate(),
      onDeposed: () => log.#stepDown(),
      onError: options.onError,
    });
    log.#poll();
    return log;
  }

  /** True while this process integrates the log. */
  get integrating(): boolean {
    return this.#sequencer !== undefined;
  }

  /** The size of the latest checkpoint this process knows of. */
  get size(): number {
    return this.latestCheckpoint()?.size ?? 0;
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const own = this.#sequencer?.latestCheckpoint();
    return own && own.size >= (this.#latest?.size ?? 0) ? own : this.#latest;
  }

  /**
   * The size of the latest stored checkpoint, read from the store in a process that does not
   * integrate (its notifications may lag); at once in the one that does.
   */
  async refresh(): Promise<number> {
    if (!this.#sequencer) this.#learn(await this.store.latestCheckpoint());
    return this.size;
  }

  /** Calls `listener` with the size of each newer checkpoint this process learns of. */
  onCheckpoint(listener: (size: number) => void): () => void {
    this.#sizeListeners.add(listener);
    return () => this.#sizeListeners.delete(listener);
  }

  /**
   * Appends one entry; resolves once it is committed under a stored signed checkpoint, with its
   * index and the first checkpoint covering it — whichever process integrates the log.
   */
  append(entry: Uint8Array): Promise<AppendResult> {
    const sequencer = this.#sequencer;
    if (sequencer) return sequencer.append(entry);
    return this.#forward(entry);
  }

  /** Waits until every append this process made so far has settled. */
  async flush(): Promise<void> {
    await this.#sequencer?.flush();
    while (this.#waiting.size > 0 && !this.#closed) await sleep(10);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#election?.close();
    if (this.#sequencer) await this.#stepDown();
    await this.#listener?.close();
    for (const [id, w] of this.#waiting) {
      this.#waiting.delete(id);
      w.reject(new SequencerError(`log ${this.logId}: closed before the forwarded append was sequenced`));
    }
  }

  async #currentLatest(): Promise<StoredCheckpoint | undefined> {
    if (this.#sequencer) return this.latestCheckpoint();
    const stored = await this.store.latestCheckpoint();
    this.#learn(stored);
    return this.latestCheckpoint();
  }

  #learn(checkpoint: StoredCheckpoint | undefined): void {
    if (!checkpoint || checkpoint.size <= (this.#latest?.size ?? -1)) return;
    this.#latest = checkpoint;
    for (const listener of this.#sizeListeners) listener(checkpoint.size);
  }

  async #integrate(): Promise<void> {
    const sequencer = await Sequencer.open(this.store.db, this.#options, { forwarded: this.#pending });
    this.#sequencer = sequencer;
    this.#learn(sequencer.latestCheckpoint());
    await this.#pending?.removeAbandoned();
    this.#options.onRole?.(true);
    sequencer.wake();
  }

  async #stepDown(): Promise<void> {
    const sequencer = this.#sequencer;
    if (!sequencer) return;
    this.#sequencer = undefined;
    this.#options.onRole?.(false);
    // Appends already in its queue settle (their commits are fenced by the entries' primary key
    // should another process already integrate); new ones are forwarded.
    await sequencer.close();
    this.#learn(sequencer.latestCheckpoint());
  }

  /** One connection per log and process hears `pending` (integrator) and `sequenced` (everyone). */
  async #listen(): Promise<void> {
    const scope = this.#pending!.scope;
    const session = await this.store.db.session!();
    await session.listen(LOG_CHANNEL, (payload) => {
      const [kind, about, size] = payload.split(' ');
      if (about !== scope) return;
      if (kind === 'pending') this.#sequencer?.wake();
      if (kind === 'sequenced') {
        if (!this.#sequencer) this.#learnSize(Number(size));
        this.#checkWaiting();
      }
    });
    this.#listener = session;
    void session.ended.then(() => this.#relisten(session));
  }

  async #relisten(lost: DbSession): Promise<void> {
    while (!this.#closed && this.#listener === lost) {
      await sleep(this.#options.pollMs ?? 1000);
      if (this.#closed) return;
      try {
        await this.#listen();
      } catch (error) {
        this.#options.onError?.(error);
      }
    }
  }

  /** A notification names the new size; the note itself is read from the store when asked for. */
  #learnSize(size: number): void {
    if (Number.isSafeInteger(size) && size > (this.#latest?.size ?? -1)) {
      void this.store.checkpointAt(size).then(
        (checkpoint) => this.#learn(checkpoint),
        () => undefined,
      );
    }
  }

  /** Periodically: the integrator looks for forwarded appends, a forwarder for its answers. */
  #poll(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#sequencer?.wake();
      if (this.#waiting.size > 0) this.#checkWaiting();
      this.#poll();
    }, this.#options.pollMs ?? 1000);
    this.#timer.unref();
  }

  #forward(entry: Uint8Array): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new SequencerError(`log ${this.logId}: closed`));
    if (entry.length > MAX_ENTRY_BYTES) {
      return Promise.reject(
        new SequencerError(`log ${this.logId}: entry of ${entry.length} bytes exceeds ${MAX_ENTRY_BYTES}`),
      );
    }
    return this.#pending!.forward(entry).then(
      (id) =>
        new Promise<AppendResult>((resolve, reject) => {
          this.#waiting.set(id, {
            resolve,
            reject,
            deadline: Date.now() + (this.#options.forwardTimeoutMs ?? 30_000),
          });
          this.#checkWaiting();
        }),
    );
  }

  /** Settles the forwarded appends that are sequenced; one look at a time, again if asked meanwhile. */
  #checkWaiting(): void {
    if (this.#waiting.size === 0) return;
    if (this.#checking) {
      this.#recheck = true;
      return;
    }
    this.#checking = (async () => {
      do {
        this.#recheck = false;
        try {
          await this.#settleWaiting();
        } catch (error) {
          this.#options.onError?.(error);
        }
      } while (this.#recheck && this.#waiting.size > 0);
      this.#checking = undefined;
    })();
  }

  async #settleWaiting(): Promise<void> {
    const ids = [...this.#waiting.keys()].slice(0, SETTLE_BATCH);
    if (this.#waiting.size > SETTLE_BATCH) this.#recheck = true;
    const done = await this.#pending!.sequenced(ids);
    for (const { id, index, checkpoint } of done) {
      this.#waiting.get(id)?.resolve({ index, checkpoint });
      this.#waiting.delete(id);
      this.#learn(checkpoint);
    }
    await this.#pending!.remove(done.map((d) => d.id));
    const now = Date.now();
    for (const [id, w] of this.#waiting) {
      if (w.deadline <= now) {
        this.#waiting.delete(id);
        w.reject(
          new SequencerError(`log ${this.logId}: no integrator sequenced the forwarded append in time`),
        );
      }
    }
  }
}
