// WebAuthn ceremony challenges (WebAuthn §13.4.3): random, bound to one purpose and one subject,
// single use and short-lived. Consuming deletes the row, so a replayed response finds nothing.
import { randomBytes } from 'node:crypto';
import type { Db } from '@ketenlog/storage';

export type ChallengePurpose = 'registration' | 'authentication';

export interface IssuedChallenge {
  /** base64url, 32 random bytes. */
  readonly challenge: string;
  readonly expiresAt: number;
}

export interface ChallengeStore {
  /** Issues a fresh challenge for `purpose`, bound to `subject` (a holder, or a login attempt). */
  issue(purpose: ChallengePurpose, subject: string, now: number): Promise<IssuedChallenge>;
  /** Takes the challenge out; returns its subject when it was issued for `purpose` and is unexpired. */
  consume(challenge: string, purpose: ChallengePurpose, now: number): Promise<string | undefined>;
}

/** Challenges in the node's database (tables from PASSKEY_SCHEMA). */
export class SqlChallengeStore implements ChallengeStore {
  readonly #db: Db;
  readonly #ttlMs: number;

  /** `ttlMs`: how long a ceremony may take (the options' `timeout`); 5 minutes by default. */
  constructor(db: Db, ttlMs = 5 * 60_000) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  async issue(purpose: ChallengePurpose, subject: string, now: number): Promise<IssuedChallenge> {
    const challenge = randomBytes(32).toString('base64url');
    const expiresAt = now + this.#ttlMs;
    await this.#db.run('DELETE FROM passkey_challenges WHERE expires_at <= ?', [now]);
    await this.#db.run(
      'INSERT INTO passkey_challenges (challenge, purpose, subject, expires_at) VALUES (?, ?, ?, ?)',
      [challenge, purpose, subject, expiresAt],
    );
    return { challenge, expiresAt };
  }

  async consume(challenge: string, purpose: ChallengePurpose, now: number): Promise<string | undefined> {
    const rows = await this.#db.all<{ subject: string; purpose: string; expires_at: number }>(
      'DELETE FROM passkey_challenges WHERE challenge = ? RETURNING subject, purpose, expires_at',
      [challenge],
    );
    const row = rows[0];
    if (!row || row.purpose !== purpose || Number(row.expires_at) <= now) return undefined;
    return row.subject;
  }
}
