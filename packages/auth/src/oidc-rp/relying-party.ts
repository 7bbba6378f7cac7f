// An OpenID Connect relying party towards one upstream (a DigiD broker, an organisation's IdP,
// Dezi), on openid-client: authorization code flow with PKCE (S256), `state` and `nonce`,
// `private_key_jwt` client authentication (RFC 7523 §2.2; the profile DigiD brokers and Dezi
// ask for), and the ID token checked by the library — signature against the upstream's JWKS,
// `iss` exactly the discovered issuer, `aud` this client, expiry, nonce. Discovery is lazy and
// repeated at every login's start, so a node starts while its IdP is down, recovers when it is
// back, and follows the IdP's key rotation.
import * as oidc from 'openid-client';
import { fail, ok, type Result } from '@ketenlog/problem';
import type { EphemeralSpace, EphemeralStore } from '@ketenlog/storage';

const PENDING_TTL_MS = 10 * 60_000;

export interface RelyingPartyOptions {
  /** The upstream's issuer URL, exactly as its discovery document states it. */
  readonly issuer: string;
  readonly clientId: string;
  /** The client's private signing key as a JWK (EC P-256 or RSA), with its `kid`. */
  readonly privateKeyJwk: JsonWebKey & { kid?: string };
  readonly scope?: string;
  /** Extra authorization request parameters, e.g. `acr_values`. */
  readonly authorizationParameters?: Readonly<Record<string, string>>;
  /** Plain HTTP upstream: only for a test IdP on loopback. */
  readonly allowInsecure?: boolean;
  /** Replaces fetch towards the upstream (tests: a tampering network). */
  readonly fetch?: oidc.CustomFetch;
  readonly now?: () => number;
}

/**
 * Why a login did not complete: `unknown-state` (400), `rejected` (401), or `unreachable` (503) —
 * the upstream being down, not the person's fault. The problem's text is for the log.
 */
export type RelyingPartyProblemCode = 'unknown-state' | 'rejected' | 'unreachable';

export class UpstreamUnreachable extends Error {
  override name = 'UpstreamUnreachable';
}

interface Pending {
  readonly verifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
}

/** Imports a private JWK for signing client assertions; names the problem when it is not one. */
async function signingKeyOf(jwk: RelyingPartyOptions['privateKeyJwk']): Promise<oidc.PrivateKey> {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.d) {
    const key = await globalThis.crypto.subtle.importKey(
      'jwk',
      jwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    return { key, ...(jwk.kid ? { kid: jwk.kid } : {}) };
  }
  if (jwk.kty === 'RSA' && jwk.d) {
    const key = await globalThis.crypto.subtle.importKey(
      'jwk',
      { ...jwk, alg: 'PS256' },
      { name: 'RSA-PSS', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    return { key, ...(jwk.kid ? { kid: jwk.kid } : {}) };
  }
  throw new TypeError('the client key must be a private EC P-256 or RSA JWK');
}

/** A network failure reaching the upstream, as opposed to the upstream refusing. */
function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'TypeError' && /fetch failed/.test(e.message)) return true;
    if (
      'code' in e &&
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|UND_ERR)/.test(String(e.code))
    )
      return true;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  }
  return false;
}

export class OidcRelyingParty {
  readonly #options: RelyingPartyOptions;
  readonly #now: () => number;
  #configuration: Promise<oidc.Configuration> | undefined;
  /**
   * Logins under way, by state; each completes at most once, at whichever process of the node the
   * browser comes back to (the node's ephemeral store).
   */
  readonly #pending: EphemeralSpace;

  constructor(options: RelyingPartyOptions, store: EphemeralStore) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#pending = store.space(`oidc-rp ${options.clientId} ${options.issuer}`);
  }

  /**
   * The discovered upstream; a failed discovery is forgotten, so the next login tries again.
   * `fresh` discovers again: every login starts that way, so a person is told at once, by this
   * node, that the IdP is down — not sent to a page her browser cannot reach — and changed
   * metadata is picked up.
   */
  configuration(fresh = false): Promise<oidc.Configuration> {
    if (!this.#configuration || fresh) {
      const { issuer, clientId, privateKeyJwk, allowInsecure, fetch } = this.#options;
      this.#configuration = signingKeyOf(privateKeyJwk)
        .then((key) =>
          oidc.discovery(new URL(issuer), clientId, undefined, oidc.PrivateKeyJwt(key), {
            // The ID token's signature is checked too, not only TLS to the token endpoint (which
            // OIDC Core §3.1.3.7 allows, and openid-client settles for by default): a token altered
            // on the way, or by a compromised proxy, is refused.
            execute: [
              oidc.enableNonRepudiationChecks,
              ...(allowInsecure ? [oidc.allowInsecureRequests] : []),
            ],
            ...(fetch ? { [oidc.customFetch]: fetch } : {}),
            timeout: 10,
          }),
        )
        .catch((error: unknown) => {
          this.#configuration = undefined;
          throw new UpstreamUnreachable(`${issuer}: discovery failed (${(error as Error).message})`, {
            cause: error,
          });
        });
    }
    return this.#configuration;
  }

  /** Starts a login: the upstream's authorization URL for this browser's `state`. */
  async start(state: string, redirectUri: string): Promise<URL> {
    const configuration = await this.configuration(true);
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const pending: Pending = { verifier, nonce, redirectUri };
    await this.#pending.put(state, JSON.stringify(pending), this.#now() + PENDING_TTL_MS);
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.#options.scope ?? 'openid',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...this.#options.authorizationParameters,
    });
  }

  /** Completes a login from the callback's query: the verified ID token's claims, or why not. */
  async complete(
    query: Readonly<Record<string, string | undefined>>,
  ): Promise<Result<oidc.IDToken, RelyingPartyProblemCode>> {
    const state = query.state;
    const taken = state === undefined ? undefined : await this.#pending.take(state, this.#now());
    if (state === undefined || taken === undefined)
      return fail(400, 'unknown-state', 'unknown, spent or expired state');
    const pending = JSON.parse(taken) as Pending;
    if (query.error) return fail(401, 'rejected', `upstream said ${query.error}`);
    const callback = new URL(pending.redirectUri);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) callback.searchParams.set(key, value);
    try {
      const tokens = await oidc.authorizationCodeGrant(await this.configuration(), callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return fail(401, 'rejected', 'no ID token');
      return ok(claims);
    } catch (error) {
      if (error instanceof UpstreamUnreachable || isUnreachable(error))
        return fail(503, 'unreachable', (error as Error).message);
      // openid-client keeps oauth4webapi's error, which names the failed check, as the cause.
      const cause = (error as Error).cause;
      const detail = `${(error as Error).message}${cause instanceof Error ? `: ${cause.message}` : ''}`;
      return fail(401, 'rejected', detail);
    }
  }
}
