// The salt behind a client's logbook subject (crypto-shredding, DESIGN.md "The logbook"): the
// statements about her (index, consent, access) name her by a subject derived from her region
// pseudonym with a random per-client salt, HMAC-SHA256(salt, pseudonym). The pseudonym service
// keeps the salt; erasing it on her request leaves the old statements on the logs, unchanged, but
// no one — not even this service — can link them to her pseudonym or BSN any more. A later
// request for her gets a fresh salt, hence a new subject.
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '@ketenlog/storage';
import { toBase64 } from '@ketenlog/logbook';

const SCHEMA = `CREATE TABLE IF NOT EXISTS exchange_subject_salts (
  pseudonym TEXT PRIMARY KEY,
  salt TEXT NOT NULL,
  subject TEXT NOT NULL UNIQUE
)`;

/** Bytes of HMAC output in a subject: 24, like a pseudonym (32 base64url characters). */
const SUBJECT_BYTES = 24;

export function subjectOf(salt: Uint8Array, pseudonym: string): string {
  const mac = createHmac('sha256', salt).update(pseudonym, 'utf8').digest().subarray(0, SUBJECT_BYTES);
  return `p${toBase64(mac).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

export class SubjectSalts {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<SubjectSalts> {
    await db.exec(SCHEMA);
    return new SubjectSalts(db);
  }

  /** Her subject: from her salt, made (at random) on first use. */
  async subjectFor(pseudonym: string): Promise<string> {
    const salt = randomBytes(32);
    await this.#db.run(
      'INSERT INTO exchange_subject_salts (pseudonym, salt, subject) VALUES (?, ?, ?) ON CONFLICT (pseudonym) DO NOTHING',
      [pseudonym, toBase64(salt), subjectOf(salt, pseudonym)],
    );
    const [row] = await this.#db.all<{ subject: string }>(
      'SELECT subject FROM exchange_subject_salts WHERE pseudonym = ?',
      [pseudonym],
    );
    // The insert above (or an earlier one) left exactly this row.
    if (!row) throw new Error(`subject salt for pseudonym missing after insert`);
    return row.subject;
  }

  /** Erases the salt behind a subject; whether there was one. */
  async erase(subject: string): Promise<boolean> {
    const { changes } = await this.#db.run('DELETE FROM exchange_subject_salts WHERE subject = ?', [subject]);
    return changes > 0;
  }
}
