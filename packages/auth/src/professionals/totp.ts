// Time-based one-time passwords (RFC 6238) for the demo's password + TOTP login, on otplib. A code
// is accepted once: the time step of the last accepted code is kept, and no earlier or equal step
// is accepted again.
import { generateSecret, generateURI, verify } from 'otplib';

/** One step of drift either way (30 s), for clocks that are a little off. */
const TOLERANCE_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// URI an authenticator app scans. */
export function totpUri(secret: string, account: string, issuer = 'Ketenlog'): string {
  return generateURI({ issuer, label: account, secret });
}

export type TotpCheck = { readonly valid: true; readonly timeStep: number } | { readonly valid: false };

/** Checks a 6-digit code at `nowMs`; `lastTimeStep` refuses replays of an accepted code. */
export async function checkTotp(
  secret: string,
  token: string,
  nowMs: number,
  lastTimeStep?: number,
): Promise<TotpCheck> {
  if (!/^\d{6}$/.test(token)) return { valid: false };
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastTimeStep === undefined ? {} : { afterTimeStep: lastTimeStep }),
  });
  // The functional API answers for HOTP and TOTP alike; a TOTP result carries its time step.
  return result.valid && 'timeStep' in result ? { valid: true, timeStep: result.timeStep } : { valid: false };
}
