// The holder side: one Fastify hook pair that applies the PDP to every answer of the FHIR routes
// for a node-token caller (read, search pages, _include/_revinclude, history, $everything): the
// preSerialization hook binds the caller to a decider, filters what goes out, drops Bundle.total,
// and records one access per answer (AuditEvent + `access` statements) before the answer leaves.
// The onSend hook fails closed: a node-token answer the guard did not see is refused.
//
// No existence oracle: a search whose matches are all withheld is answered exactly as one that
// matched nothing (200, the same Bundle shape, no total, no paging beyond the page asked for), and
// a search about a client this holder cannot resolve likewise; the decisions are still recorded.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import type { ConsentRegister } from '@ketenlog/region';
import type { AccessDecision, AccessRequest, NationalAnswer, RegionRules } from '../pdp.ts';
import { categoryForConsent, deciderFor, filterBundle, guardRead } from '../enforcement/filter.ts';
import { outcome } from '@ketenlog/problem';

export interface GuardCaller {
  readonly base: Omit<AccessRequest, 'category' | 'subject'>;
  readonly accessor: string;
  /**
   * The categories the caller asked for (a category-only overview); undefined: all. Resources of
   * other categories are left out before any decision, so they are neither disclosed nor recorded.
   */
  readonly categories?: ReadonlySet<string>;
}

/** Left out of a category-only answer: not asked for, so not decided. */
const NOT_ASKED: AccessDecision = { permit: false, basis: 'invalid', reason: 'Niet gevraagd.' };

export interface GuardedAnswer {
  readonly caller: GuardCaller;
  readonly subject: string;
  readonly withheld: number;
  readonly disclosed: readonly Resource[];
  /** The decision per category the answer touched (one access record each). */
  readonly decisions: ReadonlyMap<string, AccessDecision>;
  readonly request: FastifyRequest;
}

/**
 * `subjectOf` for a request that names a client this holder has no pseudonym for (no such Patient,
 * or none with a BSN): a search is answered as if nothing matched, a read is refused.
 */
export const UNKNOWN_CLIENT: unique symbol = Symbol('unknown client');
export type GuardSubject = string | typeof UNKNOWN_CLIENT | undefined;

export interface HolderGuardOptions {
  /** The authenticated node caller, or undefined for calls the guard does not govern (own staff). */
  readonly caller: (request: FastifyRequest) => GuardCaller | undefined;
  /**
   * The pseudonym of the client a request is about (undefined: refuse — no unscoped calls). It must
   * not depend on whether the search matched anything: judge the request, then the answer's
   * resources only to check they are all about her.
   */
  readonly subjectOf: (request: FastifyRequest, payload: unknown) => GuardSubject | Promise<GuardSubject>;
  /** The client's consents that apply at this holder (the register, plus local ones). */
  readonly consents: (request: FastifyRequest, subject: string) => ConsentRegister | Promise<ConsentRegister>;
  /** The region's rules as they are now (its configuration). */
  readonly rules: () => RegionRules;
  /** The national consent service's answer for this request, where the holder asks one (Mitz). */
  readonly national?: (request: FastifyRequest, caller: GuardCaller) => Promise<NationalAnswer | undefined>;
  /** Called once per answer, before it is sent (write the audit and access records here). */
  readonly record?: (answer: GuardedAnswer) => void | Promise<void>;
}

const forbidden = (diagnostics: string) => outcome('error', 'forbidden', diagnostics);

/** Links a guarded search keeps: its own page, and the one before (both follow from the query). */
const PAGE_LINKS = new Set(['self', 'previous']);

/**
 * A guarded search answer: no total (filterBundle), only the caller's own page links, and no
 * `next` once anything was withheld (it would say that more exists than was shown).
 */
function guardedLinks(bundle: Bundle, withheld: number): Bundle {
  const keep = (l: BundleLink) => PAGE_LINKS.has(l.relation) || (l.relation === 'next' && withheld === 0);
  const { link, ...rest } = bundle;
  const kept = link?.filter(keep) ?? [];
  return kept.length ? { ...rest, link: kept } : rest;
}

/** Payloads that carry no client data. */
const NOT_CLIENT_DATA = new Set(['OperationOutcome', 'CapabilityStatement']);

/** Registers the guard on an app (or an encapsulated FHIR route context). */
export function registerHolderGuard(app: FastifyInstance, options: HolderGuardOptions): void {
  const seen = new WeakSet<FastifyRequest>();
  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    const caller = options.caller(request);
    if (!caller) return payload;
    seen.add(request);
    const resource = payload as Resource | undefined;
    if (reply.statusCode >= 400 || !resource?.resourceType || NOT_CLIENT_DATA.has(resource.resourceType))
      return payload;
    const subject = await options.subjectOf(request, payload);
    if (subject === UNKNOWN_CLIENT && resource.resourceType === 'Bundle') {
      const { result, withheld } = filterBundle(resource as Bundle, () => NOT_ASKED);
      return guardedLinks(result, withheld);
    }
    if (typeof subject !== 'string') {
      reply.code(403);
      return forbidden('Geen cliënt in de vraag: alleen vragen over één cliënt zijn toegestaan.');
    }
    const decisions = new Map<string, AccessDecision>();
    const national = await options.national?.(request, caller);
    const inner = deciderFor(
      { ...caller.base, subject, ...(national ? { national } : {}) },
      await options.consents(request, subject),
      options.rules(),
    );
    const decide = (r: Resource): AccessDecision => {
      const category = categoryForConsent(r);
      if (caller.categories && !caller.categories.has(category)) return NOT_ASKED;
      const decision = inner(r);
      decisions.set(category, decision);
      return decision;
    };
    if (resource.resourceType === 'Bundle') {
      const { result, withheld } = filterBundle(resource as Bundle, decide);
      const disclosed = (result.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
      await options.record?.({ caller, subject, withheld, disclosed, decisions, request });
      return guardedLinks(result, withheld);
    }
    const read = guardRead(resource, decide);
    await options.record?.({
      caller,
      subject,
      withheld: read.ok ? 0 : 1,
      disclosed: read.ok ? [resource] : [],
      decisions,
      request,
    });
    if (read.ok) return resource;
    reply.code(403);
    return forbidden(read.decision.reason);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 300 || seen.has(request) || !options.caller(request)) return payload;
    // An answer that bypassed the guard (not serialised from an object): fail closed.
    reply.code(403).type('application/fhir+json');
    return JSON.stringify(forbidden('Dit antwoord kan niet op toestemming worden gecontroleerd.'));
  });
}
