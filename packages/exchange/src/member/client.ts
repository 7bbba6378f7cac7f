// The client's side of exchange at her own node, behind her session (passkey login at /auth):
// - GET /exchange/consents (and GET /fhir/Consent from her session): her consent register — every
//   grant and objection in force, as FHIR Consent resources in a searchset Bundle, with those a
//   professional here recorded for her on paper (assisted mode);
// - POST /exchange/consent-drafts: turns her choice (grant/objection with actor, categories,
//   purpose; or the withdrawal of one Consent) into statement drafts that she then signs with her
//   passkey through /auth/passkeys/statements/options and /sign (packages/auth). Once signed they
//   are on the log and in the region's state, so a withdrawal counts from the next request on;
// - GET /exchange/access-trail: who looked at her data, when, why, allowed or refused — the
//   `access` statements of every member's log, as the region's state folds them.
// A representative acting for her sees and drafts the same (delegation checked at signing).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { sessionIdFrom, type SessionStore } from '@ketenlog/auth';
import {
  accessesOf,
  consentsInForce,
  findOrganisation,
  organisationOfKey,
  uraOf,
  type AccessRecord,
} from '@ketenlog/region';
import { consentDrafts, revocationDraft, type ConsentActor } from '../consent/consent-drafts.ts';
import { consentIdOf, consentResources } from '../consent-resource.ts';
import { readAccess } from '../enforcement/access-record.ts';
import { type Purpose } from '../pdp.ts';
import type { ExchangeLogbook, FhirAccessOf } from './exchange-member.ts';
import { replyOutcome as outcome } from '@ketenlog/problem';

export const CONSENTS_PATH = '/exchange/consents';
export const CONSENT_DRAFTS_PATH = '/exchange/consent-drafts';
export const ACCESS_TRAIL_PATH = '/exchange/access-trail';

export interface ClientRouteOptions {
  readonly logbook: ExchangeLogbook;
  readonly sessions: SessionStore;
  /** The node's access decision on a FHIR request (a client reads her register at GET /fhir/Consent). */
  readonly fhirAccessOf: FhirAccessOf;
  /** Consents professionals here recorded for her on paper (assisted mode, assisted.ts). */
  readonly assistedConsents?: (client: string) => Promise<Consent[]>;
  /** The reason of a break-the-glass access, from the holder that keeps it (glass-reasons.ts). */
  readonly glassReason?: (client: string, record: AccessRecord) => Promise<string | undefined>;
}

export interface ConsentChoice {
  readonly decision?: 'grant' | 'objection';
  readonly actor?: ConsentActor;
  readonly categories?: readonly string[];
  readonly purpose?: Purpose;
  /** A Consent id (or the statement hash) to withdraw. */
  readonly withdraw?: string;
}

/** One access as the client sees it. */
export interface AccessTrailItem {
  /** ISO time the holder recorded it. */
  readonly at: string;
  readonly organisation: { readonly ura: string; readonly name?: string };
  readonly accessor: { readonly id: string; readonly name?: string };
  readonly role: string;
  readonly category: string;
  readonly purpose: string;
  readonly outcome: 'allowed' | 'refused';
  readonly breakTheGlass: boolean;
  readonly reason?: string;
  /** The organisation whose node recorded it (the holder). */
  readonly recordedBy?: { readonly ura: string; readonly name?: string };
}

