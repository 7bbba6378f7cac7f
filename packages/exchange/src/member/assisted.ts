// Assisted mode at a node: `POST /exchange/assisted-consents` from a professional's session records
// the consent (or objection) a client gave on paper, for a client of this organisation who does not
// use digital means. It is stored as a FHIR Consent in the node's own store — marked assisted,
// naming the professional and the paper record (packages/exchange assisted-consent.ts) — where
// this holder's PDP honours it (holder.ts reads local consents on every decision), and the client
// sees it in her consents list at this node (client.ts).
import type { FastifyInstance } from 'fastify';
import type { Bundle, Consent, Patient } from '@medplum/fhirtypes';
import { BSN_SYSTEM, type FhirRepository } from '@ketenlog/fhir';
import { findOrganisation } from '@ketenlog/region';
import { requireProfessional, type SessionStore } from '@ketenlog/auth';
import { assistedConsent, isAssisted } from '../consent/assisted-consent.ts';
import { CATEGORIES } from '../localisation/categories.ts';
import { PURPOSES, type Purpose } from '../pdp.ts';
import type { ExchangeLogbook, ExchangeMembership } from './exchange-member.ts';
import type { PatientDirectory } from './patient-directory.ts';
import { replyOutcome as outcome } from '@ketenlog/problem';

export const ASSISTED_CONSENTS_PATH = '/exchange/assisted-consents';
const MAX_REFERENCE = 200;

export interface AssistedConsentChoice {
  /** The local Patient id. */
  readonly patient?: string;
  readonly decision?: 'grant' | 'objection';
  /** The organisation it is about; without one, it is about anyone. */
  readonly actor?: { readonly kind?: string; readonly ura?: string };
  readonly categories?: readonly string[];
  readonly purpose?: Purpose;
  readonly paperReference?: string;
  /** ISO date (or date-time) it ends; none: until withdrawn. */
  readonly validUntil?: string;
}

/** The assisted consents recorded at this node for the client with this pseudonym. */
export async function assistedConsentsOf(
  repository: FhirRepository,
  directory: PatientDirectory,
  pseudonym: string,
): Promise<Consent[]> {
  const found = await Promise.all(
    (await directory.patientsOf(pseudonym)).map((patient) =>
      repository.search({
        resourceType: 'Consent',
        params: [
          ['patient', `Patient/${patient}`],
          ['_count', '100'],
        ],
        baseUrl: 'http://local/fhir',
      }),
    ),
  );
  return found
    .flatMap((bundle: Bundle) => bundle.entry ?? [])
    .flatMap((e) => (e.resource?.resourceType === 'Consent' ? [e.resource as Consent] : []))
    .filter(isAssisted);
}

export async function assistedConsentRoutes(
  app: FastifyInstance,
  options: {
    readonly membership: ExchangeMembership;
    readonly logbook: ExchangeLogbook;
    /** The node's own FHIR store. */
    readonly repository: FhirRepository;
    readonly sessions: SessionStore;
  },
): Promise<void> {
  const { membership, logbook, repository, sessions } = options;
  const { organisation } = membership;

  app.post<{ Body: AssistedConsentChoice | undefined }>(ASSISTED_CONSENTS_PATH, async (request, reply) => {
    const actor = await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`);
    if (!actor) return reply;
    const choice = request.body ?? {};
    const invalid = (diagnostics: string) => outcome(reply, 400, 'invalid', diagnostics);
    if (choice.decision !== 'grant' && choice.decision !== 'objection')
      return invalid('geef decision: "grant" of "objection"');
    const paperReference = choice.paperReference?.trim();
    if (!paperReference || paperReference.length > MAX_REFERENCE)
      return invalid(
        `geef paperReference: het kenmerk van het papieren formulier (hoogstens ${MAX_REFERENCE} tekens)`,
      );
    if (choice.actor && (choice.actor.kind !== 'organisation' || !choice.actor.ura))
      return invalid('actor is { kind: "organisation", ura }');
    if (choice.actor?.ura && !findOrganisation(logbook.state.config, choice.actor.ura))
      return invalid(`organisatie ${choice.actor.ura} is geen deelnemer van de regio`);
    const unknown = (choice.categories ?? []).find((c) => !(CATEGORIES as readonly string[]).includes(c));
    if (unknown !== undefined) return invalid(`onbekende categorie "${unknown}"`);
    if (choice.purpose !== undefined && !PURPOSES.includes(choice.purpose))
      return invalid(`onbekend doel "${choice.purpose}"`);
    const now = new Date();
    const until = choice.validUntil === undefined ? undefined : new Date(choice.validUntil);
    if (until && (Number.isNaN(until.getTime()) || until <= now))
      return invalid('validUntil is een datum in de toekomst');
    const patient = choice.patient
      ? await repository.read<Patient>('Patient', choice.patient).catch(() => undefined)
      : undefined;
    if (!patient) return outcome(reply, 404, 'not-found', 'Deze cliënt is hier niet bekend.');
    if (!patient.identifier?.some((i) => i.system === BSN_SYSTEM))
      return outcome(reply, 422, 'invalid', 'Zonder BSN is deze cliënt niet in de regio te vinden.');
    const name = logbook.state.config.professionals.find((p) => p.id === actor.professional)?.name;
    const consent = assistedConsent({
      patient: patient.id!,
      decision: choice.decision,
      ...(choice.actor?.ura ? { grantee: choice.actor.ura } : {}),
      ...(choice.categories?.length ? { categories: choice.categories } : {}),
      ...(choice.purpose ? { purpose: choice.purpose } : {}),
      paperReference,
      recordedBy: {
        professional: actor.professional,
        ...(name ? { name } : {}),
        organisation: organisation.ura,
      },
      given: now.toISOString(),
      ...(until ? { until: until.toISOString() } : {}),
    });
    const { resource } = await repository.create(consent);
    return reply.code(201).type('application/fhir+json').send(resource);
  });
}
