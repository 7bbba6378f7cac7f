import Fastify, { type FastifyInstance } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Db } from '@ketenlog/storage';
import { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { capabilityStatement } from '../http/capability.ts';
import { installContentParsers } from '../http/content.ts';
import { installErrorHandlers } from '../http/errors.ts';
import { fhirRoutes } from '../http/routes.ts';
import { SqlFhirRepository } from '../repository/sql-repository.ts';
import { SearchParameterRegistry } from '../search/definitions.ts';
import { FhirSearchIndex } from '../search/search-index.ts';
import { validateResource } from '../validation/validate.ts';

export const BASE = 'http://fhir.test/fhir';

let model: { definitions: FhirDefinitions; registry: SearchParameterRegistry } | undefined;

/** The R4 definitions and search parameters, read once per test process. */
export function conformanceModel(): { definitions: FhirDefinitions; registry: SearchParameterRegistry } {
  model ??= { definitions: FhirDefinitions.load(), registry: SearchParameterRegistry.load() };
  return model;
}

/**
 * The FHIR routes over a fresh repository on `db`, as the node mounts them at /fhir, with BASE
 * as their public base URL (or, with `hostBase`, the base derived from each request's Host).
 */
export async function conformanceServer(
  db: Db,
  options: { hostBase?: boolean } = {},
): Promise<FastifyInstance> {
  const { definitions, registry } = conformanceModel();
  const repository = await SqlFhirRepository.open(db, new FhirSearchIndex(registry));
  const app = Fastify();
  installContentParsers(app);
  installErrorHandlers(app);
  const capability = capabilityStatement({
    software: { name: 'Ketenlog', version: 'test' },
    resourceTypes: definitions.resourceTypes(),
    registry,
  });
  await app.register(fhirRoutes, {
    prefix: '/fhir',
    repository,
    validate: (resource: unknown) => validateResource(resource, definitions),
    isResourceType: (type: string) => definitions.isResourceType(type),
    capabilityStatement: () => capability,
    definitions,
    ...(options.hostBase ? {} : { baseUrl: BASE }),
  });
  await app.ready();
  return app;
}

export interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
  json: <T = Resource>() => T;
}

/** One request to the server; `path` is relative to /fhir (or an absolute link it gave). */
export async function call(
  app: FastifyInstance,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = path.startsWith(BASE) ? `/fhir${path.slice(BASE.length)}` : `/fhir${path}`;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers: { ...(payload !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    ...(payload !== undefined ? { payload } : {}),
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body,
    json: <T>() => JSON.parse(response.body) as T,
  };
}

/**
 * Follows `next` links from a first page to the end: every page's entries, and the totals each
 * page stated. Stops with an error after `maxPages`, so a link loop fails the test.
 */
export async function allPages(
  app: FastifyInstance,
  path: string,
  maxPages = 500,
): Promise<{ entries: NonNullable<Bundle['entry']>; totals: number[]; pages: number }> {
  const entries: NonNullable<Bundle['entry']> = [];
  const totals: number[] = [];
  let url: string | undefined = path;
  let pages = 0;
  while (url) {
    if (++pages > maxPages) throw new Error(`more than ${maxPages} pages from ${path}`);
    const answer = await call(app, 'GET', url);
    if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${answer.body}`);
    const bundle = answer.json<Bundle>();
    entries.push(...(bundle.entry ?? []));
    if (bundle.total !== undefined) totals.push(bundle.total);
    url = bundle.link?.find((l) => l.relation === 'next')?.url;
  }
  return { entries, totals, pages };
}