export async function clientRoutes(app: FastifyInstance, options: ClientRouteOptions): Promise<void> {
  const { logbook, sessions, fhirAccessOf } = options;

  /** The client this session speaks for: herself, or the client a representative acts for. */
  const clientOf = async (request: FastifyRequest): Promise<string | undefined> => {
    const p = (await sessions.get(sessionIdFrom(request.headers.cookie), Date.now()))?.principal;
    if (p?.kind === 'client') return p.holder;
    if (p?.kind === 'representative') return p.actingFor?.client;
    return undefined;
  };
  const consentBundle = async (client: string): Promise<Bundle> => {
    const consents = [
      ...consentResources(logbook.state.consents, client),
      ...((await options.assistedConsents?.(client)) ?? []),
    ];
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: consents.length,
      entry: consents.map((resource) => ({ resource, search: { mode: 'match' } })),
    };
  };

  app.get(CONSENTS_PATH, async (request, reply) => {
    const client = await clientOf(request);
    if (!client) return outcome(reply, 401, 'login', 'Log in als cliënt (of kies voor wie u optreedt).');
    return reply.type('application/fhir+json').send(await consentBundle(client));
  });

  // The portal reads her register at the FHIR base too; a client session has no other FHIR access.
  app.addHook('preHandler', async (request, reply) => {
    const access = fhirAccessOf(request);
    if (access?.interaction.kind !== 'search-type' || access.interaction.type !== 'Consent') return;
    if (access.caller.kind !== 'client' && access.caller.kind !== 'representative') return;
    const client = access.caller.kind === 'client' ? access.caller.holder : access.caller.client;
    return reply.type('application/fhir+json').send(await consentBundle(client));
  });

  app.post<{ Body: ConsentChoice | undefined }>(CONSENT_DRAFTS_PATH, async (request, reply) => {
    const client = await clientOf(request);
    if (!client) return outcome(reply, 401, 'login', 'Log in als cliënt (of kies voor wie u optreedt).');
    const choice = request.body ?? {};
    // The author is filled in at signing (her passkey's key ID); drafts carry kind, subject, body.
    const author = 'to-be-signed';
    let result;
    if (choice.withdraw !== undefined) {
      const record = consentsInForce(logbook.state.consents.get(client)).find(
        (r) => r.hash === choice.withdraw || consentIdOf(r.hash) === choice.withdraw,
      );
      if (!record)
        return outcome(reply, 404, 'not-found', 'Deze toestemming staat niet (meer) in uw register.');
      result = revocationDraft({ subject: client, author, revokes: record.hash });
    } else if (choice.decision === 'grant' || choice.decision === 'objection') {
      result = consentDrafts({
        subject: client,
        author,
        decision: choice.decision,
        ...(choice.actor ? { actor: choice.actor } : {}),
        ...(choice.categories ? { categories: choice.categories } : {}),
        ...(choice.purpose ? { purpose: choice.purpose } : {}),
      });
    } else {
      return outcome(
        reply,
        400,
        'invalid',
        'geef { decision, actor?, categories?, purpose? } of { withdraw }',
      );
    }
    if (!result.ok) return outcome(reply, 400, 'invalid', result.reason);
    return {
      drafts: result.statements.map((s) => ({ kind: s.kind, subject: s.subject, body: s.body })),
    };
  });

  app.get(ACCESS_TRAIL_PATH, async (request, reply) => {
    const client = await clientOf(request);
    if (!client) return outcome(reply, 401, 'login', 'Log in als cliënt (of kies voor wie u optreedt).');
    const state = logbook.state;
    const named = (ref: string) => {
      const ura = uraOf(ref) ?? ref;
      const name = findOrganisation(state.config, ura)?.name;
      return { ura, ...(name ? { name } : {}) };
    };
    // The client's holder identity is her region pseudonym (node-auth), the subject of accesses.
    const records = accessesOf(state.access, client);
    // Break-the-glass reasons are kept by the holders, not on the log: asked for at once.
    const glassReasons = await Promise.all(
      records.map((a) =>
        a.breakTheGlass && a.reason === undefined ? options.glassReason?.(client, a) : undefined,
      ),
    );
    const accesses: AccessTrailItem[] = records
      .map((a, i) => {
        const glassReason = glassReasons[i];
        const professional = state.config.professionals.find((p) => p.id === a.accessor);
        const recorder = organisationOfKey(state.config, state.keys, a.recordedBy)?.ura;
        const reading = readAccess(a);
        return {
          at: new Date(a.at.iat * 1000).toISOString(),
          organisation: named(a.organisation),
          accessor: { id: a.accessor, ...(professional ? { name: professional.name } : {}) },
          role: a.role,
          category: a.category,
          purpose: a.purpose,
          outcome: reading.outcome,
          breakTheGlass: a.breakTheGlass,
          ...(glassReason ? { reason: glassReason } : reading.reason ? { reason: reading.reason } : {}),
          ...(recorder ? { recordedBy: named(recorder) } : {}),
        } satisfies AccessTrailItem;
      })
      .reverse();
    return { accesses };
  });
}
