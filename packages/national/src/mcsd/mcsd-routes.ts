// The directory as a read-only mCSD server (IHE mCSD ITI-90 Find Matching Care Services and ITI-91
// Request Care Services Updates, as GF Addressing profiles them: ITI-90-NL, ITI-91-NL): search
// without parameters for an initial load (paged; Bundle.meta.lastUpdated is the sync timestamp),
// `_history?_since=` per type and for the whole directory, read and instance history. No writes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { fhirScope, requireCaller, type Authorize } from '../http.ts';
import {
  DIRECTORY_TYPES,
  historyEntry,
  isDirectoryType,
  type DirectoryStore,
  type DirectoryType,
} from './directory-store.ts';
import { FHIR_JSON, problem } from '@ketenlog/problem';

export interface McsdRoutesOptions {
  readonly store: DirectoryStore;
  readonly authorize: Authorize;
  /** The public base URL of these routes, for links and fullUrls. */
  readonly baseUrl: string;
  /** Most entries per page. Default 500. */
  readonly maxCount?: number;
}

const SEARCH: Readonly<Record<string, ReadonlySet<string>>> = {
  common: new Set(['_id', 'identifier', '_count', '_offset', '_format']),
  Organization: new Set(['name']),
  HealthcareService: new Set(['name', 'organization']),
  Location: new Set(['name', 'organization']),
  Endpoint: new Set(['organization']),
  PractitionerRole: new Set(['organization']),
  OrganizationAffiliation: new Set(['primary-organization']),
};
const HISTORY = new Set(['_since', '_count', '_offset', '_format']);
const ID = /^[A-Za-z0-9.-]{1,64}$/;

type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw problem(400, 'invalid', `${name} may be given once`);
  return value;
}

function checkParameters(query: Query, allowed: (name: string) => boolean): void {
  for (const name of Object.keys(query))
    if (!allowed(name)) throw problem(400, 'not-supported', `unknown or unsupported parameter ${name}`);
}

function integer(query: Query, name: string, fallback: number, max: number): number {
  const text = single(query, name);
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) > max)
    throw problem(400, 'invalid', `${name} must be a whole number up to ${max}`);
  return Number(text);
}

/** A FHIR instant or dateTime with a time zone, as an ISO instant; or a 400. */
function instant(text: string): string {
  const time = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)
    ? Date.parse(text)
    : NaN;
  if (Number.isNaN(time))
    throw problem(400, 'invalid', '_since must be a FHIR instant, e.g. 2026-12-07T10:00:00Z');
  return new Date(time).toISOString();
}

const referenceOf = (value: unknown): string | undefined =>
  (value as { reference?: string } | undefined)?.reference;

function matches(resource: Resource, name: string, value: string): boolean {
  const r = resource as unknown as Record<string, unknown>;
  const values = value.split(',');
  switch (name) {
    case '_id':
      return values.includes(resource.id ?? '');
    case 'identifier': {
      const identifiers = (r.identifier as { system?: string; value?: string }[] | undefined) ?? [];
      return values.some((token) => {
        const bar = token.indexOf('|');
        return identifiers.some((i) =>
          bar < 0 ? i.value === token : i.system === token.slice(0, bar) && i.value === token.slice(bar + 1),
        );
      });
    }
    case 'name': {
      const own = typeof r.name === 'string' ? r.name.toLowerCase() : '';
      return values.some((v) => own.startsWith(v.toLowerCase()));
    }
    case 'organization':
    case 'primary-organization': {
      const ref = referenceOf(r.providedBy ?? r.organization ?? r.managingOrganization);
      return values.some((v) => ref === v || ref === `Organization/${v}`);
    }
    default:
      return false;
  }
}

