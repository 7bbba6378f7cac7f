// The federated overview at the professional's own node (DESIGN.md "Exchange" steps 1 and 2):
// `GET /exchange/overview?patient=<local Patient id>` (or `?identifier=<BSN system>|<BSN>`,
// `&purpose=treatment|billing|research`, default treatment; `&category=<consent categories>`,
// comma-separated, for a category-only overview; `&breakTheGlass=<reason>` for emergency access,
// see holder.ts; `&set=bgz` for the BgZ, a query set the node passes in); the same from a
// professional's session as `GET /fhir/Patient/<id>/$everything`.
// Her node derives the client's region pseudonym, finds the holders in the localisation index (the region's state), asks each one in
// parallel — first which local Patient stands for the pseudonym, then that Patient's $everything —
// each call with a fresh node token naming her organisation, her, her role and the purpose, and
// merges one timeline Bundle. Each entry names its source; one OperationOutcome entry says per
// holder what was withheld (by category, with the PDP's reason) and which holders did not answer.
// A holder that is down or slow is reported, never waited for beyond the timeout. Nothing is kept.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  Bundle,
  BundleEntry,
  OperationOutcome,
  OperationOutcomeIssue,
  Patient,
} from '@medplum/fhirtypes';
import { BSN_SYSTEM, isValidBsn, type FhirRepository } from '@ketenlog/fhir';
import { findOrganisation, holdersOf, uraOf, type MemberFetch } from '@ketenlog/region';
import { issueNodeToken, requireProfessional, type SessionStore } from '@ketenlog/auth';
import { CATEGORIES } from '../localisation/categories.ts';
import { categoryForConsent } from '../enforcement/filter.ts';
import { CATEGORY_SYSTEM } from '../consent-resource.ts';
import { decideAccess, PURPOSES, type Purpose } from '../pdp.ts';
import {
  federatedOverview,
  SOURCE_EXTENSION,
  type Holder,
  type HolderQuery,
} from '../overview/federated-overview.ts';
import { timelineOrder } from '../overview/timeline.ts';
import { type PseudonymClient } from '../pseudonym/pseudonym-client.ts';
import type { ExchangeLogbook, ExchangeMembership, FhirAccessOf } from './exchange-member.ts';
import { CATEGORIES_HEADER, HOLDER_PATIENTS_PATH, MAX_REASON } from './holder.ts';
import type { PatientDirectory } from './patient-directory.ts';
import { replyOutcome as outcome } from '@ketenlog/problem';

export const OVERVIEW_PATH = '/exchange/overview';
/** Codes in the overview's OperationOutcome issues (issue.details.coding). */
export const OVERVIEW_STATUS_SYSTEM = 'https://ketenlog.nl/fhir/CodeSystem/overview-status';
const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';

export interface OverviewRouteOptions {
  readonly membership: ExchangeMembership;
  readonly logbook: ExchangeLogbook;
  readonly repository: FhirRepository;
  readonly pseudonyms: PseudonymClient;
  /** Local Patient → pseudonym, cached (saves the pseudonym service a round trip per overview). */
  readonly directory: PatientDirectory;
  readonly sessions: SessionStore;
  readonly fetch: MemberFetch;
  /** Per holder. Default 2000 ms. */
  readonly timeoutMs?: number;
  /** The node's access decision on a FHIR request (a professional's `Patient/{id}/$everything`). */
  readonly fhirAccessOf: FhirAccessOf;
  /** Query sets a professional may ask instead of everything (`&set=<name>`; the BgZ). */
  readonly querySets?: Readonly<Record<string, OverviewQuerySet>>;
}

/**
 * A named set of searches asked of every holder instead of `$everything` (the BgZ:
 * packages/node/src/national/bgz.ts).
 */
export interface OverviewQuerySet {
  /** The consent categories its answers can fall in: the index's other categories are not asked. */
  readonly categories: ReadonlySet<string>;
  /** The searches for her Patient at one holder. */
  queriesFor(patient: string): HolderQuery[];
}

const sourceOf = (ura: string) => ({
  extension: [{ url: SOURCE_EXTENSION, valueIdentifier: { system: URA_SYSTEM, value: ura } }],
});

