// The Localization Service interface (GF Localization; CapabilityStatement
// nl-gf-localization-repository-list): List create, read, delete and search on `subject:identifier`,
// `code` and `source:identifier`, and transaction Bundles of List creates and deletes. Subjects
// arrive as the PRS's JWE with the client's blind factor and are kept only as this NVI's own
// pseudonym; answers never carry a subject. A custodian registers and removes only its own records.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, BundleEntry, List } from '@medplum/fhirtypes';
import { fhirScope, requireCaller, type Authorize, type NationalCaller } from '../http.ts';
import { NVI_IDENTIFIER_SYSTEM } from '../pseudonym/prs-client.ts';
import { PseudonymError } from '../pseudonym/encoding.ts';
import type { RecipientKey } from '../pseudonym/recipient.ts';
import type { JWK } from 'jose';
import { DATA_CATEGORY_SYSTEM, isDataCategory } from './data-categories.ts';
import {
  answeredList,
  OAUTH_CLIENT_SYSTEM,
  parseLocalizationList,
  type SubmittedRecord,
} from './localization-list.ts';
import type { NviStore } from './nvi-store.ts';
import { FHIR_JSON, problem } from '@ketenlog/problem';

export interface NviRoutesOptions {
  readonly store: NviStore;
  /** This NVI as a pseudonym recipient: its key opens the subjects addressed to it. */
  readonly recipient: RecipientKey;
  /** The public half, published for the PRS at `/.well-known/jwks.json`. */
  readonly publicJwk: JWK;
  readonly authorize: Authorize;
  /** The public base URL of these routes, for Bundle links and fullUrls. */
  readonly baseUrl: string;
  /** Most entries in one transaction. Default 1000. */
  readonly maxEntries?: number;
}

const SEARCH_PARAMETERS = new Set([
  'subject:identifier',
  'patient:identifier',
  'code',
  'source:identifier',
  '_format',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function callerOf(request: FastifyRequest): NationalCaller {
  const caller = request.nationalCaller;
  if (!caller) throw problem(401, 'login', 'authentication is required');
  return caller;
}

function mustWrite(caller: NationalCaller): void {
  if (!caller.mayWrite)
    throw problem(403, 'forbidden', "only an organisation's systems may register localisation records");
}

/** `system|value` of a token parameter, the system required to be `system`. */
function tokenValue(token: string, system: string, name: string): string {
  const bar = token.indexOf('|');
  if (bar < 0 || token.slice(0, bar) !== system || token.length === bar + 1)
    throw problem(400, 'invalid', `${name} must be ${system}|<value>`);
  return token.slice(bar + 1);
}

function categoriesOf(values: readonly string[]): string[] {
  return values.flatMap((value) =>
    value.split(',').map((token) => {
      const bar = token.indexOf('|');
      if (bar >= 0 && token.slice(0, bar) !== DATA_CATEGORY_SYSTEM)
        throw problem(400, 'invalid', `code must be a code of ${DATA_CATEGORY_SYSTEM}`);
      const code = bar >= 0 ? token.slice(bar + 1) : token;
      if (!isDataCategory(code)) throw problem(400, 'invalid', `unknown data category ${code}`);
      return code;
    }),
  );
}

function parameters(source: unknown): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const entries =
    source instanceof URLSearchParams
      ? [...source.entries()]
      : Object.entries((source ?? {}) as Record<string, string | string[]>).flatMap(([k, v]) =>
          (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]),
        );
  for (const [key, value] of entries) {
    if (!SEARCH_PARAMETERS.has(key)) throw problem(400, 'not-supported', `unknown search parameter ${key}`);
    params.set(key, [...(params.get(key) ?? []), value]);
  }
  return params;
}

