// Test support: a node with the authorization server, SMART configuration and an in-memory FHIR store.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
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
export async function startSmartTestNode(): Promise<{
  app: FastifyInstance;
  base: string;
  store: Map<string, Resource>;
}> {
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
  // A tiny SMART app using the official fhirclient browser build (standalone launch).
  const fhirClientJs = readFileSync(
    createRequire(import.meta.url).resolve('fhirclient/build/fhir-client.js'),
    'utf8',
  );
  app.get('/app/fhir-client.js', async (_request, reply) => reply.type('text/javascript').send(fhirClientJs));
  app.get('/app/launch.html', async (_request, reply) =>
    reply.type('text/html').send(`<!doctype html><script src="/app/fhir-client.js"></script><script>
FHIR.oauth2.authorize({ clientId: 'pgo-app', iss: '${base}/fhir', redirectUri: '/app/',
  scope: 'launch/patient openid fhirUser offline_access patient/*.rs patient/Observation.c' });
</script>`),
  );
  app.get('/app/', async (_request, reply) =>
    reply.type('text/html').send(`<!doctype html><script src="/app/fhir-client.js"></script><script>
FHIR.oauth2.ready().then(async (client) => {
  const patient = await client.patient.read();
  const created = await client.create({ resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: 'Patient/' + client.patient.id }, valueQuantity: { value: 72.5, unit: 'kg' } });
  const own = await client.request('Observation?patient=' + client.patient.id);
  let otherStatus = 0;
  try { await client.request('Observation/o2'); } catch (e) { otherStatus = e.status || -1; }
  window.result = { patient: patient.id, created, own: own.entry.length, otherStatus,
    refresh: Boolean(client.state.tokenResponse.refresh_token) };
}).catch((e) => { window.result = { error: String(e) }; });
</script>`),
  );
  await app.listen({ port, host: '127.0.0.1' });
  return { app, base, store };
}
