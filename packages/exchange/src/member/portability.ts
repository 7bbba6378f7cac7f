// The client's own rights across the region, at her own node behind her session (passkey login):
// - GET /exchange/export: one FHIR `collection` Bundle with all her data — her records from every
//   holder in the localisation index (each naming its source, as in the overview), her consents
//   (FHIR Consent) and her access trail (BALP AuditEvents); a holder that does not answer is named
//   in an OperationOutcome entry and the rest is still given (a partial export);
// - GET /exchange/records: the same records as one searchset in timeline order, for her portal's
//   timeline across organisations;
// - POST /exchange/erasure {"confirm":"VERWIJDER"}: every holder deletes her resources at the
//   source; once all have, the region's pseudonym service erases the salt behind her logbook
//   subject, so the index, consent and access statements about her can no longer be linked to her
//   (the logs themselves are never rewritten).
// Her node asks each holder with a node token for her (role `client`, subject her pseudonym,
// purpose `export` or `erasure`); the holder checks that the calling node bound her client key,
// and records the access in her trail like any other (holder routes below).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import {
  accessesOf,
  findOrganisation,
  holdersOf,
  organisationOfKey,
  uraOf,
  type AccessRecord,
  type MemberFetch,
  type Organisation,
} from '@ketenlog/region';
import { issueNodeToken, requireNodeToken, sessionIdFrom, type SessionStore } from '@ketenlog/auth';
import {
  callerActsForClient,
  CLIENT_CALLER_ROLE,
  ERASURE_CONFIRMATION,
  exportBundle,
  ownDecision,
  type OwnPurpose,
} from '../portability/portability.ts';
import { auditEvent, readAccess, type AccessEvent } from '../enforcement/access-record.ts';
import { categoryForConsent } from '../enforcement/filter.ts';
import { consentResources } from '../consent-resource.ts';
import { federatedOverview } from '../overview/federated-overview.ts';
import { timelineOrder } from '../overview/timeline.ts';
import { type Purpose } from '../pdp.ts';
import { recordAccesses, type HolderOptions } from './holder.ts';
import { replyOutcome as outcome } from '@ketenlog/problem';

export const EXPORT_PATH = '/exchange/export';
/** Her records across the region as one timeline (the export's records, for her portal). */
export const RECORDS_PATH = '/exchange/records';
export const ERASURE_PATH = '/exchange/erasure';
/** Holder routes, node tokens acting for the client only. */
export const HOLDER_EXPORT_PATH = '/exchange/holder/export';
export const HOLDER_ERASURE_PATH = '/exchange/holder/erasure';

const PSEUDONYM = /^[A-Za-z0-9_-]{16,128}$/;

export interface PortabilityOptions extends Omit<HolderOptions, 'fhirAccessOf'> {
  readonly sessions: SessionStore;
  /** Whether a representative's delegation on the logbook lets her read her client's record. */
  readonly representativeMayRead?: (client: string, representative: string) => boolean;
  readonly fetch: MemberFetch;
  /** Erases the salt behind a client's logbook subject at the pseudonym service (acting for her). */
  readonly eraseSubject: (subject: string, token: (audience: string) => Promise<string>) => Promise<void>;
  /** Per holder. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** The reason of a break-the-glass access, from the holder that keeps it (glass-reasons.ts). */
  readonly glassReason?: (client: string, record: AccessRecord) => Promise<string | undefined>;
}

const LOGIN = 'Log in als cliënt (of kies voor wie u optreedt).';

