/**
 * What a routed FHIR request asks for, judged from the route that matched (Fastify's
 * `request.routeOptions.url`) and its params alone, so an access guard can decide before the
 * handler runs. The interaction codes are R4's (http://hl7.org/fhir/R4/http.html), plus
 * `operation` (`$everything`, `$versions`) and `capabilities` (`GET metadata`).
 */
export type FhirInteraction =
  | 'read'
  | 'vread'
  | 'search-type'
  | 'search-system'
  | 'history-instance'
  | 'history-type'
  | 'history-system'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'batch'
  | 'transaction'
  | 'operation'
  | 'capabilities';

export interface FhirRequestClass {
  interaction: FhirInteraction;
  /** The type the interaction acts on (for a compartment search: the type searched). */
  resourceType?: string;
  id?: string;
  versionId?: string;
  /** For `operation`: its name without `$`, e.g. `everything`. */
  operation?: string;
  /** Compartment search `Patient/{id}/Observation`: the compartment. */
  compartment?: { type: string; id: string };
  /** Conditional update or delete (`PUT/DELETE [type]?search`): the target is found by search. */
  conditional?: boolean;
}

type RouteParams = Partial<Record<'type' | 'id' | 'vid' | 'operation', string>>;

/**
 * Classifies a request to the FHIR routes. `routeUrl` is the matched route (`/fhir/:type/:id`),
 * `prefix` where the routes are mounted. For `POST [base]` the Bundle's `type` tells batch from
 * transaction; without a body it is classified as `transaction` (the stricter of the two).
 * Undefined for a route that is not a FHIR route.
 */
export function classifyFhirRequest(input: {
  method: string;
  routeUrl: string | undefined;
  params: unknown;
  body?: unknown;
  prefix?: string;
}): FhirRequestClass | undefined {
  const prefix = input.prefix ?? '/fhir';
  if (input.routeUrl === undefined || !input.routeUrl.startsWith(prefix)) return undefined;
  const route = input.routeUrl.slice(prefix.length).replace(/\/$/, '') || '/';
  const p = (input.params ?? {}) as RouteParams;
  // HEAD is GET without the body (Fastify answers it from the GET route).
  const method = input.method.toUpperCase() === 'HEAD' ? 'GET' : input.method.toUpperCase();
  const { type, id } = p;
  const op = (name: string | undefined) => (name?.startsWith('$') ? name.slice(1) : undefined);
  switch (`${method} ${route}`) {
    case 'GET /metadata':
      return { interaction: 'capabilities' };
    case 'GET /':
    case 'POST /_search':
      return { interaction: 'search-system' };
    case 'POST /': {
      const bundleType = (input.body as { type?: unknown } | undefined)?.type;
      return { interaction: bundleType === 'batch' ? 'batch' : 'transaction' };
    }
    case 'GET /_history':
      return { interaction: 'history-system' };
    case 'GET /:type':
    case 'POST /:type':
      if (op(type)) return { interaction: 'operation', operation: op(type) };
      return { interaction: method === 'GET' ? 'search-type' : 'create', resourceType: type };
    case 'PUT /:type':
      return { interaction: 'update', resourceType: type, conditional: true };
    case 'DELETE /:type':
      return { interaction: 'delete', resourceType: type, conditional: true };
    case 'POST /:type/_search':
      return { interaction: 'search-type', resourceType: type };
    case 'GET /:type/_history':
      return { interaction: 'history-type', resourceType: type };
    case 'GET /:type/:id':
    case 'POST /:type/:id':
      if (op(id)) return { interaction: 'operation', resourceType: type, operation: op(id) };
      return method === 'GET' ? { interaction: 'read', resourceType: type, id } : undefined;
    case 'PUT /:type/:id':
      return { interaction: 'update', resourceType: type, id };
    case 'PATCH /:type/:id':
      return { interaction: 'patch', resourceType: type, id };
    case 'DELETE /:type/:id':
      return { interaction: 'delete', resourceType: type, id };
    case 'GET /:type/:id/_history':
      return { interaction: 'history-instance', resourceType: type, id };
    case 'GET /:type/:id/_history/:vid':
      return { interaction: 'vread', resourceType: type, id, versionId: p.vid };
    case 'GET /:type/:id/:operation':
    case 'POST /:type/:id/:operation':
      if (op(p.operation))
        return { interaction: 'operation', resourceType: type, id, operation: op(p.operation) };
      // `Patient/{id}/*`: every type in the compartment.
      if (method === 'GET' && type && id && p.operation === '*')
        return { interaction: 'search-system', compartment: { type, id } };
      return method === 'GET' && type && id
        ? { interaction: 'search-type', resourceType: p.operation, compartment: { type, id } }
        : undefined;
    default:
      return undefined;
  }
}
