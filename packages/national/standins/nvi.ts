// Stand-in for the national NVI (Nationale Verwijsindex) and the PRS (Pseudonymization Register
// Service) it depends on, for tests and demos, as its own process. Built from the published
// examples of minvws/generiekefuncties-docs 0.10.0 (localization.md, pseudonymisation.md). Never for
// real data: the store is in memory and callers authenticate with static bearer tokens.
//
//   node packages/national/standins/nvi.ts --port 0 [--ura 90000901] [--recipient <URA>=<jwks URL>]…
//   env NVI_STANDIN_CLIENTS='{"<token>": {"ura": "11110001", "clientId": "ehr"}}'
//   env NVI_STANDIN_ADMIN_TOKEN=<token>: PUT <url>/prs/recipients/<URA> {"jwks": "<URL>"} adds a
//   recipient whose address is known only later (a node under test)
//
// It prints its base URL on the first line: the NVI is at <url>/fhir, the PRS at <url>/prs.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { fail, ok, problem, ProblemError } from '@ketenlog/problem';
import { openSqlite } from '@ketenlog/storage';
import {
  fhirScope,
  generateRecipientKey,
  NVI_SCOPE,
  NviStore,
  nviRoutes,
  Prs,
  PseudonymError,
  RecipientKey,
  type Authorization,
} from '../src/index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    ura: { type: 'string', default: '90000901' },
    recipient: { type: 'string', multiple: true, default: [] },
  },
});
if (!/^\d{8}$/.test(values.ura)) throw new Error('--ura must be 8 digits');

const clients = new Map<string, { ura: string; clientId: string }>(
  Object.entries(
    JSON.parse(process.env.NVI_STANDIN_CLIENTS ?? '{}') as Record<string, { ura: string; clientId: string }>,
  ),
);
const authorize = async (request: FastifyRequest): Promise<Authorization> => {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return fail(401, 'login', 'a bearer token is required');
  const client = clients.get(token);
  if (!client) return fail(401, 'login', 'unknown token');
  return ok({ ...client, mayWrite: true });
};

const recipientJwks = new Map<string, string>(
  values.recipient.map((pair) => {
    const [ura, url] = pair.split('=', 2);
    if (!ura || !/^\d{8}$/.test(ura) || !url) throw new Error('--recipient takes <URA>=<jwks URL>');
    return [`ura:${ura}`, url];
  }),
);
const own = await generateRecipientKey();
const self = `ura:${values.ura}`;
const prs = new Prs({
  seed: randomBytes(32),
  recipientKey: async (organisation): Promise<JWK | undefined> => {
    if (organisation === self) return own.publicJwk;
    const url = recipientJwks.get(organisation);
    if (!url) return undefined;
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const set = response.ok ? ((await response.json()) as { keys?: JWK[] }) : undefined;
    return set?.keys?.find((k) => k.use === 'enc' || k.alg === 'ECDH-ES+A256KW');
  },
});

const app = Fastify({ logger: false });
let baseUrl = '';
await app.register(
  async (scope) => {
    fhirScope(scope);
    scope.put<{ Params: { ura: string }; Body: { jwks?: unknown } }>(
      '/recipients/:ura',
      async (request, reply) => {
        const admin = process.env.NVI_STANDIN_ADMIN_TOKEN;
        if (!admin || request.headers.authorization !== `Bearer ${admin}`)
          throw problem(401, 'login', 'adding a recipient needs the stand-in admin token');
        const jwks = request.body?.jwks;
        if (!/^\d{8}$/.test(request.params.ura) || typeof jwks !== 'string' || !/^https?:\/\//.test(jwks))
          throw problem(400, 'invalid', 'PUT /prs/recipients/<URA> {"jwks": "<URL>"}');
        recipientJwks.set(`ura:${request.params.ura}`, jwks);
        return reply.code(204).send();
      },
    );
    scope.post('/evaluate', async (request) => {
      const result = await authorize(request);
      if (!result.ok) throw ProblemError.of(result.problem);
      try {
        return await prs.evaluate(request.body);
      } catch (error) {
        if (error instanceof PseudonymError) throw problem(400, 'invalid', error.message);
        throw error;
      }
    });
  },
  { prefix: '/prs' },
);
const store = await NviStore.open(await openSqlite(':memory:'));
await app.register(
  async (scope) =>
    nviRoutes(scope, {
      store,
      recipient: new RecipientKey({ organisation: self, scope: NVI_SCOPE }, own.privateJwk),
      publicJwk: own.publicJwk,
      authorize,
      get baseUrl() {
        return `${baseUrl}/fhir`;
      },
    }),
  { prefix: '/fhir' },
);
const address = await app.listen({ port: Number(values.port), host: values.host });
baseUrl = address.replace('[::1]', 'localhost');
process.stdout.write(
  `${baseUrl}\nNVI stand-in (ura:${values.ura}): NVI ${baseUrl}/fhir, PRS ${baseUrl}/prs — not for real data\n`,
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void app.close().then(() => process.exit(0)));
