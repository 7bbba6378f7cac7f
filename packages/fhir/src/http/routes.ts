import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  Bundle,
  BundleEntry,
  CapabilityStatement,
  OperationOutcome,
  Parameters,
  Resource,
} from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import type { FhirRepository, SearchRequest } from '../repository/repository.ts';
import { parseShape, shapeResource } from '../search/subset.ts';
import { parseFhirXml } from '../xml/parse-fhir-xml.ts';
import { serializeFhirXml } from '../xml/serialize-fhir-xml.ts';
import { allOk, badRequest, FHIR_JSON, ProblemError, notFound, outcome, sendOutcome } from '../outcome.ts';
import { FHIR_XML, negotiateFormat, type FhirFormat } from './content.ts';

export interface FhirRoutesOptions {
  repository: FhirRepository;
  /** Throws a ProblemError (400) when a resource is not valid R4. Runs before every write. */
  validate: (resource: unknown) => void;
  isResourceType: (type: string) => boolean;
  capabilityStatement: () => CapabilityStatement;
  /** Public base URL of /fhir; derived from the request's Host when absent. */
  baseUrl?: string;
  /** The R4 definitions: with them the routes also read and write FHIR XML. */
  definitions?: FhirDefinitions;
}

type Params = { type: string; id: string; vid: string; operation: string };

/** Answer formats per request, chosen before the handler runs (content negotiation). */
const formats = new WeakMap<FastifyRequest, FhirFormat | 'raw'>();

/**
 * FHIR R4 RESTful API (http://hl7.org/fhir/R4/http.html), every route over one FhirRepository.
 * Each route's params name what it acts on (type, id, operation, compartment), so a guard can
 * judge a request by `classifyFhirRequest` before it is handled.
 */
