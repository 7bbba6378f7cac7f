// SMART Backend Services (http://hl7.org/fhir/smart-app-launch/backend-services.html) on the
// node's authorization server: an organisation's own systems — its EHR, import jobs, scripts —
// are confidential clients that authenticate to the token endpoint with a JWT signed by their own
// key (`private_key_jwt`, RFC 7523) and get a short-lived opaque access token for the `system/…`
// scopes registered for them (the `client_credentials` grant). oidc-provider checks the assertion
// (issuer, subject, audience, expiry, signature, and jti replay).
import type Provider from 'oidc-provider';
import type { ClientMetadata, JWK } from 'oidc-provider';

export interface BackendServiceClient {
  readonly clientId: string;
  readonly name: string;
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
  /** Space-separated `system/…` scopes it may be granted. */
  readonly scope: string;
}

/** What a verified system token grants. */
export interface SystemTokenAccess {
  readonly clientId: string;
  readonly scope: string;
  /** When the token expires (epoch ms): a cache of this answer must not outlive it. */
  readonly expiresAt?: number;
}

/** The algorithms a system may sign its client assertions with (SMART asks for ES384 and RS384). */
export const CLIENT_ASSERTION_ALGS = ['ES256', 'ES384', 'RS256', 'RS384', 'PS256', 'EdDSA', 'Ed25519'];

export function backendServiceClientMetadata(client: BackendServiceClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_name: client.name,
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: client.jwks.keys.map((key) => ({ ...key }) as JWK) },
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: client.scope,
  };
}

/** Every scope the systems may be granted (the provider only issues scopes it knows). */
export function backendServiceScopes(clients: readonly BackendServiceClient[]): string[] {
  return [...new Set(clients.flatMap((c) => c.scope.split(' ')).filter(Boolean))];
}

/** An opaque access token → the system it was issued to and its scopes; undefined otherwise. */
export function systemTokenResolver(provider: Provider) {
  return async (value: string): Promise<SystemTokenAccess | undefined> => {
    const token = await provider.ClientCredentials.find(value);
    if (!token || token.isExpired || !token.clientId) return undefined;
    return {
      clientId: token.clientId,
      scope: token.scope ?? '',
      ...(token.exp ? { expiresAt: token.exp * 1000 } : {}),
    };
  };
}
