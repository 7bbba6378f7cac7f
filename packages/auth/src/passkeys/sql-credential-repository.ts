// CredentialRepository on @ketenlog/storage (SQLite and PostgreSQL, one SQL text). Keys are base64
// TEXT, times epoch milliseconds, as elsewhere in the node's database.
import type { Db } from '@ketenlog/storage';
import type { CredentialRepository, PasskeyCredential, PasskeyRole } from './credential.ts';

export const PASSKEY_SCHEMA = `
CREATE TABLE IF NOT EXISTS passkey_credentials (
  id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  role TEXT NOT NULL,
  organisation TEXT NOT NULL,
  cose_public_key TEXT NOT NULL,
  public_key TEXT NOT NULL,
  key_id TEXT NOT NULL UNIQUE,
  counter BIGINT NOT NULL,
  transports TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX IF NOT EXISTS passkey_credentials_holder ON passkey_credentials (holder);
CREATE TABLE IF NOT EXISTS passkey_challenges (
  challenge TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  subject TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS passkey_challenges_expiry ON passkey_challenges (expires_at);
`;

interface CredentialRow {
  id: string;
  holder: string;
  role: string;
  organisation: string;
  cose_public_key: string;
  public_key: string;
  key_id: string;
  counter: number;
  transports: string;
  created_at: number;
  revoked_at: number | null;
}

const COLUMNS =
  'id, holder, role, organisation, cose_public_key, public_key, key_id, counter, transports, created_at, revoked_at';

const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

function credentialOf(row: CredentialRow): PasskeyCredential {
  return {
    id: row.id,
    holder: row.holder,
    role: row.role as PasskeyRole,
    organisation: row.organisation,
    cosePublicKey: fromB64(row.cose_public_key),
    publicKey: fromB64(row.public_key),
    keyId: row.key_id,
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as string[],
    createdAt: Number(row.created_at),
    ...(row.revoked_at === null ? {} : { revokedAt: Number(row.revoked_at) }),
  };
}

export class SqlCredentialRepository implements CredentialRepository {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  /** Creates the passkey tables if needed (credentials and ceremony challenges). */
  static async open(db: Db): Promise<SqlCredentialRepository> {
    await db.exec(PASSKEY_SCHEMA);
    return new SqlCredentialRepository(db);
  }

  async add(c: PasskeyCredential): Promise<boolean> {
    const { changes } = await this.#db.run(
      `INSERT INTO passkey_credentials (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [
        c.id,
        c.holder,
        c.role,
        c.organisation,
        toB64(c.cosePublicKey),
        toB64(c.publicKey),
        c.keyId,
        c.counter,
        JSON.stringify(c.transports),
        c.createdAt,
        c.revokedAt ?? null,
      ],
    );
    return changes === 1;
  }

  async get(id: string): Promise<PasskeyCredential | undefined> {
    const rows = await this.#db.all<CredentialRow>(
      `SELECT ${COLUMNS} FROM passkey_credentials WHERE id = ?`,
      [id],
    );
    return rows[0] && credentialOf(rows[0]);
  }

  async byKeyId(keyId: string): Promise<PasskeyCredential | undefined> {
    const rows = await this.#db.all<CredentialRow>(
      `SELECT ${COLUMNS} FROM passkey_credentials WHERE key_id = ?`,
      [keyId],
    );
    return rows[0] && credentialOf(rows[0]);
  }

  async activeOf(holder: string): Promise<PasskeyCredential[]> {
    const rows = await this.#db.all<CredentialRow>(
      `SELECT ${COLUMNS} FROM passkey_credentials WHERE holder = ? AND revoked_at IS NULL ORDER BY created_at, id`,
      [holder],
    );
    return rows.map(credentialOf);
  }

  async updateCounter(id: string, counter: number): Promise<void> {
    await this.#db.run('UPDATE passkey_credentials SET counter = ? WHERE id = ? AND counter < ?', [
      counter,
      id,
      counter,
    ]);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const { changes } = await this.#db.run(
      'UPDATE passkey_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      [at, id],
    );
    return changes === 1;
  }
}
