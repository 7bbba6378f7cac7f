// Several logs per node: one Sequencer per (log id, origin) in the node's database. All of them
// share the database, so on SQLite their batches also share commits (storage-level group commit).
import type { Db } from '@ketenlog/storage';
import { Sequencer, SequencerError, type SequencerOptions } from './sequencer.ts';

export class LogRegistry {
  readonly #logs: ReadonlyMap<string, Sequencer>;

  private constructor(logs: ReadonlyMap<string, Sequencer>) {
    this.#logs = logs;
  }

  /** Opens (and recovers) every named log; fails, closing none of the database, if one cannot open. */
  static async open(db: Db, logs: readonly SequencerOptions[]): Promise<LogRegistry> {
    const ids = new Set(logs.map((l) => l.logId));
    if (ids.size !== logs.length) throw new SequencerError('log ids must be unique');
    const origins = new Set(logs.map((l) => l.origin));
    if (origins.size !== logs.length) throw new SequencerError('log origins must be unique');
    const opened = new Map<string, Sequencer>();
    // One after another: the first use migrates the schema, which must not race with itself.
    for (const options of logs) opened.set(options.logId, await Sequencer.open(db, options));
    return new LogRegistry(opened);
  }

  /** The sequencer of a log, or undefined when this node has no such log. */
  get(logId: string): Sequencer | undefined {
    return this.#logs.get(logId);
  }

  /** The sequencer of a log; throws for an unknown log id. */
  log(logId: string): Sequencer {
    const log = this.#logs.get(logId);
    if (!log) throw new SequencerError(`no log ${logId} on this node`);
    return log;
  }

  get logIds(): string[] {
    return [...this.#logs.keys()];
  }

  /** Stops every log after its appends in flight have settled. */
  async close(): Promise<void> {
    await Promise.all([...this.#logs.values()].map((l) => l.close()));
  }
}
