// Patient apps at a region member (SMART App Launch 2.0, the MedMij-style PGO route): the node's
// authorization server on oidc-provider under /oidc (discovery, code + PKCE, refresh, client
// credentials, revocation), `/fhir/.well-known/smart-configuration`, and a guard on the FHIR API
// for app tokens. A client logs in at the node with her passkey; the app then gets a token for her
// own Patient only, reads her compartment and adds self-measurements tagged "self-reported".
// Which credential a request carries is decided once, by the node's access layer (access/): this
// module gives it the resolvers for app tokens (and, through the same authorization server, for
// the organisation's systems: system-authorization.ts) and judges app requests it hands over.
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { ClientMetadata } from 'oidc-provider';
import type { Db } from '@ketenlog/storage';
import { BSN_SYSTEM, type FhirRepository } from '@ketenlog/fhir';
import { patientOf as patientOfResource } from '@ketenlog/exchange';
import {
  addPatientToTokenResponse,
  createAuthorizationServer,
  loadOrCreateDemoSigningKeys,
  migrateOidcStore,
  oidcRoutes,
  backendServiceClientMetadata,
  backendServiceScopes,
  providerTokenResolver,
  relyingPartyOf,
  sessionIdFrom,
  SMART_SCOPES,
  smartAccessJudge,
  smartConfigurationRoutes,
  systemTokenResolver,
  type BackendServiceClient,
  type SessionStore,
  type SmartAccess,
  type SystemTokenAccess,
} from '@ketenlog/auth';
import type { PatientApp } from '../config.ts';
import type { Membership } from '../region/membership.ts';
import { AUTH_PREFIX } from './node-auth.ts';
import { demoPgoPages } from './demo-pgo.ts';
import { registerClientDiary } from './client-diary.ts';
import { registerClientFhirScope } from './client-fhir-scope.ts';

export const OIDC_PATH = '/oidc';
export const FHIR_PATH = '/fhir';
/** The sample patient app every demo node registers and serves. */
export const DEMO_PGO_CLIENT_ID = 'ketenlog-demo-pgo';
export const DEMO_PGO_PATH = '/apps/pgo/';

export interface NodeSmartOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly repository: FhirRepository;
  readonly sessions: SessionStore;
  /** Patient apps registered in the node's configuration (beside the demo PGO). */
  readonly apps?: readonly PatientApp[];
  /** The BSN of a client's holder identity at this organisation, if she is one. */
  readonly bsnOf: (holder: string) => Promise<string | undefined>;
  /** The organisation's own systems (SMART Backend Services) on the same authorization server. */
  readonly systems?: readonly BackendServiceClient[];
}

/** What the node's access layer needs from the authorization server. */
export interface NodeSmart {
  readonly appTokens: (token: string) => Promise<SmartAccess | undefined>;
  readonly systemTokens: (token: string) => Promise<SystemTokenAccess | undefined>;
  /** A client's Patient id here, by her holder identity. */
  readonly patientOfHolder: (holder: string) => Promise<string | undefined>;
}

export async function registerNodeSmart(app: FastifyInstance, options: NodeSmartOptions): Promise<NodeSmart> {
  const { db, membership, repository, sessions } = options;
  const base = membership.organisation.node.baseUrl.replace(/\/$/, '');
  // What a browser uses: a loopback node as localhost, where the portal's session cookie and her
  // passkey live (WebAuthn refuses an IP address), so a patient app's launch, login and consent
  // stay on one host; the organisation's systems may still ask for tokens at its base URL.
  const browserBase = relyingPartyOf(base).origins[0]!;
  const issuer = `${browserBase}${OIDC_PATH}`;
  await migrateOidcStore(db);

  /** The local FHIR Patient of a client's account (her holder identity), found by her BSN. */
  const patientOfAccount = async (holder: string): Promise<string | undefined> => {
    const bsn = await options.bsnOf(holder);
    if (bsn === undefined) return undefined;
    const found = await repository.search({
      resourceType: 'Patient',
      params: [['identifier', `${BSN_SYSTEM}|${bsn}`]],
      baseUrl: `${base}${FHIR_PATH}`,
    });
    return found.entry?.[0]?.resource?.id;
  };

  // Patient apps are public clients (no secret): code + PKCE, refresh tokens.
  const patientApp = (app: PatientApp): ClientMetadata => ({
    client_id: app.clientId,
    client_name: app.name,
    token_endpoint_auth_method: 'none',
    redirect_uris: [...app.redirectUris],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  });
  const systems = options.systems ?? [];
  const clients = [
    ...[
      {
        clientId: DEMO_PGO_CLIENT_ID,
        name: 'Ketenlog demo-PGO',
        redirectUris: [...new Set([`${browserBase}${DEMO_PGO_PATH}`, `${base}${DEMO_PGO_PATH}`])],
      },
      ...(options.apps ?? []),
    ].map(patientApp),
    ...systems.map(backendServiceClientMetadata),
  ];
  // The provider's cookie keys: derived from the node's own secret, so they survive restarts (and
  // statement-key rotations).
  const cookieKey = Buffer.from(
    hkdfSync('sha256', membership.derivationSecret, issuer, 'ketenlog oidc cookie key v1', 32),
  ).toString('base64url');
  const provider = createAuthorizationServer({
    issuer,
    mountPath: OIDC_PATH,
    db,
    signingKeys: await loadOrCreateDemoSigningKeys(db),
    cookieKeys: [cookieKey],
    scopes: [...SMART_SCOPES, ...backendServiceScopes(systems)],
    clients,
    accountClaims: async (holder) => {
      const patient = await patientOfAccount(holder);
      return patient === undefined ? undefined : { fhirUser: `Patient/${patient}` };
    },
  });
  addPatientToTokenResponse(provider, patientOfAccount);

  await app.register(oidcRoutes, {
    provider,
    mountPath: OIDC_PATH,
    // Only a client logged in with her passkey can let an app at her data.
    resolveAccount: async (request) => {
      const principal = (await sessions.get(sessionIdFrom(request.headers.cookie), Date.now()))?.principal;
      return principal?.kind === 'client' ? principal.holder : undefined;
    },
    loginUrl: () => `${AUTH_PREFIX}/passkeys`,
  });
  // Discovery where clients look first, pointing at the issuer's own document.
  app.get('/.well-known/openid-configuration', async (_request, reply) =>
    reply.redirect(`${OIDC_PATH}/.well-known/openid-configuration`, 302),
  );
  await app.register(smartConfigurationRoutes, { issuer, fhirPath: FHIR_PATH });

  const judge = smartAccessJudge({
    fhirPath: FHIR_PATH,
    compartmentOf: async (resourceType, id) => {
      try {
        return patientOfResource(await repository.read(resourceType, id));
      } catch {
        return undefined;
      }
    },
  });
  app.addHook('preHandler', async (request, reply) => {
    const caller = request.fhirAccess?.caller;
    if (caller?.kind === 'app') await judge(request, reply, caller.access);
  });
  registerClientFhirScope(app, { repository });
  registerClientDiary(app);

  await app.register(demoPgoPages, {
    path: DEMO_PGO_PATH,
    clientId: DEMO_PGO_CLIENT_ID,
    fhirBase: `${browserBase}${FHIR_PATH}`,
    fhirClientJs: readFileSync(
      createRequire(import.meta.url).resolve('fhirclient/build/fhir-client.min.js'),
      'utf8',
    ),
  });
  return {
    appTokens: providerTokenResolver(provider, patientOfAccount),
    systemTokens: systemTokenResolver(provider),
    patientOfHolder: patientOfAccount,
  };
}
