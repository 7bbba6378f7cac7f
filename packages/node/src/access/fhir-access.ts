// The one place that decides who may do what on the node's FHIR API. Before any handler runs
// (onRequest: after routing, before every preHandler of every module, whatever their order), it
// classifies the routed request (fhir-interaction.ts), resolves exactly one verified caller
// (fhir-caller.ts) and applies the default-deny table below. What a caller may then see in detail
// is decided by the module of its kind, reading `request.fhirAccess` — never the raw headers or URL:
// - a member's node token: the holder guard, by the client's consents (packages/exchange/src/member/holder.ts);
// - a SMART app: its scopes, in its patient's compartment (auth smart/fhir-guard.ts);
// - a client or her representative: her compartment (auth/client-fhir-scope.ts, client-diary.ts);
// - a professional of this organisation, an organisation system with write scope, a trusted
//   network: the organisation's own API.
// For the scoped callers (app, client, representative) every resource in the answer must lie in
// her compartment: enforced on the answer itself, so no `_include`, `_revinclude`, `:iterate`,
// chain or operation can carry another person's data out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { parseResourceScope, type Interaction } from '@ketenlog/auth';
import { patientOf, PSEUDONYM_SYSTEM } from '@ketenlog/exchange';
import { resolveFhirCaller, type CredentialResolvers, type FhirCaller } from './fhir-caller.ts';
import { fhirInteraction, READ_INTERACTIONS, type FhirInteraction } from './fhir-interaction.ts';
import { outcome, replyOutcome } from '@ketenlog/problem';

export interface FhirAccess {
  readonly caller: FhirCaller;
  readonly interaction: FhirInteraction;
  /**
   * For a scoped caller: whose records she may see — her Patient id at this organisation (none
   * when she has no record here) and her region pseudonym (a client's consents name her by it).
   */
  readonly compartment?: { readonly patient?: string; readonly subject?: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every request routed to the FHIR API that passed the access decision. */
    fhirAccess?: FhirAccess;
  }
}

export interface FhirAccessOptions {
  readonly fhirPath: string;
  readonly resolvers: CredentialResolvers;
  /** A client's Patient id at this organisation, by her holder identity (her pseudonym). */
  readonly patientOfHolder?: (holder: string) => Promise<string | undefined>;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly text: string };

const OK: Verdict = { ok: true };
const deny = (text: string): Verdict => ({ ok: false, text });
const OPEN: ReadonlySet<FhirInteraction['kind']> = new Set(['capabilities', 'discovery']);

/** Resource types that describe no one's health: an answer to a scoped caller may carry them. */
const SHARED_TYPES: ReadonlySet<string> = new Set([
  'Organization',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'HealthcareService',
  'Endpoint',
  'Medication',
  'Substance',
]);

function systemPermits(scope: string, interaction: FhirInteraction): boolean {
  const type = 'type' in interaction && interaction.type ? interaction.type : '*';
  const letters: Interaction[] = READ_INTERACTIONS.has(interaction.kind)
    ? ['r', 's']
    : interaction.kind === 'batch-or-transaction' || interaction.kind === 'operation'
      ? ['c', 'r', 'u', 'd', 's']
      : interaction.kind === 'create'
        ? ['c']
        : interaction.kind === 'delete'
          ? ['d']
          : interaction.kind === 'conditional-write'
            ? ['u', 'd']
            : ['u'];
  const granted = scope.split(' ').map(parseResourceScope);
  return letters.every((letter) =>
    granted.some(
      (s) =>
        s !== undefined &&
        s.context === 'system' &&
        (s.resourceType === '*' || s.resourceType === type) &&
        s.interactions.has(letter),
    ),
  );
}

/** Whether this kind of caller may make this kind of request at all (the details come after). */
export function mayCall(caller: FhirCaller, interaction: FhirInteraction): Verdict {
  const kind = interaction.kind;
  const everythingOfPatient =
    kind === 'operation' && interaction.name === '$everything' && interaction.type === 'Patient';
  switch (caller.kind) {
    case 'professional':
    case 'trusted-network':
      return OK;
    case 'system':
      return systemPermits(caller.access.scope, interaction)
        ? OK
        : deny('Het token van dit systeem geeft geen recht op deze bewerking.');
    case 'node':
      return ['read', 'vread', 'search-type', 'history-instance', 'history-type'].includes(kind) ||
        everythingOfPatient
        ? OK
        : deny('Een ander knooppunt mag hier alleen gegevens van één cliënt lezen.');
    case 'app':
      return ['read', 'vread', 'search-type', 'create'].includes(kind)
        ? OK
        : deny('Deze bewerking is voor apps niet toegestaan.');
    case 'client':
    case 'representative':
      return ['read', 'vread', 'search-type', 'history-instance'].includes(kind) ||
        everythingOfPatient ||
        (caller.kind === 'client' && kind === 'create')
        ? OK
        : deny('Als cliënt ziet u hier alleen uw eigen gegevens.');
  }
}

