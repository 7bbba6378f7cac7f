// The consent status of a professional's clients, for her client list: `GET /exchange/consent-status`
// (her session at her own node) answers, for each client at this organisation, what the other
// organisations that hold data about her would share with this organisation for treatment — per
// holder and category, decided by the same policy decision point the holders use, over the region's
// consent register (consents recorded on paper at a holder count there, and are not seen here).
// Nothing is fetched from the holders: this is the index and the register, not the data.
import type { FastifyInstance } from 'fastify';
import type { Patient } from '@medplum/fhirtypes';
import type { FhirRepository } from '@ketenlog/fhir';
import { requireProfessional, type SessionStore } from '@ketenlog/auth';
import { holdersOf, uraOf } from '@ketenlog/region';
import { decideAccess } from '../pdp.ts';
import type { ExchangeLogbook, ExchangeMembership } from './exchange-member.ts';
import type { PatientDirectory } from './patient-directory.ts';

export const CONSENT_STATUS_PATH = '/exchange/consent-status';
/** Clients per answer (the client list's page). */
const MAX_CLIENTS = 200;
/** Pseudonym lookups at once (a first lookup asks the pseudonym service). */
const LOOKUPS_AT_ONCE = 16;

export interface ClientConsentStatus {
  /** The local Patient id. */
  readonly patient: string;
  /** Categories held elsewhere that would be shared with this organisation for treatment. */
  readonly shared: number;
  /** Categories held elsewhere that would be withheld. */
  readonly withheld: number;
  /** Organisations elsewhere that hold data about her. */
  readonly holders: number;
}

export async function consentStatusRoutes(
  app: FastifyInstance,
  options: {
    readonly membership: ExchangeMembership;
    readonly logbook: ExchangeLogbook;
    readonly repository: FhirRepository;
    readonly directory: PatientDirectory;
    readonly sessions: SessionStore;
  },
): Promise<void> {
  const { membership, logbook, repository, directory, sessions } = options;
  const { organisation } = membership;

  const statusOf = (patient: string, subject: string | undefined, role: string): ClientConsentStatus => {
    let shared = 0;
    let withheld = 0;
    let holders = 0;
    if (subject) {
      const state = logbook.state;
      for (const holding of holdersOf(state.index, subject)) {
        const ura = uraOf(holding.holder);
        if (!ura || ura === organisation.ura) continue;
        holders++;
        for (const category of holding.categories) {
          const decision = decideAccess(
            {
              requester: { ura: organisation.ura, type: organisation.type, role },
              holder: ura,
              subject,
              category,
              purpose: 'treatment',
            },
            state.consents,
            state.config,
          );
          if (decision.permit) shared++;
          else withheld++;
        }
      }
    }
    return { patient, shared, withheld, holders };
  };

  app.get(CONSENT_STATUS_PATH, async (request, reply) => {
    const actor = await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`);
    if (!actor) return reply;
    const found = await repository.search({
      resourceType: 'Patient',
      params: [['_count', String(MAX_CLIENTS)]],
      baseUrl: `${organisation.node.baseUrl}/fhir`,
    });
    const patients = (found.entry ?? []).flatMap((e) =>
      e.resource?.resourceType === 'Patient' && e.resource.id ? [(e.resource as Patient).id!] : [],
    );
    const clients: ClientConsentStatus[] = [];
    for (let i = 0; i < patients.length; i += LOOKUPS_AT_ONCE) {
      const chunk = patients.slice(i, i + LOOKUPS_AT_ONCE);
      const subjects = await Promise.all(chunk.map((p) => directory.pseudonymOf(p).catch(() => undefined)));
      chunk.forEach((p, k) => clients.push(statusOf(p, subjects[k], actor.actingAs.role)));
    }
    return { clients };
  });
}
