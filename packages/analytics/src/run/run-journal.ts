// The node's own record of the analysis runs it took part in, for the analyst's page (GET
// /analytics/runs): when a run started and ended, how it ended, what it released and how many
// records each party left out for lack of research consent. The released output is what every
// party signed in the run's `analysis.run` statement; the statement itself is on the logbook.
import type { Db } from '@ketenlog/storage';
import type { Json } from '@ketenlog/logbook';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS analysis_runs (
  id TEXT PRIMARY KEY,
  agreement TEXT NOT NULL,
  coordinator TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  status TEXT NOT NULL,
  records_left_out TEXT NOT NULL,
  output TEXT,
  output_digest TEXT,
  error TEXT
)`;

/** As this node saw it end: the release itself is the `analysis.run` statement on the logbook. */
export type RunStatus = 'running' | 'computed' | 'failed';

export interface JournalEntry {
  readonly id: string;
  readonly agreement: string;
  readonly coordinator: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: RunStatus;
  readonly recordsLeftOut: Record<string, number>;
  readonly output?: Json;
  readonly outputDigest?: string;
  readonly error?: string;
}

interface RunRow {
  id: string;
  agreement: string;
  coordinator: string;
  started_at: number;
  finished_at: number | null;
  status: RunStatus;
  records_left_out: string;
  output: string | null;
  output_digest: string | null;
  error: string | null;
}

export class RunJournal {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<RunJournal> {
    await db.exec(SCHEMA);
    return new RunJournal(db);
  }

  async started(r: {
    id: string;
    agreement: string;
    coordinator: string;
    startedAt: Date;
    recordsLeftOut: Record<string, number>;
  }): Promise<void> {
    await this.#db.run(
      `INSERT INTO analysis_runs (id, agreement, coordinator, started_at, status, records_left_out)
       VALUES (?, ?, ?, ?, 'running', ?)`,
      [r.id, r.agreement, r.coordinator, r.startedAt.getTime(), JSON.stringify(r.recordsLeftOut)],
    );
  }

  async finished(id: string, at: Date, o: { output: Json; outputDigest: string }): Promise<void> {
    await this.#db.run(
      `UPDATE analysis_runs SET finished_at = ?, status = 'computed', output = ?, output_digest = ? WHERE id = ?`,
      [at.getTime(), JSON.stringify(o.output), o.outputDigest, id],
    );
  }

  async failed(id: string, at: Date, error: string): Promise<void> {
    await this.#db.run(
      `UPDATE analysis_runs SET finished_at = ?, status = 'failed', error = ? WHERE id = ?`,
      [at.getTime(), error.slice(0, 500), id],
    );
  }

  /** Newest first. */
  async list(limit = 100): Promise<JournalEntry[]> {
    const rows = await this.#db.all<RunRow>(
      `SELECT * FROM analysis_runs ORDER BY started_at DESC, id LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      agreement: r.agreement,
      coordinator: r.coordinator,
      startedAt: new Date(Number(r.started_at)).toISOString(),
      ...(r.finished_at === null ? {} : { finishedAt: new Date(Number(r.finished_at)).toISOString() }),
      status: r.status,
      recordsLeftOut: JSON.parse(r.records_left_out) as Record<string, number>,
      ...(r.output === null ? {} : { output: JSON.parse(r.output) as Json }),
      ...(r.output_digest === null ? {} : { outputDigest: r.output_digest }),
      ...(r.error === null ? {} : { error: r.error }),
    }));
  }
}