export async function nviRoutes(app: FastifyInstance, options: NviRoutesOptions): Promise<void> {
  fhirScope(app);
  const { store, recipient } = options;
  // Read at each answer: a stand-in knows its address only once it listens.
  const base = () => options.baseUrl.replace(/\/$/, '');
  const maxEntries = options.maxEntries ?? 1000;

  const pseudonymOf = async (identifier: string): Promise<string> => {
    try {
      return await recipient.open(identifier);
    } catch (error) {
      if (error instanceof PseudonymError) throw problem(400, 'invalid', `subject: ${error.message}`);
      throw error;
    }
  };
  const register = async (record: SubmittedRecord) =>
    store.add({
      custodian: record.custodian,
      pseudonym: await pseudonymOf(record.subject),
      category: record.category,
      source: record.source,
    });
  const submitter = (caller: NationalCaller) => ({ ura: caller.ura, clientId: caller.clientId });

  /** The records a search or a conditional delete names; a subject or a source is required. */
  const matching = async (params: Map<string, string[]>, caller: NationalCaller, own: boolean) => {
    const subjects = [
      ...(params.get('subject:identifier') ?? []),
      ...(params.get('patient:identifier') ?? []),
    ];
    const sources = params.get('source:identifier') ?? [];
    if (subjects.length + sources.length === 0)
      throw problem(400, 'invalid', 'search by subject:identifier or source:identifier');
    if (subjects.length > 1 || sources.length > 1)
      throw problem(400, 'invalid', 'one subject and one source at most');
    const categories = categoriesOf(params.get('code') ?? []);
    const pseudonym = subjects[0]
      ? await pseudonymOf(tokenValue(subjects[0], NVI_IDENTIFIER_SYSTEM, 'subject:identifier'))
      : undefined;
    const source = sources[0] ? tokenValue(sources[0], OAUTH_CLIENT_SYSTEM, 'source:identifier') : undefined;
    // A system's own registrations only: another's client id is no key to its records.
    return store.find({
      ...(pseudonym !== undefined ? { pseudonym } : {}),
      ...(source !== undefined || own ? { custodian: caller.ura } : {}),
      ...(source !== undefined ? { source } : {}),
      categories,
    });
  };

  const searchset = (lists: List[]): Bundle => ({
    resourceType: 'Bundle',
    type: 'searchset',
    total: lists.length,
    link: [{ relation: 'self', url: `${base()}/List` }],
    entry: lists.map((resource) => ({
      fullUrl: `${base()}/List/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  });
  const send = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).type(FHIR_JSON).send(body);

  app.get('/.well-known/jwks.json', async () => ({ keys: [options.publicJwk] }));

  await app.register(async (scope) => {
    scope.addHook('preHandler', requireCaller(options.authorize));

    scope.post('/List', async (request, reply) => {
      const caller = callerOf(request);
      mustWrite(caller);
      const stored = await register(parseLocalizationList(request.body, submitter(caller)));
      return send(reply.header('location', `${base()}/List/${stored.id}`), 201, answeredList(stored));
    });

    const search = async (request: FastifyRequest, reply: FastifyReply, source: unknown) => {
      const records = await matching(parameters(source), callerOf(request), false);
      return send(reply, 200, searchset(records.map(answeredList)));
    };
    scope.get('/List', (request, reply) => search(request, reply, request.query));
    scope.post('/List/_search', (request, reply) => {
      if (!(request.body instanceof URLSearchParams))
        throw problem(415, 'not-supported', 'POST List/_search takes application/x-www-form-urlencoded');
      return search(request, reply, request.body);
    });

    scope.get<{ Params: { id: string } }>('/List/:id', async (request, reply) => {
      callerOf(request);
      const record = UUID.test(request.params.id) ? await store.read(request.params.id) : undefined;
      if (!record) throw problem(404, 'not-found', `List/${request.params.id} is not known`);
      return send(reply, 200, answeredList(record));
    });

    scope.delete<{ Params: { id: string } }>('/List/:id', async (request, reply) => {
      const caller = callerOf(request);
      mustWrite(caller);
      const removed = UUID.test(request.params.id) ? await store.remove([request.params.id], caller.ura) : 0;
      if (removed === 0)
        throw problem(
          404,
          'not-found',
          `List/${request.params.id} is not one of ura:${caller.ura}'s records`,
        );
      return reply.code(204).send();
    });

    scope.delete('/List', async (request, reply) => {
      const caller = callerOf(request);
      mustWrite(caller);
      const records = await matching(parameters(request.query), caller, true);
      await store.remove(
        records.map((r) => r.id),
        caller.ura,
      );
      return reply.code(204).send();
    });

    // A transaction of List creates and deletes: every entry checked before any is applied.
    scope.post('/', async (request, reply) => {
      const caller = callerOf(request);
      mustWrite(caller);
      const bundle = request.body as Bundle | undefined;
      if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'transaction' || !Array.isArray(bundle.entry))
        throw problem(400, 'invalid', 'the body must be a transaction Bundle');
      if (bundle.entry.length > maxEntries)
        throw problem(413, 'too-costly', `at most ${maxEntries} entries per transaction`);
      // One client sends one identifier for all of a client's records: open each once.
      const opened = new Map<string, Promise<string>>();
      const open = (subject: string) =>
        opened.get(subject) ?? opened.set(subject, pseudonymOf(subject)).get(subject)!;
      const steps = await Promise.all(
        bundle.entry.map(async (entry: BundleEntry, index) => {
          const method = entry.request?.method;
          const url = entry.request?.url ?? '';
          if (method === 'POST' && url === 'List') {
            const record = parseLocalizationList(entry.resource, submitter(caller));
            return {
              kind: 'create' as const,
              record: { ...record, pseudonym: await open(record.subject) },
            };
          }
          const id = /^List\/([0-9a-f-]{36})$/.exec(url)?.[1];
          if (method === 'DELETE' && id && UUID.test(id)) return { kind: 'delete' as const, id };
          throw problem(
            400,
            'not-supported',
            `entry ${index}: only POST List and DELETE List/<id> are supported`,
          );
        }),
      );
      const response = await store.transaction(async (records) => {
        const entries: BundleEntry[] = [];
        for (const step of steps) {
          if (step.kind === 'create') {
            const { custodian, pseudonym, category, source } = step.record;
            const stored = await records.add({ custodian, pseudonym, category, source });
            entries.push({ response: { status: '201 Created', location: `List/${stored.id}` } });
          } else {
            const removed = await records.remove([step.id], caller.ura);
            entries.push({ response: { status: removed ? '204 No Content' : '404 Not Found' } });
          }
        }
        return entries;
      });
      return send(reply, 200, { resourceType: 'Bundle', type: 'transaction-response', entry: response });
    });
  });
}
