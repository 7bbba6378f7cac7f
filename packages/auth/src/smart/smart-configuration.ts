// `/.well-known/smart-configuration` at the FHIR base (SMART App Launch 2.0).
import type { FastifyInstance } from 'fastify';
import { SMART_SCOPES } from './scopes.ts';
import { CLIENT_ASSERTION_ALGS } from '../oidc/backend-services.ts';

export interface SmartConfigurationOptions {
  /** The authorization server's issuer URL (e.g. https://node.example/oidc). */
  readonly issuer: string;
  /** The FHIR base path on this server, e.g. '/fhir'. */
  readonly fhirPath: string;
}

export function smartConfiguration(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/jwks`,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: `${issuer}/token/revocation`,
    introspection_endpoint: `${issuer}/token/introspection`,
    userinfo_endpoint: `${issuer}/me`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    scopes_supported: ['openid', 'offline_access', ...SMART_SCOPES, 'system/*.rs', 'system/*.cruds'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-asymmetric',
      'context-standalone-patient',
      'permission-offline',
      'permission-patient',
      'permission-v2',
      'sso-openid-connect',
    ],
  };
}

export async function smartConfigurationRoutes(
  app: FastifyInstance,
  options: SmartConfigurationOptions,
): Promise<void> {
  const body = smartConfiguration(options.issuer);
  app.get(`${options.fhirPath}/.well-known/smart-configuration`, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(body),
  );
}
