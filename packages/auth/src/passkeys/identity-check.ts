// The identity check before a passkey is enrolled: an upstream OpenID Connect login (DigiD stands
// behind it in production). The node only sees the verified result; how the upstream is reached
// is the provider's business, so a real OIDC relying party and the demo stand-in are
// interchangeable.

/** What an identity check establishes. The BSN stays at the enrolling organisation. */
export interface VerifiedIdentity {
  readonly bsn: string;
  /** eIDAS level of assurance the upstream vouched for. */
  readonly assurance: 'low' | 'substantial' | 'high';
  /** Which provider checked it (for the audit trail), e.g. `demo-digid`. */
  readonly provider: string;
}

export interface IdentityCheckStart {
  /** Where to send the browser: the upstream's authorization endpoint (or the demo page). */
  readonly redirectTo: string;
}

export interface IdentityProvider {
  readonly id: string;
  /** The label the enrolment page shows for this login. */
  readonly label: string;
  /** Starts a login; `state` comes back on the callback and binds it to this browser. */
  start(state: string, callbackUrl: string): Promise<IdentityCheckStart>;
  /** Completes a login from the callback's query; undefined when it does not verify. */
  complete(query: Readonly<Record<string, string | undefined>>): Promise<VerifiedIdentity | undefined>;
}

/** A person logs in as a client (for herself) or as a representative (for someone else). */
export type PersonRole = 'client' | 'delegate';

/** Who a verified person is at this organisation: her holder identity and role, if she is known. */
export interface PersonDirectory {
  /**
   * `as` is the role she chose when she started the identity check (her own BSN cannot tell a
   * client from a representative); a directory with fixed roles (the demo's) may ignore it.
   */
  lookup(
    identity: VerifiedIdentity,
    as?: PersonRole,
  ): Promise<{ readonly holder: string; readonly role: PersonRole } | undefined>;
}

/** A fixed directory (demo and tests): BSN → holder identity and role at this organisation. */
export function staticPersonDirectory(
  entries: Readonly<Record<string, { readonly holder: string; readonly role: 'client' | 'delegate' }>>,
): PersonDirectory {
  return { lookup: async (identity) => entries[identity.bsn] };
}

/**
 * An identity check that failed for a reason the person should read (Dutch, shown as is): the
 * upstream being down (503), or a login it refused, e.g. below the required assurance (401).
 */
export class IdentityCheckError extends Error {
  readonly status: 401 | 503;
  constructor(status: 401 | 503, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityCheckError';
    this.status = status;
  }
}
