// What a routed FHIR request does (http://hl7.org/fhir/R4/http.html), read from the route the
// router matched and its parameters — never from the raw URL — so the access decision is about
// exactly the request the FHIR routes will serve. A route this table does not know is `other`,
// which every scoped caller is refused (default deny).

export type FhirInteraction =
  | { readonly kind: 'capabilities' }
  | { readonly kind: 'discovery' }
  | { readonly kind: 'read'; readonly type: string; readonly id: string }
  | { readonly kind: 'vread'; readonly type: string; readonly id: string }
  | { readonly kind: 'search-type'; readonly type: string }
  | { readonly kind: 'search-system' }
  | { readonly kind: 'search-compartment'; readonly type: string; readonly id: string; readonly of: string }
  | { readonly kind: 'history-instance'; readonly type: string; readonly id: string }
  | { readonly kind: 'history-type'; readonly type: string }
  | { readonly kind: 'history-system' }
  | { readonly kind: 'create'; readonly type: string }
  | { readonly kind: 'update'; readonly type: string; readonly id: string }
  | { readonly kind: 'patch'; readonly type: string; readonly id: string }
  | { readonly kind: 'delete'; readonly type: string; readonly id: string }
  | { readonly kind: 'conditional-write'; readonly type: string }
  | { readonly kind: 'batch-or-transaction' }
  | { readonly kind: 'operation'; readonly name: string; readonly type?: string; readonly id?: string }
  | { readonly kind: 'other' };

/** Interactions that only read. */
export const READ_INTERACTIONS: ReadonlySet<FhirInteraction['kind']> = new Set([
  'capabilities',
  'discovery',
  'read',
  'vread',
  'search-type',
  'search-system',
  'search-compartment',
  'history-instance',
  'history-type',
  'history-system',
]);

type Params = Readonly<Record<string, string | undefined>>;

/**
 * The interaction of a request the router matched to `route` (Fastify's routeOptions.url, e.g.
 * `/fhir/:type/:id`) under the FHIR base `fhirPath`, or undefined when the route is not a FHIR route.
 */
export function fhirInteraction(
  fhirPath: string,
  method: string,
  route: string | undefined,
  params: Params,
): FhirInteraction | undefined {
  if (route === undefined || (route !== fhirPath && !route.startsWith(`${fhirPath}/`))) return undefined;
  const shape = route.slice(fhirPath.length).replace(/\/$/, '');
  const verb = method === 'HEAD' ? 'GET' : method;
  const type = params['type'] ?? '';
  const id = params['id'] ?? '';
  switch (`${verb} ${shape}`) {
    case 'GET /metadata':
      return { kind: 'capabilities' };
    case 'GET ':
      return { kind: 'search-system' };
    case 'POST ':
      return { kind: 'batch-or-transaction' };
    case 'GET /_history':
      return { kind: 'history-system' };
    case 'GET /:type':
    case 'POST /:type/_search':
      return { kind: 'search-type', type };
    case 'POST /:type':
      return { kind: 'create', type };
    case 'PUT /:type':
    case 'PATCH /:type':
    case 'DELETE /:type':
      return { kind: 'conditional-write', type };
    case 'GET /:type/_history':
      return { kind: 'history-type', type };
    case 'GET /:type/:id':
      return { kind: 'read', type, id };
    case 'PUT /:type/:id':
      return { kind: 'update', type, id };
    case 'PATCH /:type/:id':
      return { kind: 'patch', type, id };
    case 'DELETE /:type/:id':
      return { kind: 'delete', type, id };
    case 'GET /:type/:id/_history':
      return { kind: 'history-instance', type, id };
    case 'GET /:type/:id/_history/:vid':
      return { kind: 'vread', type, id };
    case 'GET /:type/:id/:operation':
    case 'POST /:type/:id/:operation': {
      const name = params['operation'] ?? '';
      if (name.startsWith('$')) return { kind: 'operation', name, type, id };
      return verb === 'GET' ? { kind: 'search-compartment', type, id, of: name } : { kind: 'other' };
    }
  }
  if (shape.startsWith('/.well-known/')) return { kind: 'discovery' };
  return { kind: 'other' };
}
