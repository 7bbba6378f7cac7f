// Professionals an identity provider vouched for, kept in the node's database: her organisation
// and roles as her IdP last confirmed them, so that choosing whom to act for, and her passkey
// logins after a restart, know her. Every IdP login confirms them anew.
import type { Db } from '@ketenlog/storage';
import type { ProfessionalAccount } from '../professionals/professional-directory.ts';

export const IDP_ACCOUNT_SCHEMA = `
CREATE TABLE IF NOT EXISTS professional_idp_accounts (
  id TEXT PRIMARY KEY,
  idp TEXT NOT NULL,
  name TEXT NOT NULL,
  memberships TEXT NOT NULL,
  confirmed_at BIGINT NOT NULL
);
`;

export class SqlIdpAccounts {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<SqlIdpAccounts> {
    await db.exec(IDP_ACCOUNT_SCHEMA);
    return new SqlIdpAccounts(db);
  }

  async record(account: ProfessionalAccount, idp: string, at: number): Promise<void> {
    await this.#db.run(
      `INSERT INTO professional_idp_accounts (id, idp, name, memberships, confirmed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET idp = excluded.idp, name = excluded.name,
         memberships = excluded.memberships, confirmed_at = excluded.confirmed_at`,
      [account.id, idp, account.name, JSON.stringify(account.memberships), at],
    );
  }

  async find(id: string): Promise<ProfessionalAccount | undefined> {
    const rows = await this.#db.all<{ id: string; name: string; memberships: string }>(
      'SELECT id, name, memberships FROM professional_idp_accounts WHERE id = ?',
      [id],
    );
    const row = rows[0];
    return (
      row && {
        id: row.id,
        name: row.name,
        memberships: JSON.parse(row.memberships) as ProfessionalAccount['memberships'],
      }
    );
  }
}
