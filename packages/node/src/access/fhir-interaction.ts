import { classifyFhirRequest } from '@ketenlog/fhir';

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
 * `/fhir/:type/:id`) under the FHIR base `fhirPath`, or undefined when the route is not a FHIR
 * route. The FHIR package's own classification (classifyFhirRequest) reads the route; this shapes
 * it for the access decision.
 */
export function fhirInteraction(
  fhirPath: string,
  method: string,
  route: string | undefined,
  params: Params,
): FhirInteraction | undefined {
  if (route === undefined || (route !== fhirPath && !route.startsWith(`${fhirPath}/`))) return undefined;
  if (route.startsWith(`${fhirPath}/.well-known/`)) return { kind: 'discovery' };
  const c = classifyFhirRequest({ method, routeUrl: route, params, prefix: fhirPath });
  if (!c) return { kind: 'other' };
  const type = c.resourceType ?? '';
  const id = c.id ?? '';
  switch (c.interaction) {
    case 'capabilities':
      return { kind: 'capabilities' };
    case 'read':
    case 'vread':
    case 'history-instance':
    case 'patch':
      return { kind: c.interaction, type, id };
    case 'update':
    case 'delete':
      return c.conditional ? { kind: 'conditional-write', type } : { kind: c.interaction, type, id };
    case 'create':
    case 'history-type':
      return { kind: c.interaction, type };
    case 'search-type':
      return c.compartment
        ? { kind: 'search-compartment', type: c.compartment.type, id: c.compartment.id, of: type }
        : { kind: 'search-type', type };
    case 'search-system':
      return c.compartment
        ? { kind: 'search-compartment', type: c.compartment.type, id: c.compartment.id, of: '*' }
        : { kind: 'search-system' };
    case 'history-system':
      return { kind: 'history-system' };
    case 'batch':
    case 'transaction':
      return { kind: 'batch-or-transaction' };
    case 'operation':
      return {
        kind: 'operation',
        name: `$${c.operation ?? ''}`,
        ...(c.resourceType ? { type: c.resourceType } : {}),
        ...(c.id ? { id: c.id } : {}),
      };
  }
}
