// Enforces a SMART app's access token on the FHIR API: patient-context scopes only, reads and
// searches limited to the launch patient's compartment, and creates limited to self-measurements
// (Observation about that patient), which are tagged "self-reported" before the store sees them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { patientScopePermits, type Interaction } from './scopes.ts';
import { replyOutcome } from '@ketenlog/problem';

export const PROVENANCE_SYSTEM = 'https://ketenlog.nl/fhir/CodeSystem/provenance';
export const SELF_REPORTED = {
  system: PROVENANCE_SYSTEM,
  code: 'self-reported',
  display: 'Zelf gemeten',
} as const;

export interface SmartAccess {
  /** Space-separated granted scopes. */
  readonly scope: string;
  /** The launch patient's FHIR id. */
  readonly patient: string;
  /** When the token expires (epoch ms): a cache of this answer must not outlive it. */
  readonly expiresAt?: number;
}

export interface SmartFhirGuardOptions {
  /** The FHIR base path, e.g. '/fhir'. */
  readonly fhirPath: string;
  /** Resolves a bearer token to what it grants, or undefined (unknown, expired, revoked). */
  readonly resolveToken: (token: string) => Promise<SmartAccess | undefined>;
  /** The patient id whose compartment a stored resource is in, or undefined if there is none. */
  readonly compartmentOf: (resourceType: string, id: string) => Promise<string | undefined>;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer ([\x21-\x7e]+)$/.exec(header);
  return match?.[1];
}

function patientRef(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
}

/** Routes open to anyone (what a client needs to find the server). */
const OPEN_ROUTES = ['/metadata', '/.well-known/'];

/** The FHIR route shape below the base (`/:type/:id`), or undefined when not a FHIR route. */
function shapeOf(request: FastifyRequest, fhirPath: string): string | undefined {
  const route = request.routeOptions.url;
  if (route === undefined || (route !== fhirPath && !route.startsWith(`${fhirPath}/`))) return undefined;
  return route.slice(fhirPath.length);
}

/**
 * A hook that resolves the bearer token and judges the request with smartAccessJudge. It judges the
 * request the router matched (its route and parameters), never the raw URL.
 */
export function smartFhirGuard(options: SmartFhirGuardOptions) {
  const judge = smartAccessJudge(options);
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const shape = shapeOf(request, options.fhirPath);
    if (shape === undefined) return;
    if (OPEN_ROUTES.some((open) => shape === open || (open.endsWith('/') && shape.startsWith(open)))) return;
    const token = bearer(request);
    const access = token === undefined ? undefined : await options.resolveToken(token);
    if (!access) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return void (await replyOutcome(reply, 401, 'login', 'Geen geldig toegangstoken.'));
    }
    return judge(request, reply, access);
  };
}

/** What an app with a verified token may do on a routed FHIR request. */
export function smartAccessJudge(options: Pick<SmartFhirGuardOptions, 'fhirPath' | 'compartmentOf'>) {
  return async function judge(
    request: FastifyRequest,
    reply: FastifyReply,
    access: SmartAccess,
  ): Promise<void> {
    const shape = shapeOf(request, options.fhirPath) ?? '';
    const deny = async (text: string) => void (await replyOutcome(reply, 403, 'forbidden', text));
    const params = (request.params ?? {}) as { type?: string; id?: string };
    const resourceType = params.type;
    const id = params.id;
    const need = (interaction: Interaction) =>
      resourceType !== undefined && patientScopePermits(access.scope, resourceType, interaction);
    // The base (batch, transaction, system search), history and operations are not for apps.
    if (resourceType === undefined || !/^\/:type(\/:id)?$/.test(shape))
      return deny('Deze bewerking is voor apps niet toegestaan.');

    if ((request.method === 'GET' || request.method === 'HEAD') && id !== undefined) {
      if (!need('r')) return deny('Het token geeft geen leesrecht op dit type.');
      const owner = resourceType === 'Patient' ? id : await options.compartmentOf(resourceType, id);
      if (owner === undefined && resourceType !== 'Patient')
        return void (await replyOutcome(reply, 404, 'not-found', 'Niet gevonden.'));
      if (owner !== access.patient) return deny('Dit gegeven hoort niet bij de patiënt van deze app.');
      return;
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (!need('s')) return deny('Het token geeft geen zoekrecht op dit type.');
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const named =
        resourceType === 'Patient'
          ? [query.get('_id')]
          : [patientRef(query.get('patient')), patientRef(query.get('subject'))];
      if (!named.includes(access.patient))
        return deny('Zoeken kan alleen binnen de eigen gegevens van de patiënt (patient=...).');
      for (const [key, value] of query) {
        if ((key === 'patient' || key === 'subject' || key === '_id') && patientRef(value) !== access.patient)
          return deny('Zoeken kan alleen binnen de eigen gegevens van de patiënt.');
      }
      return;
    }
    if (request.method === 'POST' && id === undefined) {
      if (resourceType !== 'Observation' || !need('c'))
        return deny('Een app mag alleen eigen metingen (Observation) toevoegen.');
      const body = request.body as Record<string, unknown> | undefined;
      const subject = body?.['subject'] as { reference?: unknown } | undefined;
      if (body?.['resourceType'] !== 'Observation' || patientRef(subject?.reference) !== access.patient)
        return deny('Een meting moet over de patiënt van deze app gaan.');
      const meta = (body['meta'] as Record<string, unknown> | undefined) ?? {};
      const tags = Array.isArray(meta['tag']) ? (meta['tag'] as unknown[]) : [];
      const others = tags.filter((tag) => (tag as { system?: unknown } | null)?.system !== PROVENANCE_SYSTEM);
      body['meta'] = { ...meta, tag: [...others, SELF_REPORTED] };
      return;
    }
    return deny('Deze bewerking is voor apps niet toegestaan.');
  };
}
