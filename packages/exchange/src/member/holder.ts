// This node as a holder of client data (DESIGN.md "Exchange" steps 2 and 3): a request to its FHIR
// API carrying another member's node token (or its own) is authenticated (401 for a forged,
// expired, replayed or foreign token), limited to reads, and answered with only what the client's
// consents permit that organisation, role and purpose (the PDP through the holder guard: her
// register from the logbook plus consents recorded in this node's own FHIR store). Every answer
// is recorded before it leaves: one `access` statement on this node's log per category decided,
// allowed or refused, appended durably before the answer is sent, and its BALP AuditEvent copy in
// the local store (batched, audit-writer.ts); neither carries a BSN.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle, Consent, Patient, Resource } from '@medplum/fhirtypes';
import { BSN_SYSTEM, type FhirRepository } from '@ketenlog/fhir';
import { signStatement } from '@ketenlog/logbook';
import { requireNodeToken, type NodeCaller, type NodeTokenVerifier } from '@ketenlog/auth';
import { accessDraft, auditEvent, sealReason, type AccessEvent } from '../enforcement/access-record.ts';
import { CATEGORIES, patientOf } from '../localisation/categories.ts';
import { DEMOGRAPHICS } from '../enforcement/filter.ts';
import { localConsentRecords, withLocalConsents } from '../consent/local-consents.ts';
import { registerHolderGuard, UNKNOWN_CLIENT, type GuardCaller, type GuardedAnswer } from './holder-guard.ts';
import { type NationalConsent, type Purpose } from '../pdp.ts';
import type { ExchangeLogbook, ExchangeMembership, FhirAccessOf } from './exchange-member.ts';
import type { PatientDirectory } from './patient-directory.ts';
import type { AuditWriter } from './audit-writer.ts';
import { replyOutcome } from '@ketenlog/problem';

/** Where a member asks which local Patients stand for a pseudonym (node tokens only). */
export const HOLDER_PATIENTS_PATH = '/exchange/holder/patients';

/**
 * Break-the-glass on a node-token call: the professional's reason is the token's signed
 * `break_the_glass` claim (see issueNodeToken). The PDP allows it only for treatment by a care
 * organisation, and the access statement records it with the reason for the client.
 */
export const MAX_REASON = 200;
/** Request header of a category-only overview: the consent categories asked for, comma-separated. */
export const CATEGORIES_HEADER = 'x-ketenlog-categories';
const ASKABLE: ReadonlySet<string> = new Set([...CATEGORIES, DEMOGRAPHICS]);

/** The categories a request asks for: undefined for all; null when the header names an unknown one. */
function askedCategories(header: string | string[] | undefined): ReadonlySet<string> | undefined | null {
  if (header === undefined) return undefined;
  const asked = String(header)
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return asked.length > 0 && asked.every((c) => ASKABLE.has(c)) ? new Set(asked) : null;
}

/** A local resource id (R4 §2.26.0.2 id). */
const RESOURCE_ID = /^[A-Za-z0-9.-]{1,64}$/;
const PATIENT_PARAMETERS = ['patient', 'subject', 'beneficiary'];

/**
 * The one Patient a FHIR request names: `Patient/{id}/…`, or one patient/subject/beneficiary
 * parameter (`_id` on Patient) with one plain id or `Patient/{id}` — a chain, a list, a modifier or
 * two different patients name none. Undefined when the request names no single Patient.
 */
