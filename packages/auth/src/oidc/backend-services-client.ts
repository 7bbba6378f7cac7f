// The client side of SMART Backend Services, for the organisation's own tools (`ketenlog import`,
// scripts, tests): signs a client assertion with the system's private key and trades it at the
// node's token endpoint for an access token.
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';

export interface BackendServicesCredentials {
  /** The token endpoint, e.g. http://localhost:8101/oidc/token. */
  readonly tokenUrl: string;
  readonly clientId: string;
  /** The system's private key (JWK with `d`, `alg` and `kid`). */
  readonly privateKey: JWK;
  readonly scope: string;
}

export class BackendServicesError extends Error {
  override name = 'BackendServicesError';
}

/** A fresh access token for the system; throws BackendServicesError when the node refuses. */
export async function backendServicesToken(
  credentials: BackendServicesCredentials,
  fetchImpl: typeof fetch = fetch,
): Promise<{ readonly accessToken: string; readonly expiresIn: number; readonly scope: string }> {
  const alg = credentials.privateKey.alg ?? 'ES384';
  const key = await importJWK(credentials.privateKey, alg);
  const assertion = await new SignJWT({})
    .setProtectedHeader({
      alg,
      typ: 'JWT',
      ...(credentials.privateKey.kid ? { kid: credentials.privateKey.kid } : {}),
    })
    .setIssuer(credentials.clientId)
    .setSubject(credentials.clientId)
    .setAudience(credentials.tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('4m')
    .sign(key);
  const response = await fetchImpl(credentials.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: credentials.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body['access_token'] !== 'string')
    throw new BackendServicesError(
      `the token endpoint refused the system ${credentials.clientId}: HTTP ${response.status} ${String(body['error'] ?? '')} ${String(body['error_description'] ?? '')}`.trim(),
    );
  return {
    accessToken: body['access_token'],
    expiresIn: typeof body['expires_in'] === 'number' ? body['expires_in'] : 0,
    scope: typeof body['scope'] === 'string' ? body['scope'] : '',
  };
}
