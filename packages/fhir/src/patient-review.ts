// Patients held for review (issue 16 item 5, "where configured"): with `patientIdentity:
// { onConflict: review }` a Patient whose BSN already belongs to another person is not refused but
// kept here, whole, until an administrator of the organisation decides — a new person (her BSN was
// wrong: the corrected one is given), the same person (merge: the held Patient becomes the stored
// one's next version; the earlier version stays in its history), or reject. Nothing is deleted: a
// decided review keeps the Patient as received, the decision, who took it and when.
import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import type { Db } from '@ketenlog/storage';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS patient_reviews (
  id TEXT PRIMARY KEY,
  patient TEXT NOT NULL,
  conflicts_with TEXT NOT NULL,
  reason TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  decided_by TEXT,
  decided_at BIGINT,
  result TEXT
);
CREATE INDEX IF NOT EXISTS patient_reviews_status ON patient_reviews (status, received_at)`;

/** `deciding`: an administrator's decision is being carried out. */
export type ReviewStatus = 'pending' | 'deciding' | 'new-person' | 'merged' | 'rejected';
export type ReviewDecision = 'new-person' | 'merge' | 'reject';

export interface PatientReview {
  readonly id: string;
  /** The Patient as it arrived. */
  readonly patient: Patient;
  /** The stored Patient whose BSN it carries (`Patient/<id>`). */
  readonly conflictsWith: string;
  /** Why it was held: the conflict, as the refusal would have said it. */
  readonly reason: string;
  readonly receivedAt: number;
  readonly status: ReviewStatus;
  /** Who decided (a professional's id) and when, once decided. */
  readonly decidedBy?: string;
  readonly decidedAt?: number;
  /** The Patient the decision wrote (`Patient/<id>`), for a new person or a merge. */
  readonly result?: string;
}

interface Row {
  id: string;
  patient: string;
  conflicts_with: string;
  reason: string;
  received_at: number;
  status: ReviewStatus;
  decided_by: string | null;
  decided_at: number | null;
  result: string | null;
}

const reviewOf = (row: Row): PatientReview => ({
  id: row.id,
  patient: JSON.parse(row.patient) as Patient,
  conflictsWith: row.conflicts_with,
  reason: row.reason,
  receivedAt: Number(row.received_at),
  status: row.status,
  ...(row.decided_by === null ? {} : { decidedBy: row.decided_by }),
  ...(row.decided_at === null ? {} : { decidedAt: Number(row.decided_at) }),
  ...(row.result === null ? {} : { result: row.result }),
});

const COLUMNS = 'id, patient, conflicts_with, reason, received_at, status, decided_by, decided_at, result';

export class PatientReviewQueue {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<PatientReviewQueue> {
    await db.exec(SCHEMA);
    return new PatientReviewQueue(db);
  }

  /** Holds a Patient; returns the review's id. */
  async hold(patient: Patient, conflictsWith: string, reason: string, now = Date.now()): Promise<string> {
    const id = randomUUID();
    await this.#db.run(
      'INSERT INTO patient_reviews (id, patient, conflicts_with, reason, received_at, status) VALUES (?, ?, ?, ?, ?, ?)',
      [id, JSON.stringify(patient), conflictsWith, reason, now, 'pending'],
    );
    return id;
  }

  /** Reviews, oldest first; only those with this status when given. */
  async list(status?: ReviewStatus, limit = 100): Promise<PatientReview[]> {
    const rows = await this.#db.all<Row>(
      status === undefined
        ? `SELECT ${COLUMNS} FROM patient_reviews ORDER BY received_at, id LIMIT ?`
        : `SELECT ${COLUMNS} FROM patient_reviews WHERE status = ? ORDER BY received_at, id LIMIT ?`,
      status === undefined ? [limit] : [status, limit],
    );
    return rows.map(reviewOf);
  }

  async get(id: string): Promise<PatientReview | undefined> {
    const [row] = await this.#db.all<Row>(`SELECT ${COLUMNS} FROM patient_reviews WHERE id = ?`, [id]);
    return row ? reviewOf(row) : undefined;
  }

  /** Takes a pending review for deciding; false when someone else has it or it is decided. */
  async claim(id: string): Promise<boolean> {
    const { changes } = await this.#db.run(
      "UPDATE patient_reviews SET status = 'deciding' WHERE id = ? AND status = 'pending'",
      [id],
    );
    return changes === 1;
  }

  /** Gives a claimed review back (its decision could not be carried out). */
  async release(id: string): Promise<void> {
    await this.#db.run("UPDATE patient_reviews SET status = 'pending' WHERE id = ? AND status = 'deciding'", [
      id,
    ]);
  }

  /** Records the decision on a claimed review. */
  async settle(
    id: string,
    status: Exclude<ReviewStatus, 'pending' | 'deciding'>,
    by: string,
    result?: string,
    now = Date.now(),
  ): Promise<void> {
    await this.#db.run(
      "UPDATE patient_reviews SET status = ?, decided_by = ?, decided_at = ?, result = ? WHERE id = ? AND status = 'deciding'",
      [status, by, now, result ?? null, id],
    );
  }
}
