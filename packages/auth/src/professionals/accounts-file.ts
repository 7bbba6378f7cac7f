// The password + TOTP fallback of a production node: its professionals' accounts from a secret
// file (mode 600) holding scrypt hashes and TOTP secrets, never plain passwords, and the time step
// of each account's last accepted code kept in the node's database, so a code is refused again
// after a restart too.
import type { Db } from '@ketenlog/storage';
import { readSecretFile, SecretFileError } from '../oidc-rp/secret-file.ts';
import type { ProfessionalAccount, ProfessionalDirectory } from './professional-directory.ts';

const ID = /^pro:[a-z0-9][a-z0-9._-]{0,62}$/;
const ORGANISATION = /^ura:\d{8}$/;
const BASE32_SECRET = /^[A-Z2-7]{16,}$/;

/**
 * Reads `{ "accounts": [{ id, name, memberships: [{ organisation, role }], passwordHash,
 * totpSecret }] }`; every field checked, and a password always paired with a TOTP secret.
 */
export function loadProfessionalAccounts(path: string): ProfessionalAccount[] {
  const text = readSecretFile(path, 'professional accounts');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SecretFileError(`professional accounts ${path}: not JSON (${(error as Error).message})`);
  }
  const accounts = (parsed as { accounts?: unknown }).accounts;
  if (!Array.isArray(accounts))
    throw new SecretFileError(`professional accounts ${path}: accounts must be a list`);
  const seen = new Set<string>();
  return accounts.map((raw: Record<string, unknown>, i): ProfessionalAccount => {
    const fail = (field: string, message: string): never => {
      throw new SecretFileError(`professional accounts ${path}: accounts[${i}].${field}: ${message}`);
    };
    if (typeof raw?.id !== 'string' || !ID.test(raw.id)) return fail('id', `must match ${ID}`);
    if (seen.has(raw.id)) fail('id', `${raw.id} appears twice`);
    seen.add(raw.id);
    if (typeof raw.name !== 'string' || !raw.name) fail('name', 'must be a non-empty string');
    if (!Array.isArray(raw.memberships) || raw.memberships.length === 0)
      fail('memberships', 'must be a non-empty list of { organisation, role }');
    const memberships = (raw.memberships as Record<string, unknown>[]).map((m, j) => {
      if (typeof m?.organisation !== 'string' || !ORGANISATION.test(m.organisation))
        fail(`memberships[${j}].organisation`, 'must be ura:<8 digits>');
      if (typeof m.role !== 'string' || !m.role) fail(`memberships[${j}].role`, 'must be a non-empty string');
      return { organisation: m.organisation as string, role: m.role as string };
    });
    const hasPassword = raw.passwordHash !== undefined;
    if (hasPassword && (typeof raw.passwordHash !== 'string' || !raw.passwordHash.startsWith('scrypt$')))
      fail('passwordHash', 'must be a scrypt hash (ketenlog keygen-professional makes one)');
    if (hasPassword && (typeof raw.totpSecret !== 'string' || !BASE32_SECRET.test(raw.totpSecret)))
      fail('totpSecret', 'a password needs a base32 TOTP secret of at least 80 bits');
    return {
      id: raw.id,
      name: raw.name as string,
      memberships,
      ...(hasPassword
        ? { passwordHash: raw.passwordHash as string, totpSecret: raw.totpSecret as string }
        : {}),
    };
  });
}

export const TOTP_STEP_SCHEMA = `
CREATE TABLE IF NOT EXISTS professional_totp_steps (
  account TEXT PRIMARY KEY,
  time_step BIGINT NOT NULL
);
`;

/** A directory whose TOTP steps live in the node's database (replays refused across restarts). */
export async function withStoredTotpSteps(
  directory: Pick<ProfessionalDirectory, 'find'>,
  db: Db,
): Promise<ProfessionalDirectory> {
  await db.exec(TOTP_STEP_SCHEMA);
  return {
    find: (id) => directory.find(id),
    async lastTotpStep(id) {
      const rows = await db.all<{ time_step: number }>(
        'SELECT time_step FROM professional_totp_steps WHERE account = ?',
        [id],
      );
      return rows[0] === undefined ? undefined : Number(rows[0].time_step);
    },
    async recordTotpStep(id, timeStep) {
      // One statement, so two logins racing with one code cannot both record it.
      const { changes } = await db.run(
        `INSERT INTO professional_totp_steps (account, time_step) VALUES (?, ?)
         ON CONFLICT (account) DO UPDATE SET time_step = excluded.time_step
         WHERE professional_totp_steps.time_step < excluded.time_step`,
        [id, timeStep],
      );
      return changes === 1;
    },
  };
}