export async function fhirRoutes(app: FastifyInstance, options: FhirRoutesOptions): Promise<void> {
  const { repository, validate, definitions } = options;
  const base = (request: FastifyRequest): string =>
    options.baseUrl ?? `${request.protocol}://${request.headers.host ?? request.hostname}/fhir`;
  const resourceTypeOf = (t: string | undefined): string => {
    if (!t || !options.isResourceType(t)) throw notFound(`Unknown resource type "${t ?? ''}"`);
    return t;
  };
  const type = (request: FastifyRequest<{ Params: Partial<Params> }>): string =>
    resourceTypeOf(request.params.type);
  const body = (request: FastifyRequest, expectedType?: string): Resource => {
    const resource = request.body as Resource | undefined;
    if (
      !resource ||
      typeof resource !== 'object' ||
      Array.isArray(resource) ||
      resource instanceof URLSearchParams
    ) {
      throw badRequest('The request body must be a FHIR resource (a JSON or XML object)');
    }
    if (typeof resource.resourceType !== 'string')
      throw badRequest('The resource has no resourceType (a string naming its type)', 'resourceType');
    if (expectedType && resource.resourceType !== expectedType) {
      throw badRequest(
        `resourceType "${resource.resourceType}" does not match the URL type "${expectedType}"`,
        'resourceType',
      );
    }
    validate(resource);
    return resource;
  };
  const searchRequest = (
    request: FastifyRequest,
    resourceType: string,
    extra: Array<[string, string]> = [],
  ): SearchRequest => ({
    resourceType,
    params: [...query(request), ...extra],
    baseUrl: base(request),
    ...(/handling=lenient/.test(header(request, 'prefer') ?? '') ? { lenient: true } : {}),
  });

  if (definitions) {
    app.addContentTypeParser(
      ['application/fhir+xml', 'application/xml', 'text/xml'],
      { parseAs: 'string' },
      (_request, text, done) => {
        try {
          done(null, parseFhirXml(text as string, definitions));
        } catch (error) {
          done(error as Error, undefined);
        }
      },
    );
  }

  // A Binary is written as its own content (R4 binary.html#rest): any other media type on
  // POST Binary or PUT Binary/{id} becomes the Binary's data; elsewhere it stays refused (415).
  app.removeContentTypeParser('*');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, data, done) => {
    const params = request.params as Partial<Params>;
    const contentType = request.headers['content-type'] ?? 'application/octet-stream';
    if (
      params.type !== 'Binary' ||
      params.operation !== undefined ||
      (request.method === 'PUT') !== (params.id !== undefined)
    ) {
      done(
        new ProblemError(
          415,
          outcome(
            'error',
            'not-supported',
            `Unsupported content type "${contentType}"; use application/fhir+json or application/fhir+xml`,
          ),
        ),
        undefined,
      );
      return;
    }
    done(null, {
      resourceType: 'Binary',
      ...(params.id !== undefined ? { id: params.id } : {}),
      contentType: contentType.split(';')[0]!.trim(),
      data: (data as Buffer).toString('base64'),
    });
  });

  app.addHook('onRequest', async (request) => {
    const format = query(request).find(([name]) => name === '_format')?.[1];
    try {
      const chosen = negotiateFormat(header(request, 'accept'), format);
      if (chosen === 'xml' && !definitions)
        throw new ProblemError(
          406,
          outcome('error', 'not-supported', 'XML is not served here; use application/fhir+json'),
        );
      formats.set(request, chosen);
    } catch (error) {
      // A Binary is read as its own content type when the client asks for that (R4 binary.html#rest).
      const p = request.params as Partial<Params> | undefined;
      const binaryRead =
        request.method === 'GET' && /\/Binary\/[^/?]+(\?|$)/.test(request.url) && !p?.operation;
      if (!binaryRead) throw error;
      formats.set(request, 'raw');
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (formats.get(request) !== 'xml' || !definitions || typeof payload !== 'string' || payload === '')
      return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/fhir+json')) return payload;
    reply.header('content-type', FHIR_XML);
    return serializeFhirXml(JSON.parse(payload) as Resource, definitions);
  });

  app.get('/metadata', async (request, reply) => {
    const statement = options.capabilityStatement();
    // cpb-14: an instance statement says which server it describes.
    const complete: CapabilityStatement = statement.implementation?.url
      ? statement
      : {
          ...statement,
          implementation: {
            description: 'Ketenlog FHIR store',
            ...statement.implementation,
            url: base(request),
          },
        };
    return reply.type(FHIR_JSON).send(shapeResource(complete, parseShape(query(request))));
  });

  // System level: batch/transaction, search, history (R4 §3.1.0.9, §3.1.0.11, §3.1.0.12).
  app.post('/', async (request, reply) => {
    const bundle = body(request, 'Bundle') as Bundle;
    if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
      throw badRequest('Only batch and transaction bundles can be posted to the base URL', 'Bundle.type');
    }
    return reply.type(FHIR_JSON).send(await processBundle(bundle, base(request)));
  });
  /**
   * A bundle's `GET metadata` entries are answered here, where the CapabilityStatement is known;
   * the others go to the repository, and what it says about an entry names the entry's place in
   * the bundle as posted.
   */
  const processBundle = async (bundle: Bundle, baseUrl: string): Promise<Bundle> => {
    const entries = bundle.entry ?? [];
    const isMetadata = (e: BundleEntry): boolean =>
      e.request?.method === 'GET' &&
      /^\/?metadata(\?|$)/.test((e.request.url ?? '').replace(`${baseUrl}/`, ''));
    if (!entries.some(isMetadata)) return repository.processBundle(bundle, baseUrl);
    const posted = entries.flatMap((e, i) => (isMetadata(e) ? [] : [i]));
    const renumber = (text: string | undefined): string | undefined =>
      text?.replace(/^Bundle\.entry\[(\d+)\]/, (_, k: string) => `Bundle.entry[${posted[Number(k)] ?? k}]`);
    let rest: Bundle;
    try {
      rest = await repository.processBundle({ ...bundle, entry: posted.map((i) => entries[i]!) }, baseUrl);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      const issue = error.outcome.issue?.map((i) => ({ ...i, diagnostics: renumber(i.diagnostics) }));
      throw new ProblemError(error.status, { ...error.outcome, ...(issue ? { issue } : {}) });
    }
    const answers = [...(rest.entry ?? [])];
    const statement = options.capabilityStatement();
    const entry = entries.map((e): BundleEntry => {
      if (isMetadata(e)) return { resource: statement, response: { status: '200 OK' } };
      const answer = answers.shift() ?? {};
      const said = answer.response?.outcome as OperationOutcome | undefined;
      if (!said?.issue) return answer;
      const issue = said.issue.map((i) => ({ ...i, diagnostics: renumber(i.diagnostics) }));
      return { ...answer, response: { ...answer.response!, outcome: { ...said, issue } } };
    });
    return { ...rest, entry };
  };

  app.get('/', async (request, reply) =>
    reply.type(FHIR_JSON).send(await repository.search(searchRequest(request, ''))),
  );
  app.post('/_search', async (request, reply) =>
    reply.type(FHIR_JSON).send(await repository.search(searchRequest(request, '', formParams(request)))),
  );
  app.get('/_history', async (request, reply) =>
    reply.type(FHIR_JSON).send(await repository.history(undefined, undefined, query(request), base(request))),
  );

  app.get<{ Params: Params }>('/:type', async (request, reply) => {
    if (request.params.type === '$versions') return reply.type(FHIR_JSON).send(versions());
    return reply.type(FHIR_JSON).send(await repository.search(searchRequest(request, type(request))));
  });

  app.post<{ Params: Params }>('/:type/_search', async (request, reply) =>
    reply
      .type(FHIR_JSON)
      .send(await repository.search(searchRequest(request, type(request), formParams(request)))),
  );

  app.post<{ Params: Params }>('/:type', async (request, reply) => {
    const resourceType = type(request);
    const resource = body(request, resourceType);
    const ifNoneExist = header(request, 'if-none-exist');
    const result = await repository.create(
      resource,
      ifNoneExist ? { ifNoneExist: ifNoneExist.replace(/^.*\?/, '') } : {},
    );
    return sendResource(request, reply, result.created ? 201 : 200, result.resource, base(request));
  });

  // Conditional update and delete (R4 §3.1.0.4.3, §3.1.0.7.1): one-entry transactions, so the
  // search and the write are atomic and behave exactly as they do inside a transaction bundle.
  app.put<{ Params: Params }>('/:type', async (request, reply) => {
    const resourceType = type(request);
    const search = conditionalQuery(request);
    const resource = body(request, resourceType);
    const entry = await conditional(request, {
      request: { method: 'PUT', url: `${resourceType}?${search}` },
      resource,
    });
    const status = Number(entry.response?.status.slice(0, 3));
    return sendResource(request, reply, status, entry.resource as Resource, base(request));
  });
  app.delete<{ Params: Params }>('/:type', async (request, reply) => {
    const resourceType = type(request);
    const search = conditionalQuery(request);
    await conditional(request, { request: { method: 'DELETE', url: `${resourceType}?${search}` } });
    return reply.code(204).send();
  });
  const conditional = async (request: FastifyRequest, entry: BundleEntry): Promise<BundleEntry> => {
    const response = await repository.processBundle(
      { resourceType: 'Bundle', type: 'transaction', entry: [entry] },
      base(request),
    );
    return response.entry?.[0] ?? {};
  };

  app.get<{ Params: Params }>('/:type/_history', async (request, reply) =>
    reply
      .type(FHIR_JSON)
      .send(await repository.history(type(request), undefined, query(request), base(request))),
  );

  // `[type]/$operation` at type level (e.g. Patient/$everything over all patients): none is supported.
  const typeOperation = (request: FastifyRequest<{ Params: Params }>): never => {
    throw new ProblemError(
      404,
      outcome(
        'error',
        'not-supported',
        `Operation "${request.params.id}" is not supported on ${type(request)}`,
      ),
    );
  };
  app.post<{ Params: Params }>('/:type/:id', async (request) => typeOperation(request));

  app.get<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const resourceType = type(request);
    if (request.params.id.startsWith('$')) return typeOperation(request);
    const resource = await repository.read(resourceType, request.params.id);
    if (notModified(request, resource)) return reply.code(304).send();
    if (formats.get(request) === 'raw' && resource.resourceType === 'Binary') {
      const { contentType, data } = resource as { contentType?: string; data?: string };
      return reply
        .code(200)
        .type(contentType ?? 'application/octet-stream')
        .send(Buffer.from(data ?? '', 'base64'));
    }
    const shaped = shapeResource(resource, parseShape(query(request)));
    return sendResource(request, reply, 200, shaped, base(request));
  });

  app.put<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const resourceType = type(request);
    const resource = body(request, resourceType);
    if (resource.id !== request.params.id) {
      throw badRequest(
        `Resource id "${resource.id ?? ''}" does not match the URL id "${request.params.id}"`,
        `${resourceType}.id`,
      );
    }
    const ifMatch = header(request, 'if-match')?.replace(/^W\//, '').replaceAll('"', '');
    const ifNoneMatch = header(request, 'if-none-match')?.trim();
    if (ifNoneMatch !== undefined && ifNoneMatch !== '*')
      throw badRequest('On an update, If-None-Match takes only "*" (create only if new)');
    const result = await repository.update(resource, {
      ...(ifMatch ? { ifMatch } : {}),
      ...(ifNoneMatch ? { ifNoneMatch: true } : {}),
    });
    const created = result.created && result.resource.meta?.versionId === '1';
    return sendResource(request, reply, created ? 201 : 200, result.resource, base(request));
  });

  app.patch<{ Params: Params }>('/:type/:id', async (request) => {
    type(request);
    throw new ProblemError(
      405,
      outcome('error', 'not-supported', 'patch is not supported; use update (PUT)'),
    );
  });

  app.delete<{ Params: Params }>('/:type/:id', async (request, reply) => {
    await repository.delete(type(request), request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/:type/:id/_history', async (request, reply) =>
    reply
      .type(FHIR_JSON)
      .send(await repository.history(type(request), request.params.id, query(request), base(request))),
  );

  app.get<{ Params: Params }>('/:type/:id/_history/:vid', async (request, reply) => {
    const resource = await repository.vread(type(request), request.params.id, request.params.vid);
    if (notModified(request, resource)) return reply.code(304).send();
    const shaped = shapeResource(resource, parseShape(query(request)));
    return sendResource(request, reply, 200, shaped, base(request));
  });

  const operation = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const resourceType = type(request);
    const { id, operation: name } = request.params;
    if (!name.startsWith('$')) {
      // Compartment search (R4 §3.1.0.9): GET Patient/{id}/Observation?…
      if (request.method !== 'GET')
        throw notFound(`No route for ${request.method} ${resourceType}/${id}/${name}`);
      const searched = name === '*' ? '' : resourceTypeOf(name);
      const search = { ...searchRequest(request, searched), compartment: { type: resourceType, id } };
      return reply.type(FHIR_JSON).send(await repository.search(search));
    }
    if (resourceType === 'Patient' && name === '$everything') {
      const params = [...query(request), ...operationParams(request)];
      return reply.type(FHIR_JSON).send(await repository.everything(id, base(request), params));
    }
    throw new ProblemError(
      404,
      outcome('error', 'not-supported', `Unknown operation "${name}" on ${resourceType}`),
    );
  };
  app.get<{ Params: Params }>('/:type/:id/:operation', operation);
  app.post<{ Params: Params }>('/:type/:id/:operation', operation);
}

