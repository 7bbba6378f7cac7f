// The demo's professional login: password plus TOTP code. One answer for every failure, so the
// response does not tell which factor (or whether the account) was wrong.
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from './password.ts';
import type { ProfessionalAccount, ProfessionalDirectory } from './professional-directory.ts';
import { checkTotp } from './totp.ts';

export interface PasswordLogin {
  readonly id: string;
  readonly password: string;
  readonly totp: string;
}

/** A hash no password matches, checked against for ids without an account (made once). */
let unknownAccountHash: Promise<string> | undefined;

/** The account when password and a fresh TOTP code match; undefined otherwise. */
export async function loginWithPassword(
  directory: ProfessionalDirectory,
  login: PasswordLogin,
  nowMs: number,
): Promise<ProfessionalAccount | undefined> {
  const account = await directory.find(login.id);
  if (!account?.passwordHash || !account.totpSecret) {
    // The same scrypt work as for a known account, so the answer's timing does not tell which
    // accounts exist.
    await verifyPassword(
      login.password,
      await (unknownAccountHash ??= hashPassword(randomBytes(16).toString('hex'))),
    );
    return undefined;
  }
  if (!(await verifyPassword(login.password, account.passwordHash))) return undefined;
  const check = await checkTotp(
    account.totpSecret,
    login.totp,
    nowMs,
    await directory.lastTotpStep(account.id),
  );
  if (!check.valid) return undefined;
  // Two logins racing with one code: only the first records the step.
  return (await directory.recordTotpStep(account.id, check.timeStep)) ? account : undefined;
}
