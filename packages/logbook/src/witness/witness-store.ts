// A witness's durable state in the node's database: per log origin, the latest checkpoint it
// cosigned (updated atomically with the old-size check), and the evidence of misbehaviour it kept.
import { randomUUID } from 'node:crypto';
import type { Db } from '@ketenlog/storage';

export const WITNESS_SCHEMA = `
CREATE TABLE IF NOT EXISTS witness_checkpoints (
  origin TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_evidence (
  id TEXT PRIMARY KEY,
  origin TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  notes TEXT NOT NULL,
  observed_at BIGINT NOT NULL
);
`;

/** What a witness saw that a log should never do. */
export type EvidenceKind =
  /** Two different roots for one tree size. */
  | 'split-view'
  /** A checkpoint whose consistency proof from the cosigned one does not verify. */
  | 'inconsistent'
  /** The log's entries do not hash to the root its checkpoint signs. */
  | 'entries-mismatch'
  /** An entry the region's rules do not allow. */
  | 'invalid-entry';

export interface Evidence {
  readonly id: string;
  readonly origin: string;
  readonly kind: EvidenceKind;
  readonly detail: string;
  /** The signed checkpoints involved, verbatim (both, for a split view). */
  readonly notes: readonly string[];
  /** Milliseconds since the epoch. */
  readonly observedAt: number;
}

export interface CosignedState {
  readonly size: number;
  readonly note: string;
}

export class WitnessStore {
  readonly db: Db;

  private constructor(db: Db) {
    this.db = db;
  }

  static async open(db: Db): Promise<WitnessStore> {
    await db.exec(WITNESS_SCHEMA);
    return new WitnessStore(db);
  }

  async latest(origin: string): Promise<CosignedState | undefined> {
    const rows = await this.db.all<{ size: number; note: string }>(
      'SELECT size, note FROM witness_checkpoints WHERE origin = ?',
      [origin],
    );
    return rows[0];
  }

  /**
   * Records `next` as the latest cosigned checkpoint only if the stored size is still `oldSize`
   * (0: none stored); false when another request moved it first. One conditional statement, so
   * the compare-and-set holds also between processes of one node on one PostgreSQL (a SELECT
   * then an upsert in a READ COMMITTED transaction would let two of them advance from one size).
   */
  async advance(origin: string, oldSize: number, next: CosignedState): Promise<boolean> {
    const { changes } =
      oldSize === 0
        ? await this.db.run(
            'INSERT INTO witness_checkpoints (origin, size, note) VALUES (?, ?, ?) ' +
              'ON CONFLICT (origin) DO UPDATE SET size = excluded.size, note = excluded.note ' +
              'WHERE witness_checkpoints.size = 0',
            [origin, next.size, next.note],
          )
        : await this.db.run(
            'UPDATE witness_checkpoints SET size = ?, note = ? WHERE origin = ? AND size = ?',
            [next.size, next.note, origin, oldSize],
          );
    return changes === 1;
  }

  async addEvidence(evidence: Omit<Evidence, 'id'>): Promise<Evidence> {
    const stored = { id: randomUUID(), ...evidence };
    await this.db.run(
      'INSERT INTO witness_evidence (id, origin, kind, detail, notes, observed_at) VALUES (?, ?, ?, ?, ?, ?)',
      [stored.id, stored.origin, stored.kind, stored.detail, JSON.stringify(stored.notes), stored.observedAt],
    );
    return stored;
  }

  async evidence(limit = 100): Promise<Evidence[]> {
    const rows = await this.db.all<{
      id: string;
      origin: string;
      kind: EvidenceKind;
      detail: string;
      notes: string;
      observed_at: number;
    }>(
      'SELECT id, origin, kind, detail, notes, observed_at FROM witness_evidence ORDER BY observed_at DESC, id LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      origin: r.origin,
      kind: r.kind,
      detail: r.detail,
      notes: JSON.parse(r.notes) as string[],
      observedAt: r.observed_at,
    }));
  }
}
