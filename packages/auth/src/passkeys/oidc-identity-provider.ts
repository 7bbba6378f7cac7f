// The identity check through an upstream OpenID Connect provider (a DigiD broker in production),
// on openid-client: authorization code flow with PKCE (S256), state and nonce, ID token checked
// by the library (issuer, audience, signature, expiry, nonce). The BSN comes from a configurable
// claim; the level of assurance from `acr`, and a login below the minimum is refused.
import * as oidc from 'openid-client';
import type { IdentityCheckStart, IdentityProvider, VerifiedIdentity } from './identity-check.ts';

type Assurance = VerifiedIdentity['assurance'];
const ASSURANCE_ORDER: readonly Assurance[] = ['low', 'substantial', 'high'];
const PENDING_TTL_MS = 10 * 60_000;

export interface OidcIdentityProviderOptions {
  readonly id: string;
  readonly label: string;
  /** The upstream, as discoverUpstream found it. */
  readonly configuration: oidc.Configuration;
  /** This node's public base URL; the redirect URI is this plus the callback path. */
  readonly publicBaseUrl: string;
  /** ID token claim holding the BSN; `sub` by default. */
  readonly bsnClaim?: string;
  /** The assurance an `acr` value stands for; undefined for values not trusted at all. */
  readonly assuranceOf: (acr: string | undefined) => Assurance | undefined;
  /** Lowest accepted assurance; `substantial` (DigiD Midden) by default. */
  readonly minimumAssurance?: Assurance;
  readonly scope?: string;
  readonly now?: () => number;
}

/**
 * Discovers the upstream (OIDC discovery); the node authenticates with client_secret_basic.
 * `allowInsecure` (plain HTTP) only for a loopback test upstream.
 */
export async function discoverUpstream(
  issuer: URL,
  clientId: string,
  clientSecret: string,
  allowInsecure = false,
): Promise<oidc.Configuration> {
  return oidc.discovery(issuer, clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
    ...(allowInsecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
}

interface Pending {
  readonly verifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
  readonly expiresAt: number;
}

export class OidcIdentityProvider implements IdentityProvider {
  readonly id: string;
  readonly label: string;
  readonly #options: OidcIdentityProviderOptions;
  readonly #now: () => number;
  /** Logins under way, by state; each completes at most once. */
  readonly #pending = new Map<string, Pending>();

  constructor(options: OidcIdentityProviderOptions) {
    this.id = options.id;
    this.label = options.label;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async start(state: string, callbackUrl: string): Promise<IdentityCheckStart> {
    const now = this.#now();
    for (const [s, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(s);
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const redirectUri = new URL(callbackUrl, this.#options.publicBaseUrl).href;
    this.#pending.set(state, { verifier, nonce, redirectUri, expiresAt: now + PENDING_TTL_MS });
    const url = oidc.buildAuthorizationUrl(this.#options.configuration, {
      redirect_uri: redirectUri,
      scope: this.#options.scope ?? 'openid',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { redirectTo: url.href };
  }

  async complete(query: Readonly<Record<string, string | undefined>>): Promise<VerifiedIdentity | undefined> {
    const state = query.state;
    const pending = state === undefined ? undefined : this.#pending.get(state);
    if (state === undefined || !pending) return undefined;
    this.#pending.delete(state);
    if (pending.expiresAt <= this.#now()) return undefined;
    const callback = new URL(pending.redirectUri);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) callback.searchParams.set(key, value);
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(this.#options.configuration, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch {
      return undefined;
    }
    const bsn = claims?.[this.#options.bsnClaim ?? 'sub'];
    if (typeof bsn !== 'string' || !/^\d{9}$/.test(bsn)) return undefined;
    const assurance = this.#options.assuranceOf(typeof claims?.acr === 'string' ? claims.acr : undefined);
    const minimum = this.#options.minimumAssurance ?? 'substantial';
    if (!assurance || ASSURANCE_ORDER.indexOf(assurance) < ASSURANCE_ORDER.indexOf(minimum)) return undefined;
    return { bsn, assurance, provider: this.id };
  }
}
