import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@ketenlog/storage';
import { cookieFrom } from '../passkeys/session.ts';
import {
  createAuthorizationServer,
  loadOrCreateDemoSigningKeys,
  migrateOidcStore,
  oidcRoutes,
} from '../oidc/index.ts';
import {
  addPatientToTokenResponse,
  providerTokenResolver,
  PROVENANCE_SYSTEM,
  SMART_SCOPES,
  smartConfigurationRoutes,
  smartFhirGuard,
} from './index.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

type Resource = Record<string, unknown> & { resourceType: string; id: string };

/** A node with the authorization server, SMART configuration and a small in-memory FHIR store. */
async function startNode(): Promise<{ app: FastifyInstance; base: string; store: Map<string, Resource> }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const db = await openDatabase(':memory:');
  await migrateOidcStore(db);
  const patientOf = async (accountId: string) => (accountId === 'pseudo:anna' ? 'anna' : undefined);
  const provider = createAuthorizationServer({
    issuer: `${base}/oidc`,
    mountPath: '/oidc',
    db,
    signingKeys: await loadOrCreateDemoSigningKeys(db),
    cookieKeys: ['test-cookie-key-0123456789abcdef0123456789'],
    scopes: SMART_SCOPES,
    clients: [
      {
        client_id: 'pgo-app',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${base}/app/`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    accountClaims: async (id) => ((await patientOf(id)) ? {} : undefined),
  });
  addPatientToTokenResponse(provider, patientOf);
  const store = new Map<string, Resource>();
  const put = (r: Resource) => store.set(`${r.resourceType}/${r.id}`, r);
  put({ resourceType: 'Patient', id: 'anna' });
  put({ resourceType: 'Patient', id: 'bert' });
  put({ resourceType: 'Observation', id: 'o1', subject: { reference: 'Patient/anna' } });
  put({ resourceType: 'Observation', id: 'o2', subject: { reference: 'Patient/bert' } });

  const app = Fastify();
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, (_r, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch (error) {
      done(error as Error);
    }
  });
  await app.register(oidcRoutes, {
    provider,
    mountPath: '/oidc',
    resolveAccount: async (request) => cookieFrom(request.headers.cookie, 'demo_user'),
    loginUrl: (returnTo) => `/login?return=${encodeURIComponent(returnTo)}`,
  });
  await app.register(smartConfigurationRoutes, { issuer: `${base}/oidc`, fhirPath: '/fhir' });
  app.addHook(
    'preHandler',
    smartFhirGuard({
      fhirPath: '/fhir',
      resolveToken: providerTokenResolver(provider, patientOf),
      compartmentOf: async (type, id) => {
        const r = store.get(`${type}/${id}`);
        const ref = (r?.['subject'] as { reference?: string } | undefined)?.reference;
        return ref?.replace('Patient/', '');
      },
    }),
  );
  app.get<{ Params: { type: string; id: string } }>('/fhir/:type/:id', async (request, reply) => {
    const r = store.get(`${request.params.type}/${request.params.id}`);
    return r ? r : reply.code(404).send();
  });
  app.get<{ Params: { type: string }; Querystring: { patient?: string } }>('/fhir/:type', async (request) => {
    const entries = [...store.values()]
      .filter((r) => r.resourceType === request.params.type)
      .filter(
        (r) =>
          (r['subject'] as { reference?: string } | undefined)?.reference ===
          `Patient/${request.query.patient}`,
      );
    return { resourceType: 'Bundle', type: 'searchset', entry: entries.map((resource) => ({ resource })) };
  });
  app.post<{ Params: { type: string } }>('/fhir/:type', async (request, reply) => {
    const r = { ...(request.body as Resource), id: randomUUID() };
    put(r);
    return reply.code(201).send(r);
  });
  await app.listen({ port, host: '127.0.0.1' });
  return { app, base, store };
}

async function launch(base: string, scope: string): Promise<Record<string, string>> {
  const verifier = randomBytes(32).toString('base64url');
  const cookies = new Map<string, string>();
  const params = new URLSearchParams({
    client_id: 'pgo-app',
    response_type: 'code',
    scope,
    redirect_uri: `${base}/app/`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 's',
    aud: `${base}/fhir`,
    prompt: 'consent',
  });
  let url = `${base}/oidc/auth?${params}`;
  for (;;) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...[...cookies].map(([k, v]) => `${k}=${v}`), 'demo_user=pseudo:anna'].join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`no redirect: ${response.status}`);
    url = new URL(location, url).href;
    if (url.startsWith(`${base}/app/`)) break;
  }
  const code = new URL(url).searchParams.get('code')!;
  const response = await fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${base}/app/`,
      client_id: 'pgo-app',
      code_verifier: verifier,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string>;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

describe('SMART App Launch', () => {
  it('publishes smart-configuration at the FHIR base', async () => {
    const node = await startNode();
    apps.push(node.app);
    const response = await fetch(`${node.base}/fhir/.well-known/smart-configuration`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body['token_endpoint']).toBe(`${node.base}/oidc/token`);
    expect(body['capabilities']).toContain('launch-standalone');
    expect(body['code_challenge_methods_supported']).toEqual(['S256']);
  });

  it('standalone launch: patient in the token response, own compartment only, self-measurements tagged', async () => {
    const node = await startNode();
    apps.push(node.app);
    const tokens = await launch(
      node.base,
      'launch/patient openid fhirUser offline_access patient/*.rs patient/Observation.c',
    );
    expect(tokens['patient']).toBe('anna');
    expect(tokens['scope']).toContain('patient/*.rs');
    expect(tokens['refresh_token']).toBeTruthy();
    const auth = { authorization: `Bearer ${tokens['access_token']}` };

    expect((await fetch(`${node.base}/fhir/Patient/anna`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${node.base}/fhir/Patient/bert`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${node.base}/fhir/Observation/o1`, { headers: auth })).status).toBe(200);
    const other = await fetch(`${node.base}/fhir/Observation/o2`, { headers: auth });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    expect((await fetch(`${node.base}/fhir/Observation?patient=anna`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${node.base}/fhir/Observation?patient=bert`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${node.base}/fhir/Observation`, { headers: auth })).status).toBe(403);
    expect(
      (await fetch(`${node.base}/fhir/Observation?patient=anna&patient=bert`, { headers: auth })).status,
    ).toBe(403);
    expect((await fetch(`${node.base}/fhir/Observation/o1`)).status).toBe(401);
    expect(
      (await fetch(`${node.base}/fhir/Observation/o1`, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);

    const post = (body: unknown) =>
      fetch(`${node.base}/fhir/Observation`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(body),
      });
    const measurement = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
      subject: { reference: 'Patient/anna' },
      valueQuantity: { value: 72.5, unit: 'kg' },
      meta: { tag: [{ system: PROVENANCE_SYSTEM, code: 'clinician' }] },
    };
    const created = await post(measurement);
    expect(created.status).toBe(201);
    const stored = (await created.json()) as { meta: { tag: { system: string; code: string }[] } };
    expect(stored.meta.tag).toEqual([
      expect.objectContaining({ system: PROVENANCE_SYSTEM, code: 'self-reported' }),
    ]);
    expect((await post({ ...measurement, subject: { reference: 'Patient/bert' } })).status).toBe(403);
    const condition = await fetch(`${node.base}/fhir/Condition`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Condition', subject: { reference: 'Patient/anna' } }),
    });
    expect(condition.status).toBe(403);
  });

  it('a read-only launch cannot create', async () => {
    const node = await startNode();
    apps.push(node.app);
    const tokens = await launch(node.base, 'launch/patient openid patient/*.rs');
    const response = await fetch(`${node.base}/fhir/Observation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['access_token']}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Observation', subject: { reference: 'Patient/anna' } }),
    });
    expect(response.status).toBe(403);
  });
});
