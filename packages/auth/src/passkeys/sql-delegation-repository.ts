// DelegationRepository on @ketenlog/storage (SQLite and PostgreSQL).
import type { Db } from '@ketenlog/storage';
import type { DelegableKind, Delegation, DelegationRepository } from './delegation.ts';

export const DELEGATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS delegations (
  id TEXT PRIMARY KEY,
  client TEXT NOT NULL,
  representative TEXT NOT NULL,
  kinds TEXT NOT NULL,
  valid_from BIGINT NOT NULL,
  valid_until BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  logbook_grants TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS delegations_client ON delegations (client);
CREATE INDEX IF NOT EXISTS delegations_representative ON delegations (representative);
`;

interface DelegationRow {
  id: string;
  client: string;
  representative: string;
  kinds: string;
  valid_from: number;
  valid_until: number;
  created_at: number;
  revoked_at: number | null;
  logbook_grants: string;
}

const COLUMNS =
  'id, client, representative, kinds, valid_from, valid_until, created_at, revoked_at, logbook_grants';

function delegationOf(row: DelegationRow): Delegation {
  return {
    id: row.id,
    client: row.client,
    representative: row.representative,
    kinds: JSON.parse(row.kinds) as DelegableKind[],
    validFrom: Number(row.valid_from),
    validUntil: Number(row.valid_until),
    createdAt: Number(row.created_at),
    ...(row.revoked_at === null ? {} : { revokedAt: Number(row.revoked_at) }),
    logbookGrants: JSON.parse(row.logbook_grants) as string[],
  };
}

export class SqlDelegationRepository implements DelegationRepository {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<SqlDelegationRepository> {
    await db.exec(DELEGATION_SCHEMA);
    return new SqlDelegationRepository(db);
  }

  async add(d: Delegation): Promise<void> {
    await this.#db.run(`INSERT INTO delegations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      d.id,
      d.client,
      d.representative,
      JSON.stringify(d.kinds),
      d.validFrom,
      d.validUntil,
      d.createdAt,
      d.revokedAt ?? null,
      JSON.stringify(d.logbookGrants),
    ]);
  }

  async get(id: string): Promise<Delegation | undefined> {
    const rows = await this.#db.all<DelegationRow>(`SELECT ${COLUMNS} FROM delegations WHERE id = ?`, [id]);
    return rows[0] && delegationOf(rows[0]);
  }

  async grantedBy(client: string): Promise<Delegation[]> {
    const rows = await this.#db.all<DelegationRow>(
      `SELECT ${COLUMNS} FROM delegations WHERE client = ? ORDER BY created_at, id`,
      [client],
    );
    return rows.map(delegationOf);
  }

  async heldBy(representative: string): Promise<Delegation[]> {
    const rows = await this.#db.all<DelegationRow>(
      `SELECT ${COLUMNS} FROM delegations WHERE representative = ? ORDER BY created_at, id`,
      [representative],
    );
    return rows.map(delegationOf);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const { changes } = await this.#db.run(
      'UPDATE delegations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      [at, id],
    );
    return changes === 1;
  }

  async addLogbookGrant(id: string, hash: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const rows = await tx.all<{ logbook_grants: string }>(
        'SELECT logbook_grants FROM delegations WHERE id = ?',
        [id],
      );
      if (!rows[0]) return;
      const grants = JSON.parse(rows[0].logbook_grants) as string[];
      if (grants.includes(hash)) return;
      await tx.run('UPDATE delegations SET logbook_grants = ? WHERE id = ?', [
        JSON.stringify([...grants, hash]),
        id,
      ]);
    });
  }
}