interface OverviewQuery {
  patient?: string;
  identifier?: string;
  purpose?: string;
  category?: string;
  breakTheGlass?: string;
  set?: string;
}

export async function overviewRoutes(app: FastifyInstance, options: OverviewRouteOptions): Promise<void> {
  const { membership, logbook, repository, pseudonyms, directory, sessions, fetch, fhirAccessOf } = options;
  const querySets = options.querySets ?? {};
  const setNames = Object.keys(querySets);
  const { organisation, statementKey } = membership;
  const timeoutMs = options.timeoutMs ?? 2000;

  const answer = async (request: FastifyRequest, reply: FastifyReply, query: OverviewQuery) => {
    const actor = await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`);
    if (!actor) return reply;
    const purpose = (query.purpose ?? 'treatment') as Purpose;
    if (!PURPOSES.includes(purpose)) return outcome(reply, 400, 'invalid', `onbekend doel "${purpose}"`);
    const asked = query.category?.split(',').map((c) => c.trim());
    if (asked && !asked.every((c) => (CATEGORIES as readonly string[]).includes(c)))
      return outcome(reply, 400, 'invalid', `onbekende categorie; kies uit ${CATEGORIES.join(', ')}`);
    if (query.set !== undefined && !Object.hasOwn(querySets, query.set))
      return outcome(reply, 400, 'invalid', `onbekende set "${query.set}"; kies uit ${setNames.join(', ')}`);
    if (query.set !== undefined && asked)
      return outcome(reply, 400, 'invalid', 'vraag een set of categorieën, niet allebei');
    const set = query.set !== undefined ? querySets[query.set] : undefined;
    const breakTheGlass = query.breakTheGlass?.trim();
    if (query.breakTheGlass !== undefined && (!breakTheGlass || breakTheGlass.length > MAX_REASON))
      return outcome(
        reply,
        400,
        'invalid',
        `Noodtoegang vraagt om een reden (hoogstens ${MAX_REASON} tekens).`,
      );

    let bsn: string | undefined;
    if (query.patient) {
      const patient = await repository.read<Patient>('Patient', query.patient).catch(() => undefined);
      bsn = patient?.identifier?.find((i) => i.system === BSN_SYSTEM)?.value;
      if (!patient) return outcome(reply, 404, 'not-found', 'Deze cliënt is hier niet bekend.');
    } else if (query.identifier?.startsWith(`${BSN_SYSTEM}|`)) {
      bsn = query.identifier.slice(BSN_SYSTEM.length + 1);
    } else {
      return outcome(reply, 400, 'invalid', `geef ?patient=<Patient-id> of ?identifier=${BSN_SYSTEM}|<BSN>`);
    }
    if (!bsn || !isValidBsn(bsn))
      return outcome(reply, 422, 'invalid', 'Zonder geldig BSN is er geen regionaal overzicht.');
    const pseudonym = await (
      query.patient ? directory.pseudonymOf(query.patient) : pseudonyms.pseudonymOf(bsn)
    ).catch(() => undefined);
    if (!pseudonym) return outcome(reply, 503, 'transient', 'De pseudonimiseringsdienst is niet bereikbaar.');

    const state = logbook.state;
    const holdings = holdersOf(state.index, pseudonym).flatMap((h) => {
      const ura = uraOf(h.holder);
      const org = ura ? findOrganisation(state.config, ura) : undefined;
      const categories = h.categories.filter((c) =>
        asked ? asked.includes(c) : !set || set.categories.has(c),
      );
      return org && categories.length > 0 ? [{ org, categories }] : [];
    });
    const baseOf = new Map(holdings.map((h) => [h.org.ura, h.org.node.baseUrl]));
    const token = (ura: string) =>
      issueNodeToken(
        { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
        {
          organisation: organisation.ura,
          audience: baseOf.get(ura)!,
          professional: actor.professional,
          role: actor.actingAs.role,
          purpose,
          ...(breakTheGlass ? { breakTheGlass } : {}),
        },
      );
    const holders: Holder[] = holdings.map((h) => ({
      ura: h.org.ura,
      fhirBase: `${h.org.node.baseUrl}/fhir`,
    }));
    const { bundle, missing } = await federatedOverview({
      holders,
      issueToken: (holder) => token(holder.ura),
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          headers: {
            ...init?.headers,
            ...(asked ? { [CATEGORIES_HEADER]: asked.join(',') } : {}),
          },
        }),
      timeoutMs,
      path: async (holder) => {
        const url = `${baseOf.get(holder.ura)}${HOLDER_PATIENTS_PATH}?pseudonym=${encodeURIComponent(pseudonym)}`;
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${await token(holder.ura)}` },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        const { patients } = (await response.json()) as { patients?: string[] };
        const [patient] = patients ?? [];
        if (!patient) throw new Error('geen cliënt gevonden');
        return set ? set.queriesFor(patient) : `Patient/${encodeURIComponent(patient)}/$everything`;
      },
    });

    // Per holder: categories the index lists that did not come back, with the reason the
    // region's PDP gives (the holder decided; this is what its decision rests on).
    const requester = { ura: organisation.ura, type: organisation.type, role: actor.actingAs.role };
    const issues: OperationOutcomeIssue[] = [];
    const entries = (bundle.entry ?? []).filter((e) => e.search?.mode !== 'outcome');
    for (const { org, categories } of holdings) {
      const gone = missing.find((m) => m.ura === org.ura);
      if (gone) {
        issues.push({
          severity: 'warning',
          code: 'incomplete',
          details: {
            coding: [{ system: OVERVIEW_STATUS_SYSTEM, code: 'unreachable' }],
            text: `${org.name} gaf geen antwoord (${gone.reason}); het overzicht is onvolledig.`,
          },
          extension: sourceOf(org.ura).extension,
        });
        continue;
      }
      const received = new Set(
        entries
          .filter(
            (e) =>
              e.resource?.meta?.extension?.find((x) => x.url === SOURCE_EXTENSION)?.valueIdentifier?.value ===
              org.ura,
          )
          .map((e) => categoryForConsent(e.resource!)),
      );
      for (const category of categories.filter((c) => !received.has(c))) {
        const decision = decideAccess(
          {
            requester,
            holder: org.ura,
            subject: pseudonym,
            category,
            purpose,
            ...(breakTheGlass ? { breakTheGlass: { reason: breakTheGlass } } : {}),
          },
          state.consents,
          state.config,
        );
        issues.push({
          severity: 'information',
          code: 'suppressed',
          details: {
            coding: [
              { system: OVERVIEW_STATUS_SYSTEM, code: 'withheld' },
              { system: CATEGORY_SYSTEM, code: category },
            ],
            text: `${org.name}: ${category} niet gedeeld — ${decision.permit ? 'niet ontvangen' : decision.reason}`,
          },
          extension: sourceOf(org.ura).extension,
        });
      }
    }
    const result: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        ...timelineOrder(entries),
        ...(issues.length
          ? [
              {
                resource: { resourceType: 'OperationOutcome', issue: issues } satisfies OperationOutcome,
                search: { mode: 'outcome' },
              } as BundleEntry,
            ]
          : []),
      ],
    };
    return reply.type('application/fhir+json').send(result);
  };

  app.get<{ Querystring: OverviewQuery }>(OVERVIEW_PATH, (request, reply) =>
    answer(request, reply, request.query),
  );

  // The FHIR way to the same thing: a professional's session asking her own node for a client's
  // `Patient/{id}/$everything` gets the federated overview (`_type`-free; `category=`, `purpose=`,
  // `breakTheGlass=` and `set=` as above). Tokens and other callers get the local operation.
  app.addHook('preHandler', async (request, reply) => {
    const access = fhirAccessOf(request);
    const interaction = access?.interaction;
    if (access?.caller.kind !== 'professional' || interaction?.kind !== 'operation') return;
    if (interaction.name !== '$everything' || interaction.type !== 'Patient' || !interaction.id) return;
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    const query: OverviewQuery = { patient: interaction.id };
    for (const name of ['purpose', 'category', 'breakTheGlass', 'set'] as const) {
      const value = params.get(name);
      if (value !== null) query[name] = value;
    }
    return answer(request, reply, query);
  });
}
