// The authorization server of a node without patient apps (a node outside a region, or a member
// whose clients cannot use passkeys): only the organisation's own systems, through SMART Backend
// Services (client credentials with private_key_jwt), so its EHR, import jobs and scripts
// authenticate like everywhere else. Discovery at /fhir/.well-known/smart-configuration.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@ketenlog/storage';
import {
  backendServiceClientMetadata,
  backendServiceScopes,
  createAuthorizationServer,
  loadOrCreateDemoSigningKeys,
  migrateOidcStore,
  oidcRoutes,
  smartConfigurationRoutes,
  systemTokenResolver,
  type BackendServiceClient,
  type SystemTokenAccess,
} from '@ketenlog/auth';
import { FHIR_PATH, OIDC_PATH } from './node-smart.ts';

export async function registerSystemAuthorization(
  app: FastifyInstance,
  options: {
    readonly db: Db;
    /** The node's public base URL (without /fhir). */
    readonly baseUrl: string;
    readonly systems: readonly BackendServiceClient[];
  },
): Promise<(token: string) => Promise<SystemTokenAccess | undefined>> {
  const issuer = `${options.baseUrl.replace(/\/$/, '')}${OIDC_PATH}`;
  await migrateOidcStore(options.db);
  const provider = createAuthorizationServer({
    issuer,
    mountPath: OIDC_PATH,
    db: options.db,
    signingKeys: await loadOrCreateDemoSigningKeys(options.db),
    // Only interactions use the provider's cookies, and systems have none: a key per start will do.
    cookieKeys: [randomBytes(32).toString('base64url')],
    scopes: backendServiceScopes(options.systems),
    clients: options.systems.map(backendServiceClientMetadata),
  });
  await app.register(oidcRoutes, {
    provider,
    mountPath: OIDC_PATH,
    resolveAccount: async () => undefined,
    loginUrl: () => '/',
  });
  await app.register(smartConfigurationRoutes, { issuer, fhirPath: FHIR_PATH });
  return systemTokenResolver(provider);
}