/** `$versions` (R4 capabilitystatement-operation-versions): the one FHIR version served. */
function versions(): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'version', valueCode: '4.0' },
      { name: 'default', valueCode: '4.0' },
    ],
  };
}

function query(request: FastifyRequest): Array<[string, string]> {
  const q = request.url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1))];
}

function formParams(request: FastifyRequest): Array<[string, string]> {
  return request.body instanceof URLSearchParams ? [...request.body] : [];
}

/** Parameters of a POSTed operation: a Parameters resource's simple values, as name/value pairs. */
function operationParams(request: FastifyRequest): Array<[string, string]> {
  if (request.method !== 'POST') return [];
  if (request.body instanceof URLSearchParams) return [...request.body];
  const parameters = request.body as Parameters | undefined;
  if (parameters?.resourceType !== 'Parameters')
    throw badRequest('An operation is posted a Parameters resource');
  return (parameters.parameter ?? []).flatMap((p) => {
    const value = Object.entries(p).find(([key]) => key.startsWith('value'))?.[1];
    return value === undefined ? [] : [[p.name, String(value)] as [string, string]];
  });
}

/** The search of a conditional update or delete: it must narrow the type by some criterion. */
function conditionalQuery(request: FastifyRequest): string {
  const search = new URLSearchParams(query(request).filter(([name]) => name !== '_format')).toString();
  if (!search) throw badRequest('A conditional update or delete needs search criteria ([type]?[search])');
  return search;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Conditional read (R4 §3.1.0.2.1): If-None-Match with the current ETag, or If-Modified-Since. */
function notModified(request: FastifyRequest, resource: Resource): boolean {
  const etag = header(request, 'if-none-match');
  const version = resource.meta?.versionId;
  if (etag && version)
    return etag.split(',').some((t) => t.trim().replace(/^W\//, '').replaceAll('"', '') === version);
  const since = header(request, 'if-modified-since');
  const updated = resource.meta?.lastUpdated;
  if (since && updated) {
    const at = Date.parse(since);
    return !Number.isNaN(at) && Math.floor(Date.parse(updated) / 1000) * 1000 <= at;
  }
  return false;
}

/** Writes a resource with ETag, Last-Modified and Location, honouring `Prefer: return=`. */
function sendResource(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  resource: Resource,
  base: string,
): FastifyReply {
  const version = resource.meta?.versionId;
  if (version) reply.header('etag', `W/"${version}"`);
  if (resource.meta?.lastUpdated)
    reply.header('last-modified', new Date(resource.meta.lastUpdated).toUTCString());
  if (status === 201)
    reply.header('location', `${base}/${resource.resourceType}/${resource.id}/_history/${version}`);
  const prefer = header(request, 'prefer') ?? '';
  if (request.method !== 'GET' && /return=minimal/.test(prefer)) return reply.code(status).send();
  if (request.method !== 'GET' && /return=OperationOutcome/.test(prefer))
    return sendOutcome(reply, status, allOk());
  return reply.code(status).type(FHIR_JSON).send(resource);
}
