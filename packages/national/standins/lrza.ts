// Stand-in for the LRZa Directory (Landelijk Register Zorgaanbieders, GF Addressing), for tests and
// demos, as its own process: the published examples served read-only over mCSD ITI-90-NL (paged)
// and ITI-91-NL (`_history?_since=`), and a Data Source feed (ITI-130-NL, create/update only — the
// guide allows no deletes) for whoever holds the stand-in's admin token. Never for real data: the
// store is in memory and reading needs no credential (the real LRZa asks for mTLS).
//
//   node packages/national/standins/lrza.ts --port 0 [--page-size 2] [--empty]
//   env LRZA_STANDIN_ADMIN_TOKEN=<token>   (without it the feed is closed)
//
// It prints its base URL on the first line: the directory is at <url>/fhir.
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { openSqlite } from '@ketenlog/storage';
import { ok, problem } from '@ketenlog/problem';
import { DirectoryStore, fhirScope, isDirectoryType, mcsdRoutes } from '../src/index.ts';
import { LRZA_EXAMPLES } from './lrza-examples.ts';

const SOURCE = 'lrza';
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'page-size': { type: 'string', default: '50' },
    empty: { type: 'boolean', default: false },
  },
});
const adminToken = process.env.LRZA_STANDIN_ADMIN_TOKEN;

const store = await DirectoryStore.open(await openSqlite(':memory:'));
if (!values.empty) for (const resource of LRZA_EXAMPLES) await store.put(SOURCE, resource);

const app = Fastify({ logger: false });
let baseUrl = '';
await app.register(
  async (scope) => {
    await mcsdRoutes(scope, {
      store,
      maxCount: Number(values['page-size']),
      authorize: async () => ok({ ura: '00000000', clientId: 'anonymous', mayWrite: false }),
      get baseUrl() {
        return `${baseUrl}/fhir`;
      },
    });
  },
  { prefix: '/fhir' },
);
// The Data Source feed: PUT a resource (create or update); the answer is the stored version.
await app.register(
  async (scope) => {
    fhirScope(scope);
    scope.put<{ Params: { type: string; id: string } }>('/:type/:id', async (request, reply) => {
      if (!adminToken || request.headers.authorization !== `Bearer ${adminToken}`)
        throw problem(401, 'login', 'the feed needs the stand-in admin token');
      const resource = request.body as Resource | undefined;
      const { type, id } = request.params;
      if (
        !isDirectoryType(type) ||
        resource?.resourceType !== type ||
        resource.id !== id ||
        !/^[A-Za-z0-9.-]{1,64}$/.test(id)
      )
        throw problem(400, 'invalid', 'the body must be an mCSD resource of the type and id in the URL');
      await store.put(SOURCE, resource);
      return reply
        .code(200)
        .type('application/fhir+json')
        .send((await store.read(type, id))!.resource);
    });
  },
  { prefix: '/feed' },
);
const address = await app.listen({ port: Number(values.port), host: values.host });
baseUrl = address.replace('[::1]', 'localhost');
process.stdout.write(
  `${baseUrl}\nLRZa stand-in: directory ${baseUrl}/fhir, feed ${baseUrl}/feed — not for real data\n`,
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void app.close().then(() => process.exit(0)));
