// oidc-provider's storage (grants, codes, tokens, sessions, interactions) on @ketenlog/storage, so
// the authorization server's state survives a restart and works on SQLite and PostgreSQL alike.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from '@ketenlog/storage';

export const OIDC_SCHEMA = `
CREATE TABLE IF NOT EXISTS oidc_models (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  payload TEXT NOT NULL,
  grant_id TEXT,
  user_code TEXT,
  uid TEXT,
  expires_at BIGINT,
  consumed_at BIGINT,
  PRIMARY KEY (model, id)
);
CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (grant_id);
CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid)`;

export async function migrateOidcStore(db: Db): Promise<void> {
  await db.exec(OIDC_SCHEMA);
}

interface ModelRow {
  payload: string;
  expires_at: number | null;
  consumed_at: number | null;
}

export class SqlOidcAdapter implements Adapter {
  readonly #db: Db;
  readonly #model: string;
  readonly #now: () => number;

  constructor(db: Db, model: string, now: () => number = Date.now) {
    this.#db = db;
    this.#model = model;
    this.#now = now;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? this.#now() + expiresIn * 1000 : null;
    await this.#db.run(
      `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
      [
        this.#model,
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        expiresAt,
      ],
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#one('id = ?', id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#one('user_code = ?', userCode);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#one('uid = ?', uid);
  }

  async consume(id: string): Promise<void> {
    await this.#db.run('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?', [
      Math.floor(this.#now() / 1000),
      this.#model,
      id,
    ]);
  }

  async destroy(id: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_models WHERE model = ? AND id = ?', [this.#model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_models WHERE grant_id = ?', [grantId]);
  }

  async #one(where: string, value: string): Promise<AdapterPayload | undefined> {
    const rows = await this.#db.all<ModelRow>(
      `SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND ${where}`,
      [this.#model, value],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.expires_at !== null && Number(row.expires_at) <= this.#now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at === null ? payload : { ...payload, consumed: Number(row.consumed_at) };
  }
}

/** Deletes the provider's expired codes, tokens, sessions and interactions; returns how many. */
export async function sweepOidcModels(db: Db, now: number): Promise<number> {
  return (await db.run('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?', [now]))
    .changes;
}

/** The factory oidc-provider's `adapter` option takes. */
export function sqlOidcAdapterFactory(db: Db, now?: () => number): (model: string) => Adapter {
  return (model) => new SqlOidcAdapter(db, model, now);
}