export async function mcsdRoutes(app: FastifyInstance, options: McsdRoutesOptions): Promise<void> {
  fhirScope(app);
  const { store } = options;
  const base = () => options.baseUrl.replace(/\/$/, '');
  const maxCount = options.maxCount ?? 500;
  const send = (reply: FastifyReply, body: unknown) => reply.code(200).type(FHIR_JSON).send(body);
  const directoryType = (type: string): DirectoryType => {
    if (!isDirectoryType(type))
      throw problem(404, 'not-found', `${type} is not an mCSD resource type of this directory`);
    return type;
  };
  const link = (path: string, params: Record<string, string | number | undefined>) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, String(v));
    return `${base()}${path}${query.size ? `?${query}` : ''}`;
  };

  app.get('/metadata', async (_request, reply) => send(reply, capabilityStatement()));

  await app.register(async (scope) => {
    scope.addHook('preHandler', requireCaller(options.authorize));

    const history = async (
      request: FastifyRequest,
      reply: FastifyReply,
      path: string,
      type?: DirectoryType,
      id?: string,
    ) => {
      const query = request.query as Query;
      checkParameters(query, (name) => HISTORY.has(name));
      const sinceText = single(query, '_since');
      const since = sinceText === undefined ? undefined : instant(sinceText);
      const count = integer(query, '_count', Math.min(100, maxCount), maxCount);
      const offset = integer(query, '_offset', 0, 1e9);
      // Taken before reading: a change made meanwhile is in the next round (`_since` is inclusive).
      const lastUpdated = store.serverTime();
      const versions = await store.history({
        ...(type ? { type } : {}),
        ...(id ? { id } : {}),
        ...(since ? { since } : {}),
        count: count + 1,
        offset,
      });
      const page = versions.slice(0, count);
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'history',
        meta: { lastUpdated },
        link: [
          {
            relation: 'self',
            url: link(path, { _since: since, _count: count, _offset: offset || undefined }),
          },
          ...(versions.length > count
            ? [
                {
                  relation: 'next',
                  url: link(path, { _since: since, _count: count, _offset: offset + count }),
                },
              ]
            : []),
        ],
        entry: page.map((v) => historyEntry(base(), v)),
      };
      return send(reply, bundle);
    };

    scope.get('/_history', (request, reply) => history(request, reply, '/_history'));
    scope.get<{ Params: { type: string } }>('/:type/_history', (request, reply) => {
      const type = directoryType(request.params.type);
      return history(request, reply, `/${type}/_history`, type);
    });
    scope.get<{ Params: { type: string; id: string } }>('/:type/:id/_history', (request, reply) => {
      const type = directoryType(request.params.type);
      if (!ID.test(request.params.id)) throw problem(400, 'invalid', 'not a FHIR id');
      return history(request, reply, `/${type}/${request.params.id}/_history`, type, request.params.id);
    });

    scope.get<{ Params: { type: string } }>('/:type', async (request, reply) => {
      const type = directoryType(request.params.type);
      const query = request.query as Query;
      checkParameters(query, (name) => SEARCH.common!.has(name) || (SEARCH[type]?.has(name) ?? false));
      const count = integer(query, '_count', Math.min(100, maxCount), maxCount);
      const offset = integer(query, '_offset', 0, 1e9);
      const lastUpdated = store.serverTime();
      const filters = Object.entries(query).filter(([name]) => !name.startsWith('_') || name === '_id') as [
        string,
        string | string[],
      ][];
      const found = (await store.all(type)).filter((resource) =>
        filters.every(([name, value]) =>
          (Array.isArray(value) ? value : [value]).every((v) => matches(resource, name, v)),
        ),
      );
      const params = Object.fromEntries(filters.map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        meta: { lastUpdated },
        total: found.length,
        link: [
          {
            relation: 'self',
            url: link(`/${type}`, { ...params, _count: count, _offset: offset || undefined }),
          },
          ...(found.length > offset + count
            ? [
                {
                  relation: 'next',
                  url: link(`/${type}`, { ...params, _count: count, _offset: offset + count }),
                },
              ]
            : []),
        ],
        entry: found.slice(offset, offset + count).map((resource) => ({
          fullUrl: `${base()}/${type}/${resource.id}`,
          resource,
          search: { mode: 'match' },
        })),
      };
      return send(reply, bundle);
    });

    scope.get<{ Params: { type: string; id: string } }>('/:type/:id', async (request, reply) => {
      const type = directoryType(request.params.type);
      const version = ID.test(request.params.id) ? await store.read(type, request.params.id) : undefined;
      if (!version) throw problem(404, 'not-found', `${type}/${request.params.id} is not known`);
      if (version.deleted) throw problem(410, 'deleted', `${type}/${request.params.id} was deleted`);
      return send(reply.header('etag', `W/"${version.version}"`), version.resource);
    });
  });
}

function capabilityStatement(): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-07',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    instantiates: [
      'http://minvws.github.io/generiekefuncties-docs/CapabilityStatement/nl-gf-directory-for-ITI-90-NL',
      'http://minvws.github.io/generiekefuncties-docs/CapabilityStatement/nl-gf-directory-for-ITI-91-NL',
    ],
    rest: [
      {
        mode: 'server',
        interaction: [{ code: 'history-system' }],
        resource: DIRECTORY_TYPES.map((type) => ({
          type,
          interaction: [
            { code: 'read' },
            { code: 'search-type' },
            { code: 'history-type' },
            { code: 'history-instance' },
          ],
          searchParam: [...SEARCH.common!, ...(SEARCH[type] ?? [])]
            .filter((name) => !name.startsWith('_') || name === '_id')
            .map((name) => ({
              name,
              type: name === 'name' ? 'string' : name.includes('organization') ? 'reference' : 'token',
            })),
        })),
      },
    ],
  } as CapabilityStatement;
}
