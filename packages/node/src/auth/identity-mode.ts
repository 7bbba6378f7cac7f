// Demo or production, decided once at start. The demo region's keys, its Demo-DigiD stand-in and
// its professionals' credentials (derived from the public region file) are public knowledge: a node
// that is not explicitly in demo mode refuses to start with any of them, and says why. A node in
// demo mode says so loudly, at start and to every page that asks (`GET /auth/mode`).
import { readFileSync } from 'node:fs';
import { loadRegionConfig } from '@ketenlog/region';
import { assertPrivateFile, SecretFileError, verifyPassword, type ProfessionalAccount } from '@ketenlog/auth';
import { ConfigError, type IdentityConfig, type NodeConfig } from '../config.ts';
import type { Membership } from '../region/membership.ts';
import { DEMO_REGION_FILE, DEMO_SECRETS_FILE } from '../region/testing.ts';
import { demoCredentialsOf } from './node-auth.ts';

/** What the portal shows on every page in demo mode. */
export const DEMO_BANNER = { nl: 'Demo — geen echte gegevens', en: 'Demo — no real data' } as const;

/** The warning line a demo node logs at start. */
export const DEMO_WARNING =
  'DEMO MODE: demo keys, the Demo-DigiD stand-in and demo logins derived from the public region file. ' +
  'Anyone can log in as anyone. Never use this node for real data.';

export class IdentityModeRefusal extends ConfigError {
  constructor(reasons: readonly string[]) {
    super(
      `refusing to start outside demo mode (set demo: true only for a demonstration):\n  - ${reasons.join('\n  - ')}`,
    );
    this.name = 'IdentityModeRefusal';
  }
}

/** Every key of the demo region, public and secret, as the files spell them. */
function demoKeyMaterial(): Set<string> {
  const keys = new Set<string>();
  const secrets = JSON.parse(readFileSync(DEMO_SECRETS_FILE, 'utf8')) as {
    organisations: Record<string, { statementSecret: string; cosignerSecret: string; logSigner: string }>;
  };
  for (const entry of Object.values(secrets.organisations)) {
    keys.add(entry.statementSecret);
    keys.add(entry.cosignerSecret);
    keys.add(entry.logSigner);
  }
  for (const o of loadRegionConfig(DEMO_REGION_FILE).organisations) {
    keys.add(o.logKey);
    keys.add(o.cosignerKey);
  }
  return keys;
}

/** Why a membership runs on the demo region's keys, if it does. */
export function demoKeysOf(membership: Membership): string[] {
  const demo = demoKeyMaterial();
  const { organisation, statementKey } = membership;
  const reasons: string[] = [];
  if (demo.has(organisation.logKey) || demo.has(organisation.cosignerKey))
    reasons.push(`organisation ${organisation.ura} uses the demo region's log or witness key`);
  if (demo.has(Buffer.from(statementKey.secretKey).toString('base64')))
    reasons.push(`organisation ${organisation.ura} signs statements with a demo region key`);
  return reasons;
}

/** Accounts whose password or TOTP secret is the demo's, derived from the public region file. */
export async function demoCredentialAccounts(accounts: readonly ProfessionalAccount[]): Promise<string[]> {
  const found = await Promise.all(
    accounts.map(async (account) => {
      if (!account.passwordHash) return undefined;
      const demo = demoCredentialsOf(account.id);
      if (account.totpSecret === demo.totpSecret) return account.id;
      return (await verifyPassword(demo.password, account.passwordHash)) ? account.id : undefined;
    }),
  );
  return found.filter((id): id is string => id !== undefined);
}

export interface IdentityModeCheck {
  readonly demo: boolean;
  readonly membership: Membership;
  readonly identity?: IdentityConfig;
  /** The password + TOTP fallback's accounts, loaded from their secret file. */
  readonly accounts: readonly ProfessionalAccount[];
}

/** Throws IdentityModeRefusal naming every demo ingredient of a node that is not in demo mode. */
export async function checkIdentityMode(check: IdentityModeCheck): Promise<void> {
  if (check.demo) return;
  const reasons = demoKeysOf(check.membership);
  const demoAccounts = await demoCredentialAccounts(check.accounts);
  if (demoAccounts.length > 0)
    reasons.push(
      `demo passwords or TOTP secrets for ${demoAccounts.join(', ')} in identity.professionalAccounts`,
    );
  if (reasons.length > 0) throw new IdentityModeRefusal(reasons);
}

/**
 * Outside demo mode, the node's secret files — its region keys, its TLS key — must be readable by
 * the node's own user only (the demo's keys are public anyway, and checked into the repository).
 */
export function checkSecretFiles(config: NodeConfig): void {
  if (config.demo) return;
  try {
    if (config.region) assertPrivateFile(config.region.secrets, 'region.secrets');
    if (config.tls) assertPrivateFile(config.tls.key, 'tls.key');
  } catch (error) {
    if (error instanceof SecretFileError) throw new ConfigError(error.message);
    throw error;
  }
}