function requestedPatient(request: FastifyRequest): string | undefined {
  const params = request.params as { type?: string; id?: string } | undefined;
  if (params?.type === 'Patient' && params.id) return params.id;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const names = [...PATIENT_PARAMETERS, ...(params?.type === 'Patient' ? ['_id'] : [])];
  const named = new Set<string>();
  for (const [name, value] of Object.entries(query)) {
    // split always yields a first part (the whole name when there is no separator).
    const [base = name] = name.split(/[:.]/);
    if (!names.includes(base)) continue;
    // A chained or modified patient parameter (subject:Patient.identifier=…) names no one.
    if (name !== base || typeof value !== 'string') return undefined;
    const id = value.replace(/^Patient\//, '');
    if (!RESOURCE_ID.test(id)) return undefined;
    named.add(id);
  }
  return named.size === 1 ? [...named][0] : undefined;
}

/** A search (type, system or compartment-less history): no resource id in the path. */
const isSearch = (request: FastifyRequest): boolean => !(request.params as { id?: string } | undefined)?.id;

function resourcesOf(payload: unknown): Resource[] {
  const resource = payload as Resource;
  if (resource.resourceType !== 'Bundle') return [resource];
  return ((resource as Bundle).entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

/**
 * Records accesses the way every holder answer does: the `access` statements appended durably to
 * this node's log (the answer leaves only once they are), then their BALP AuditEvent copies.
 */
export async function recordAccesses(
  at: {
    readonly logbook: ExchangeLogbook;
    readonly statementKey: ExchangeMembership['statementKey'];
    readonly audit: AuditWriter;
  },
  events: readonly AccessEvent[],
): Promise<void> {
  const { logbook, statementKey, audit } = at;
  await Promise.all(
    events.map(async (event) => {
      const appended = await logbook.append(
        signStatement(accessDraft(event, statementKey.keyId), statementKey.secretKey),
      );
      if (!appended.ok) throw new Error(`access statement refused: ${appended.problem.text}`);
    }),
  );
  audit.add(events.map(auditEvent));
}

export interface HolderOptions {
  readonly membership: ExchangeMembership;
  readonly logbook: ExchangeLogbook;
  /** The node's own FHIR store (not the indexing wrapper): local consents, AuditEvents. */
  readonly repository: FhirRepository;
  readonly verifier: NodeTokenVerifier;
  /** The node's access decision on a FHIR request: the holder acts on node-token callers. */
  readonly fhirAccessOf: FhirAccessOf;
  readonly directory: PatientDirectory;
  readonly audit: AuditWriter;
  /** The national consent service (Mitz), asked about another organisation's treatment request. */
  readonly national?: NationalConsent | undefined;
}

export async function registerHolder(app: FastifyInstance, options: HolderOptions): Promise<void> {
  const { membership, logbook, repository, verifier, directory, audit, national, fhirAccessOf } = options;
  const { organisation, statementKey } = membership;
  const callers = new WeakMap<FastifyRequest, GuardCaller>();
  const patients = new WeakMap<FastifyRequest, string>();
  const authenticate = requireNodeToken(verifier);

  const guardCaller = (
    caller: NodeCaller,
    breakTheGlass: string | undefined,
    categories: ReadonlySet<string> | undefined,
  ): GuardCaller => ({
    accessor: caller.professional ?? `ura:${caller.organisation.ura}`,
    ...(categories ? { categories } : {}),
    base: {
      requester: { ura: caller.organisation.ura, type: caller.organisation.type, role: caller.role },
      holder: organisation.ura,
      // An unknown purpose reaches the PDP as is and is refused there ("invalid").
      purpose: caller.purpose as Purpose,
      ...(breakTheGlass !== undefined ? { breakTheGlass: { reason: breakTheGlass } } : {}),
    },
  });

  /** The break-the-glass reason of a call: undefined without one, '' when blank or too long. */
  const reasonOf = (caller: NodeCaller): string | undefined => {
    if (caller.breakTheGlass === undefined) return undefined;
    const reason = caller.breakTheGlass.trim();
    return reason.length <= MAX_REASON ? reason : '';
  };

  // The node's access decision (fhirAccessOf; packages/node/src/access) has verified the node
  // token (once: its id is then used up) and limited the caller to reads of one client's records;
  // here the holder's own rules follow, and the answer is then judged by her consents
  // (registerHolderGuard, holder-guard.ts).
  app.addHook('preHandler', async (request, reply) => {
    const access = fhirAccessOf(request);
    if (access?.caller.kind !== 'node') return;
    const caller = access.caller.node;
    // Reverse chaining matches a resource by others it does not return (`Patient?_has:Observation:
    // patient:code=…` answers "she has such a record" through her Patient alone): the guard filters
    // what is returned, so a search whose matches depend on what is not returned is refused.
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    if ([...query.keys()].some((key) => key.startsWith('_has')))
      return replyOutcome(
        reply,
        403,
        'forbidden',
        'Zoeken met _has kan niet over organisaties heen: het zou gegevens onthullen.',
      );
    const categories = askedCategories(request.headers[CATEGORIES_HEADER]);
    if (categories === null)
      return replyOutcome(
        reply,
        400,
        'invalid',
        `${CATEGORIES_HEADER}: onbekende categorie; kies uit ${[...ASKABLE].join(', ')}.`,
      );
    // An empty reason reaches the PDP, which refuses break-the-glass without one.
    callers.set(request, guardCaller(caller, reasonOf(caller), categories));
  });

  registerHolderGuard(app, {
    caller: (request) => callers.get(request),
    rules: () => logbook.state.config,
    ...(national
      ? {
          // Her BSN from the Patient the answer is about; break-the-glass does not wait for Mitz.
          national: async (request: FastifyRequest, caller: GuardCaller) => {
            const { base } = caller;
            if (base.breakTheGlass || base.requester.ura === organisation.ura) return undefined;
            const patient = await repository
              .read<Patient>('Patient', patients.get(request)!)
              .catch(() => undefined);
            const bsn = patient?.identifier?.find((i) => i.system === BSN_SYSTEM)?.value;
            if (!bsn) return undefined;
            return national({
              bsn,
              holder: { ura: organisation.ura, type: organisation.type },
              requester: base.requester,
              professional: caller.accessor,
              purpose: base.purpose,
            });
          },
        }
      : {}),
    subjectOf: async (request, payload) => {
      const named = requestedPatient(request);
      // Another member's search names the client explicitly, or is refused, whatever it would
      // match: whether a holder has something must not follow from how a search is refused.
      if (isSearch(request) && !named) return undefined;
      const ids = new Set<string>();
      if (named) ids.add(named);
      for (const resource of resourcesOf(payload)) {
        const id = resource.resourceType === 'OperationOutcome' ? undefined : patientOf(resource);
        if (id) ids.add(id);
      }
      const [patient] = ids;
      if (ids.size !== 1 || patient === undefined) return undefined;
      patients.set(request, patient);
      // A named client unknown here (no such Patient, no BSN) is answered as an empty search.
      return (await directory.pseudonymOf(patient)) ?? UNKNOWN_CLIENT;
    },
    consents: async (request, subject) => {
      const patient = patients.get(request)!;
      const found = await repository.search({
        resourceType: 'Consent',
        params: [
          ['patient', `Patient/${patient}`],
          ['_count', '100'],
        ],
        baseUrl: 'http://local/fhir',
      });
      const local = (found.entry ?? [])
        .flatMap((e) => (e.resource?.resourceType === 'Consent' ? [e.resource as Consent] : []))
        .flatMap((c) => localConsentRecords(c, organisation.ura, Date.now()));
      return withLocalConsents(logbook.state.consents, subject, local);
    },
    record: async (answer: GuardedAnswer) => {
      const at = new Date();
      const interaction = answer.request.url.includes('$')
        ? 'operation'
        : (answer.request.params as { id?: string }).id
          ? 'read'
          : 'search-type';
      const glass = answer.caller.base.breakTheGlass?.reason.trim();
      const events = [...answer.decisions].map(
        ([category, decision]) =>
          ({
            request: { ...answer.caller.base, subject: answer.subject, category },
            decision,
            accessor: answer.caller.accessor,
            interaction,
            at,
            // Break-the-glass: the log gets a commitment; the reason stays here, with its salt.
            ...(glass && decision.permit ? { seal: sealReason(glass, randomBytes(32)) } : {}),
          }) as const,
      );
      await recordAccesses({ logbook, statementKey, audit }, events);
    },
  });

  // Localisation inside a holder: which local Patients stand for a pseudonym. It discloses no more
  // than the region's index already says (this organisation holds something for her).
  app.get<{ Querystring: { pseudonym?: string } }>(
    HOLDER_PATIENTS_PATH,
    { preHandler: authenticate },
    async (request, reply) => {
      const pseudonym = request.query.pseudonym;
      if (!pseudonym || !/^[A-Za-z0-9_-]{16,128}$/.test(pseudonym)) {
        return replyOutcome(reply, 400, 'invalid', 'geef ?pseudonym=<regiopseudoniem>');
      }
      return { patients: await directory.patientsOf(pseudonym) };
    },
  );
}
