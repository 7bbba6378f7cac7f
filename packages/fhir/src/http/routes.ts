import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import type { FhirRepository, SearchRequest } from '../repository/repository.ts';
import { allOk, badRequest, FHIR_JSON, FhirError, notFound, outcome, sendOutcome } from '../outcome.ts';

export interface FhirRoutesOptions {
  repository: FhirRepository;
  /** Throws a FhirError (400) when a resource is not valid R4. Runs before every write. */
  validate: (resource: unknown) => void;
  isResourceType: (type: string) => boolean;
  capabilityStatement: () => CapabilityStatement;
  /** Public base URL of /fhir; derived from the request's Host when absent. */
  baseUrl?: string;
}

type Params = { type: string; id: string; vid: string; operation: string };

/** FHIR R4 RESTful API (http://hl7.org/fhir/R4/http.html), every route over one FhirRepository. */
export async function fhirRoutes(app: FastifyInstance, options: FhirRoutesOptions): Promise<void> {
  const { repository, validate } = options;
  const base = (request: FastifyRequest): string =>
    options.baseUrl ?? `${request.protocol}://${request.headers.host ?? request.hostname}/fhir`;
  const type = (request: FastifyRequest<{ Params: Partial<Params> }>): string => {
    const t = request.params.type ?? '';
    if (!options.isResourceType(t)) throw notFound(`Unknown resource type "${t}"`);
    return t;
  };
  const query = (request: FastifyRequest): Array<[string, string]> => {
    const q = request.url.indexOf('?');
    return q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1))];
  };
  const body = (request: FastifyRequest, expectedType?: string): Resource => {
    const resource = request.body as Resource | undefined;
    if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
      throw badRequest('The request body must be a FHIR resource (a JSON object)');
    }
    if (expectedType && resource.resourceType !== expectedType) {
      throw badRequest(`resourceType "${String(resource.resourceType)}" does not match the URL type "${expectedType}"`, 'resourceType');
    }
    validate(resource);
    return resource;
  };

  app.get('/metadata', async (_request, reply) => reply.type(FHIR_JSON).send(options.capabilityStatement()));

  app.post('/', async (request, reply) => {
    const bundle = body(request, 'Bundle') as Bundle;
    if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
      throw badRequest('Only batch and transaction bundles can be posted to the base URL', 'Bundle.type');
    }
    return reply.type(FHIR_JSON).send(await repository.processBundle(bundle, base(request)));
  });

  app.get<{ Params: Params }>('/:type', async (request, reply) => {
    const request_: SearchRequest = { resourceType: type(request), params: query(request), baseUrl: base(request) };
    return reply.type(FHIR_JSON).send(await repository.search(request_));
  });

  app.post<{ Params: Params }>('/:type/_search', async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? [...request.body] : [];
    const params = [...query(request), ...form];
    return reply.type(FHIR_JSON).send(await repository.search({ resourceType: type(request), params, baseUrl: base(request) }));
  });

  app.post<{ Params: Params }>('/:type', async (request, reply) => {
    const resourceType = type(request);
    const resource = body(request, resourceType);
    const ifNoneExist = header(request, 'if-none-exist');
    const result = await repository.create(resource, ifNoneExist ? { ifNoneExist: ifNoneExist.replace(/^.*\?/, '') } : {});
    return sendResource(request, reply, result.created ? 201 : 200, result.resource, base(request));
  });

  app.get<{ Params: Params }>('/:type/_history', async (request, reply) =>
    reply.type(FHIR_JSON).send(await repository.history(type(request), undefined, query(request), base(request))),
  );

  app.get<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const resource = await repository.read(type(request), request.params.id);
    return sendResource(request, reply, 200, resource, base(request));
  });

  app.put<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const resourceType = type(request);
    const resource = body(request, resourceType);
    if (resource.id !== request.params.id) {
      throw badRequest(`Resource id "${resource.id ?? ''}" does not match the URL id "${request.params.id}"`, `${resourceType}.id`);
    }
    const ifMatch = header(request, 'if-match')?.replace(/^W\//, '').replaceAll('"', '');
    const result = await repository.update(resource, ifMatch ? { ifMatch } : {});
    const created = result.resource.meta?.versionId === '1';
    return sendResource(request, reply, created ? 201 : 200, result.resource, base(request));
  });

  app.delete<{ Params: Params }>('/:type/:id', async (request, reply) => {
    await repository.delete(type(request), request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/:type/:id/_history', async (request, reply) =>
    reply.type(FHIR_JSON).send(await repository.history(type(request), request.params.id, query(request), base(request))),
  );

  app.get<{ Params: Params }>('/:type/:id/_history/:vid', async (request, reply) => {
    const resource = await repository.vread(type(request), request.params.id, request.params.vid);
    return sendResource(request, reply, 200, resource, base(request));
  });

  app.get<{ Params: Params }>('/:type/:id/:operation', async (request, reply) => {
    const resourceType = type(request);
    if (resourceType === 'Patient' && request.params.operation === '$everything') {
      return reply.type(FHIR_JSON).send(await repository.everything(request.params.id, base(request)));
    }
    throw new FhirError(404, outcome('error', 'not-supported', `Unknown operation "${request.params.operation}" on ${resourceType}`));
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Writes a resource with ETag, Last-Modified and Location, honouring `Prefer: return=`. */
function sendResource(request: FastifyRequest, reply: FastifyReply, status: number, resource: Resource, base: string): FastifyReply {
  const version = resource.meta?.versionId;
  if (version) reply.header('etag', `W/"${version}"`);
  if (resource.meta?.lastUpdated) reply.header('last-modified', new Date(resource.meta.lastUpdated).toUTCString());
  if (status === 201) reply.header('location', `${base}/${resource.resourceType}/${resource.id}/_history/${version}`);
  const prefer = header(request, 'prefer') ?? '';
  if (request.method !== 'GET' && /return=minimal/.test(prefer)) return reply.code(status).send();
  if (request.method !== 'GET' && /return=OperationOutcome/.test(prefer)) return sendOutcome(reply, status, allOk());
  return reply.code(status).type(FHIR_JSON).send(resource);
}
