// Professionals who may log in at this node, with the organisations and roles each may act in.
// The demo directory is built from the region configuration's demo professionals.
import type { RegionConfig } from '@ketenlog/region';
import type { ActingAs } from '../passkeys/session.ts';

export interface ProfessionalAccount {
  /** e.g. `pro:anna-jansen`. */
  readonly id: string;
  readonly name: string;
  /** Every organisation-and-role she may act in; one at a time. */
  readonly memberships: readonly ActingAs[];
  /** scrypt hash (password.ts); absent: passkey login only. */
  readonly passwordHash?: string;
  /** TOTP secret (base32); required with a password. */
  readonly totpSecret?: string;
}

export interface ProfessionalDirectory {
  find(id: string): Promise<ProfessionalAccount | undefined>;
  /** The time step of the last TOTP code accepted for this account. */
  lastTotpStep(id: string): Promise<number | undefined>;
  /** Records an accepted TOTP step; false when an equal or later step was already recorded. */
  recordTotpStep(id: string, timeStep: number): Promise<boolean>;
}

/** A directory held in memory (the demo region's professionals). */
export class InMemoryProfessionalDirectory implements ProfessionalDirectory {
  readonly #accounts: Map<string, ProfessionalAccount>;
  readonly #steps = new Map<string, number>();

  constructor(accounts: readonly ProfessionalAccount[]) {
    this.#accounts = new Map(accounts.map((a) => [a.id, a]));
  }

  async find(id: string) {
    return this.#accounts.get(id);
  }

  async lastTotpStep(id: string) {
    return this.#steps.get(id);
  }

  async recordTotpStep(id: string, timeStep: number) {
    const last = this.#steps.get(id);
    if (last !== undefined && last >= timeStep) return false;
    this.#steps.set(id, timeStep);
    return true;
  }
}

/** The region's demo professionals (one membership each, as configured), with demo credentials. */
export function demoProfessionalAccounts(
  config: RegionConfig,
  credentials: (id: string) => { readonly passwordHash?: string; readonly totpSecret?: string },
): ProfessionalAccount[] {
  return config.professionals.map((p) => ({
    id: p.id,
    name: p.name,
    memberships: [{ organisation: `ura:${p.organisation}`, role: p.role }],
    ...credentials(p.id),
  }));
}

/** The membership to act in, if she holds it. */
export function membershipOf(
  account: ProfessionalAccount,
  organisation: string,
  role: string,
): ActingAs | undefined {
  return account.memberships.find((m) => m.organisation === organisation && m.role === role);
}
