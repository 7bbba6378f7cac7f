// Exchange at a region member (packages/exchange), wired: the node's logbook, membership, sessions,
// node-token verifier, outbound fetch and national consent, its access decision on the FHIR API as
// exchange reads it, who may read for a client (delegations on the logbook), and the BgZ query set.
// What exchange does with them — the holder's access check, the overview, the client's routes —
// lives in packages/exchange/src/member.
import type { FastifyRequest } from 'fastify';
import type { FhirRepository } from '@ketenlog/fhir';
import type { MemberFetch } from '@ketenlog/region';
import type { NodeTokenVerifier, SessionStore } from '@ketenlog/auth';
import type { Db } from '@ketenlog/storage';
import {
  Exchange,
  type ExchangeFhirAccess,
  type ExchangeFhirCaller,
  type NationalConsent,
} from '@ketenlog/exchange';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';
import type { FhirCaller } from '../access/fhir-caller.ts';
import { representativeMayRead } from '../access/representatives.ts';
import { BGZ_CONSENT_CATEGORIES, bgzQueriesFor } from '../national/bgz.ts';

export interface NodeExchangeOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  readonly repository: FhirRepository;
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
  /** The node's one node-token verifier (one replay register for every route). */
  readonly verifier: NodeTokenVerifier;
  /** The node's login sessions (professionals, clients); without them those routes refuse. */
  readonly sessions?: SessionStore | undefined;
  /** The national consent service this holder asks (Mitz, national/consent.ts). */
  readonly national?: NationalConsent | undefined;
}

/** The caller the node's access decision verified, as exchange acts on it. */
function exchangeCaller(caller: FhirCaller): ExchangeFhirCaller {
  switch (caller.kind) {
    case 'node':
    case 'professional':
    case 'client':
    case 'representative':
      return caller;
    default:
      return { kind: 'other' };
  }
}

/** What the node's access decision (access/fhir-access.ts) said about a request, for exchange. */
export function fhirAccessForExchange(request: FastifyRequest): ExchangeFhirAccess | undefined {
  const access = request.fhirAccess;
  return access ? { caller: exchangeCaller(access.caller), interaction: access.interaction } : undefined;
}

export function nodeExchange(options: NodeExchangeOptions): Exchange {
  const { logbook } = options;
  return new Exchange({
    ...options,
    fhirAccessOf: fhirAccessForExchange,
    representativeMayRead: representativeMayRead(() => logbook.state.consents),
    querySets: { bgz: { categories: BGZ_CONSENT_CATEGORIES, queriesFor: bgzQueriesFor } },
  });
}