const isScoped = (caller: FhirCaller): boolean =>
  caller.kind === 'app' || caller.kind === 'client' || caller.kind === 'representative';

/** Whether a resource lies inside her compartment (or describes no one's health). */
export function inCompartment(
  resource: Resource,
  compartment: NonNullable<FhirAccess['compartment']>,
): boolean {
  if (resource.resourceType === 'OperationOutcome') return true;
  if (SHARED_TYPES.has(resource.resourceType)) return true;
  if (compartment.patient !== undefined && patientOf(resource) === compartment.patient) return true;
  // Her consents as the register states them name her by pseudonym.
  const identifier = (resource as { patient?: { identifier?: { system?: string; value?: string } } }).patient
    ?.identifier;
  return (
    compartment.subject !== undefined &&
    resource.resourceType === 'Consent' &&
    identifier?.system === PSEUDONYM_SYSTEM &&
    identifier.value === compartment.subject
  );
}

/** The answer with everything outside her compartment removed; undefined when nothing is left of a read. */
export function withinCompartment(
  payload: Resource,
  compartment: NonNullable<FhirAccess['compartment']>,
): Resource | undefined {
  if (payload.resourceType !== 'Bundle') return inCompartment(payload, compartment) ? payload : undefined;
  const bundle = payload as Bundle;
  const entry = (bundle.entry ?? []).filter((e) => e.resource && inCompartment(e.resource, compartment));
  if (entry.length === (bundle.entry ?? []).length) return payload;
  // Something was left out: counts and paging would describe what she may not see.
  const { total: _total, link: _link, ...rest } = bundle;
  return { ...rest, entry };
}

async function compartmentOf(
  caller: FhirCaller,
  patientOfHolder: FhirAccessOptions['patientOfHolder'],
): Promise<FhirAccess['compartment']> {
  switch (caller.kind) {
    case 'app':
      return { patient: caller.access.patient };
    case 'client':
    case 'representative': {
      const subject = caller.kind === 'client' ? caller.holder : caller.client;
      const patient = await patientOfHolder?.(subject);
      return patient === undefined ? { subject } : { patient, subject };
    }
    default:
      return undefined;
  }
}

function refuse(reply: FastifyReply, status: 401 | 403, text: string, invalidToken?: boolean) {
  if (status === 401)
    reply.header('www-authenticate', invalidToken ? 'Bearer error="invalid_token"' : 'Bearer');
  return replyOutcome(reply, status, status === 401 ? 'login' : 'forbidden', text);
}

/** Registers the access decision; must be registered before the FHIR routes. */
export function registerFhirAccess(app: FastifyInstance, options: FhirAccessOptions): void {
  const guarded = new WeakSet<FastifyRequest>();

  app.addHook('onRequest', async (request, reply) => {
    const interaction = fhirInteraction(
      options.fhirPath,
      request.method,
      request.routeOptions.url,
      (request.params ?? {}) as Record<string, string | undefined>,
    );
    if (interaction === undefined || OPEN.has(interaction.kind)) return;
    const result = await resolveFhirCaller(request, options.resolvers);
    if (!result.ok) return refuse(reply, result.status, result.text, result.invalidToken);
    const verdict = mayCall(result.caller, interaction);
    if (!verdict.ok) return refuse(reply, 403, verdict.text);
    if (result.caller.kind === 'node') request.nodeCaller = result.caller.node;
    const compartment = await compartmentOf(result.caller, options.patientOfHolder);
    request.fhirAccess = { caller: result.caller, interaction, ...(compartment ? { compartment } : {}) };
  });

  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    const access = request.fhirAccess;
    if (!access?.compartment || !isScoped(access.caller)) return payload;
    guarded.add(request);
    const resource = payload as Resource | undefined;
    if (!resource?.resourceType) return payload;
    const kept = withinCompartment(resource, access.compartment);
    if (kept) return kept;
    reply.code(404);
    return outcome('error', 'not-found', 'Niet gevonden.');
  });

  // Fail closed: an answer to a scoped caller that was not serialised from an object (and so not
  // filtered above) is not sent.
  app.addHook('onSend', async (request, reply, payload) => {
    const access = request.fhirAccess;
    if (!access?.compartment || !isScoped(access.caller) || guarded.has(request)) return payload;
    if (reply.statusCode >= 300 || payload === null || payload === undefined || payload === '')
      return payload;
    reply.code(403).type('application/fhir+json');
    return JSON.stringify(outcome('error', 'forbidden', 'Dit antwoord kan niet worden gecontroleerd.'));
  });
}
