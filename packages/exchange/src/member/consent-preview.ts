// "Wat ziet deze partij?" — the client's consent preview at her own node, behind her session:
// GET /exchange/consent-preview?ura=<URA> | type=<organisation type> [&purpose=][&role=] decides,
// for every category of her data, with the SAME policy decision point the holders use
// (decideAccess over the region's consent register), whether that party would see it, and why, in
// plain Dutch. The party is asked about as a requester from elsewhere: data the party holds itself
// it may always use for its own treatment, which the answer says once, not per category. With each
// visible category come her records of it at this organisation (every local Patient of her
// pseudonym), so she sees what that would be; other holders answer for their own.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { type FhirRepository } from '@ketenlog/fhir';
import { sessionIdFrom, type SessionStore } from '@ketenlog/auth';
import { findOrganisation, ORGANISATION_TYPES, type OrganisationType } from '@ketenlog/region';
import { CATEGORIES, categoryOf } from '../localisation/categories.ts';
import { decideAccess, PURPOSES, type DecisionBasis, type Purpose } from '../pdp.ts';
import type { ExchangeLogbook } from './exchange-member.ts';
import { replyOutcome as fail } from '@ketenlog/problem';

export const CONSENT_PREVIEW_PATH = '/exchange/consent-preview';
/** The holder asked about: none that the party could be (no URA has letters). */
const ELSEWHERE = 'elders';

export interface PreviewCategory {
  readonly category: string;
  readonly visible: boolean;
  readonly basis: DecisionBasis;
  readonly reason: string;
  /** Her records of this category here, when it is visible. */
  readonly items?: readonly Resource[];
}
export interface ConsentPreview {
  readonly party: { readonly ura?: string; readonly name?: string; readonly type: OrganisationType };
  readonly purpose: Purpose;
  readonly categories: readonly PreviewCategory[];
}

export async function consentPreviewRoutes(
  app: FastifyInstance,
  options: {
    readonly logbook: ExchangeLogbook;
    readonly sessions: SessionStore;
    readonly repository: FhirRepository;
    /** This node's FHIR base URL. */
    readonly fhirBase: string;
    /** Her local Patient ids for her pseudonym. */
    readonly patientsOf: (pseudonym: string) => Promise<string[]>;
  },
): Promise<void> {
  const subjectOf = async (request: FastifyRequest): Promise<string | undefined> => {
    const principal = (await options.sessions.get(sessionIdFrom(request.headers.cookie), Date.now()))
      ?.principal;
    return principal?.kind === 'client'
      ? principal.holder
      : principal?.kind === 'representative'
        ? principal.actingFor?.client
        : undefined;
  };

  app.get<{ Querystring: { ura?: string; type?: string; purpose?: string; role?: string } }>(
    CONSENT_PREVIEW_PATH,
    async (request, reply) => {
      const subject = await subjectOf(request);
      if (!subject) return fail(reply, 401, 'login', 'Log in als cliënt (of kies voor wie u optreedt).');
      const { ura, type, role = '' } = request.query;
      const purpose = (request.query.purpose ?? 'treatment') as Purpose;
      if (!PURPOSES.includes(purpose))
        return fail(reply, 400, 'invalid', `Onbekend doel; kies uit ${PURPOSES.join(', ')}.`);
      const state = options.logbook.state;
      let party: ConsentPreview['party'];
      if (ura !== undefined) {
        if (!/^\d{8}$/.test(ura)) return fail(reply, 400, 'invalid', 'Een URA-nummer heeft 8 cijfers.');
        const organisation = findOrganisation(state.config, ura);
        if (!organisation) return fail(reply, 404, 'not-found', 'Deze organisatie hoort niet bij de regio.');
        party = { ura, name: organisation.name, type: organisation.type };
      } else if (type !== undefined && (ORGANISATION_TYPES as readonly string[]).includes(type)) {
        party = { type: type as OrganisationType };
      } else {
        return fail(reply, 400, 'invalid', 'Geef een organisatie (ura=) of een soort organisatie (type=).');
      }
      const records = (
        await Promise.all(
          (await options.patientsOf(subject)).map(
            async (patient) => (await options.repository.everything(patient, options.fhirBase)).entry ?? [],
          ),
        )
      ).flatMap((entries) => entries.flatMap((e) => (e.resource ? [e.resource] : [])));
      const categories = CATEGORIES.map((category): PreviewCategory => {
        const decision = decideAccess(
          {
            requester: { ura: party.ura ?? '', type: party.type, role },
            holder: ELSEWHERE,
            subject,
            category,
            purpose,
          },
          state.consents,
          state.config,
        );
        const items = decision.permit ? records.filter((r) => categoryOf(r) === category) : [];
        return {
          category,
          visible: decision.permit,
          basis: decision.basis,
          reason: decision.reason,
          ...(decision.permit ? { items } : {}),
        };
      });
      return reply.send({ party, purpose, categories } satisfies ConsentPreview);
    },
  );
}