/** A node token for a call on her behalf to a member node (role client, subject her pseudonym). */
export function clientCallToken(
  membership: PortabilityOptions['membership'],
  pseudonym: string,
  purpose: OwnPurpose,
  audience: string,
): Promise<string> {
  const { organisation, statementKey } = membership;
  return issueNodeToken(
    { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
    {
      organisation: organisation.ura,
      audience,
      professional: pseudonym,
      role: CLIENT_CALLER_ROLE,
      purpose,
    },
  );
}

export async function portabilityRoutes(app: FastifyInstance, options: PortabilityOptions): Promise<void> {
  const { membership, logbook, repository, verifier, directory, audit, sessions, fetch } = options;
  const { organisation, statementKey } = membership;
  const timeoutMs = options.timeoutMs ?? 5000;
  const authenticate = requireNodeToken(verifier);

  // ---- the holder side: a member node acting for the client herself ----

  /** Her pseudonym when the node token acts for her with this purpose from a node she uses. */
  const ownCaller = (request: FastifyRequest, reply: FastifyReply, purpose: OwnPurpose) => {
    const caller = request.nodeCaller!;
    const pseudonym = (request.query as { pseudonym?: string }).pseudonym;
    if (!pseudonym || !PSEUDONYM.test(pseudonym)) {
      void outcome(reply, 400, 'invalid', 'geef ?pseudonym=<regiopseudoniem>');
      return undefined;
    }
    if (!callerActsForClient(logbook.state, caller, pseudonym, purpose)) {
      void outcome(
        reply,
        403,
        'forbidden',
        'Alleen het knooppunt van de cliënt zelf mag dit voor haar vragen.',
      );
      return undefined;
    }
    return { pseudonym, ura: caller.organisation.ura, type: caller.organisation.type };
  };

  /** Her records here: every local Patient for the pseudonym, with everything about her. */
  const recordsOf = async (
    pseudonym: string,
    complete = false,
  ): Promise<{ patient: string; resources: Resource[] }[]> => {
    const base = `${organisation.node.baseUrl}/fhir`;
    return Promise.all(
      (await directory.patientsOf(pseudonym, { complete })).map(async (patient) => ({
        patient,
        resources: ((await repository.everything(patient, base)).entry ?? []).flatMap((e) =>
          e.resource ? [e.resource] : [],
        ),
      })),
    );
  };

  /** One access record per category touched, with her as the accessor. */
  const recordOwn = (
    who: { pseudonym: string; ura: string; type: Organisation['type'] },
    purpose: OwnPurpose,
    resources: readonly Resource[],
  ) => {
    const at = new Date();
    const events: AccessEvent[] = [...new Set(resources.map(categoryForConsent))].map((category) => ({
      request: {
        requester: { ura: who.ura, type: who.type, role: CLIENT_CALLER_ROLE },
        holder: organisation.ura,
        subject: who.pseudonym,
        category,
        purpose,
      },
      decision: ownDecision(purpose),
      accessor: who.pseudonym,
      interaction: purpose === 'export' ? 'operation' : 'delete',
      at,
    }));
    return recordAccesses({ logbook, statementKey, audit }, events);
  };

  app.get(HOLDER_EXPORT_PATH, { preHandler: authenticate }, async (request, reply) => {
    const who = ownCaller(request, reply, 'export');
    if (!who) return reply;
    const resources = (await recordsOf(who.pseudonym)).flatMap((r) => r.resources);
    await recordOwn(who, 'export', resources);
    const base = `${organisation.node.baseUrl}/fhir`;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: resources.map((resource) => ({
        fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
        resource,
        search: { mode: 'match' },
      })),
    };
    return reply.type('application/fhir+json').send(bundle);
  });

  app.post(HOLDER_ERASURE_PATH, { preHandler: authenticate }, async (request, reply) => {
    const who = ownCaller(request, reply, 'erasure');
    if (!who) return reply;
    // Every local Patient with her pseudonym, scanned now (not only those resolved so far).
    const found = await recordsOf(who.pseudonym, true);
    const resources = found.flatMap((r) => r.resources);
    // Recorded before the data goes, like every answer; the categories are all that is kept.
    await recordOwn(who, 'erasure', resources);
    // The Patient last: a failure half-way leaves her findable, so a retry finishes the job.
    for (const resource of [...resources].sort(
      (a, b) => Number(a.resourceType === 'Patient') - Number(b.resourceType === 'Patient'),
    ))
      await repository.expunge(resource.resourceType, resource.id!);
    for (const { patient } of found) directory.forget(patient);
    // Done only when nothing of hers is left (a record written meanwhile: she retries).
    const left = (await recordsOf(who.pseudonym, true)).flatMap((r) => r.resources).length;
    if (left)
      return outcome(
        reply,
        409,
        'conflict',
        `Er is intussen meer over haar vastgelegd (${left}); probeer opnieuw.`,
      );
    return { deleted: resources.length };
  });

  // ---- the client side: at her own node ----

  const sessionOf = async (request: FastifyRequest) =>
    (await sessions.get(sessionIdFrom(request.headers.cookie), Date.now()))?.principal;

  const tokenFor = (pseudonym: string, purpose: OwnPurpose) => (audience: string) =>
    clientCallToken(membership, pseudonym, purpose, audience);

  const holdersFor = (pseudonym: string): Organisation[] => {
    const { config, index } = logbook.state;
    return holdersOf(index, pseudonym).flatMap((h) => {
      const ura = uraOf(h.holder);
      const org = ura ? findOrganisation(config, ura) : undefined;
      return org ? [org] : [];
    });
  };

  /** Her access trail as BALP AuditEvents (each as its holder recorded it). */
  const trailOf = (pseudonym: string): Promise<Resource[]> => {
    const { config, keys, access } = logbook.state;
    return Promise.all(
      accessesOf(access, pseudonym).map(async (a) => {
        // A break-the-glass reason is not on the log: the holder keeps it (glass-reasons.ts).
        const glassReason = a.breakTheGlass
          ? (a.reason ?? (await options.glassReason?.(pseudonym, a)))
          : undefined;
        const requester = uraOf(a.organisation) ?? a.organisation;
        const reading = readAccess(a);
        return auditEvent({
          request: {
            requester: {
              ura: requester,
              type: findOrganisation(config, requester)?.type ?? 'rso',
              role: a.role,
            },
            holder: organisationOfKey(config, keys, a.recordedBy)?.ura ?? a.recordedBy,
            subject: pseudonym,
            category: a.category,
            // As recorded on the log: a care purpose, or her own (export, erasure).
            purpose: a.purpose as Purpose,
            ...(a.breakTheGlass ? { breakTheGlass: { reason: glassReason ?? '' } } : {}),
          },
          decision: { permit: reading.outcome === 'allowed', reason: reading.reason ?? '' },
          accessor: a.accessor,
          interaction: 'read',
          at: new Date(a.at.iat * 1000),
        });
      }),
    );
  };

  /**
   * The client a session stands for: her own, or the one a representative acts for — when her
   * delegation on the logbook reaches her record (a mandate to approve hours alone does not).
   */
  const clientOf = async (request: FastifyRequest): Promise<string | undefined> => {
    const p = await sessionOf(request);
    if (p?.kind === 'client') return p.holder;
    if (p?.kind !== 'representative' || !p.actingFor) return undefined;
    return options.representativeMayRead?.(p.actingFor.client, p.holder) ? p.actingFor.client : undefined;
  };

  /** Her records from every holder in the index, and the holders that did not answer. */
  const gather = async (client: string) => {
    const holders = holdersFor(client);
    const token = tokenFor(client, 'export');
    const { bundle, missing } = await federatedOverview({
      holders: holders.map((org) => ({ ura: org.ura, fhirBase: org.node.baseUrl })),
      path: () => `${HOLDER_EXPORT_PATH}?pseudonym=${encodeURIComponent(client)}`,
      issueToken: (holder) => token(holders.find((o) => o.ura === holder.ura)!.node.baseUrl),
      fetch,
      timeoutMs,
    });
    return {
      records: (bundle.entry ?? []).filter((e: BundleEntry) => e.search?.mode !== 'outcome'),
      missing: missing.map((m) => ({ ...m, name: holders.find((o) => o.ura === m.ura)?.name ?? m.ura })),
    };
  };

  // Her own timeline across the region: the export's records, as one searchset, newest first.
  app.get(RECORDS_PATH, async (request, reply) => {
    const client = await clientOf(request);
    if (!client) return outcome(reply, 401, 'login', LOGIN);
    const { records, missing } = await gather(client);
    const issues = missing.map((m) => ({
      severity: 'warning' as const,
      code: 'incomplete' as const,
      details: { text: `${m.name} gaf geen antwoord (${m.reason}); dit overzicht is onvolledig.` },
    }));
    return reply.type('application/fhir+json').send({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        ...timelineOrder(records),
        ...(issues.length
          ? [{ resource: { resourceType: 'OperationOutcome', issue: issues }, search: { mode: 'outcome' } }]
          : []),
      ],
    });
  });

  app.get(EXPORT_PATH, async (request, reply) => {
    const client = await clientOf(request);
    if (!client) return outcome(reply, 401, 'login', LOGIN);
    const { records, missing } = await gather(client);
    const at = new Date();
    const result = exportBundle({
      records,
      missing,
      consents: consentResources(logbook.state.consents, client),
      trail: await trailOf(client),
      at,
    });
    return reply
      .type('application/fhir+json')
      .header(
        'content-disposition',
        `attachment; filename="ketenlog-export-${at.toISOString().slice(0, 10)}.json"`,
      )
      .send(result);
  });

  app.post<{ Body: { confirm?: unknown } | undefined }>(ERASURE_PATH, async (request, reply) => {
    const p = await sessionOf(request);
    // Her own decision: not a representative's.
    if (p?.kind !== 'client') return outcome(reply, 401, 'login', 'Log in als cliënt.');
    if (request.body?.confirm !== ERASURE_CONFIRMATION)
      return outcome(
        reply,
        400,
        'invalid',
        `Bevestig het wissen met { "confirm": "${ERASURE_CONFIRMATION}" }: dit kan niet ongedaan worden.`,
      );
    const client = p.holder;
    const token = tokenFor(client, 'erasure');
    // Every member, not only the holders in the index: a record whose index statement is not on
    // the log yet (a batch still queued, a node that crashed before stating it) must be erased
    // too, and erasure is not done while a member that might hold something cannot be asked.
    const indexed = new Set(holdersFor(client).map((o) => o.ura));
    const holders = logbook.state.config.organisations;
    const results = await Promise.allSettled(
      holders.map(async (org) => {
        const response = await fetch(
          `${org.node.baseUrl}${HOLDER_ERASURE_PATH}?pseudonym=${encodeURIComponent(client)}`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${await token(org.node.baseUrl)}` },
            signal: AbortSignal.timeout(timeoutMs),
          },
        );
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        return ((await response.json()) as { deleted: number }).deleted;
      }),
    );
    const failed = holders.filter((_, i) => results[i]?.status === 'rejected');
    // Her subject stays linkable until every holder has deleted: she can retry, and nothing
    // is left behind under a subject no one can find again.
    if (failed.length)
      return outcome(
        reply,
        502,
        'incomplete',
        `Niet gewist bij ${failed.map((o) => o.name).join(', ')}; probeer het later opnieuw.`,
      );
    await options.eraseSubject(client, token);
    return {
      erased: holders.flatMap((org, i) => {
        const deleted = (results[i] as PromiseFulfilledResult<number>).value;
        return deleted || indexed.has(org.ura) ? [{ ura: org.ura, name: org.name, deleted }] : [];
      }),
      unlinked: true,
    };
  });
}
