// What exchange needs of the region member it runs in — the composition root (packages/node)
// implements these: the member's place in the region and its statement key, its logbook (the
// folded region state, and appending to its own log), and what the node's one access decision on
// its FHIR API says about a request.
import type { FastifyRequest } from 'fastify';
import type { SignedStatement } from '@ketenlog/logbook';
import type { ExchangeStateView, Organisation, RegionConfig } from '@ketenlog/region';
import type { Result } from '@ketenlog/problem';
import type { NodeCaller } from '@ketenlog/auth';

/**
 * The member: its region, its organisation in it, the key it signs statements with, and the secret
 * its derived keys come from (the pseudonym service's: kept across statement-key rotations).
 */
export interface ExchangeMembership {
  readonly region: RegionConfig;
  readonly organisation: Organisation;
  readonly statementKey: { readonly keyId: string; readonly secretKey: Uint8Array };
  readonly derivationSecret: Uint8Array;
}

/** The logbook as exchange needs it: the region state folded from the logs, and the own log. */
export interface ExchangeLogbook {
  readonly state: ExchangeStateView;
  /** Appends durably to this member's log (ok only once it is). */
  append(envelope: SignedStatement): Promise<Result<{ readonly index: number }>>;
}

/**
 * The verified caller of a FHIR request, as far as exchange acts on it: another member's (or this
 * node's own) node token — the holder guard judges it —, a professional of this organisation, a
 * client or her representative; every other caller is `other`.
 */
export type ExchangeFhirCaller =
  | { readonly kind: 'node'; readonly node: NodeCaller }
  | { readonly kind: 'professional' }
  | { readonly kind: 'client'; readonly holder: string }
  | { readonly kind: 'representative'; readonly client: string }
  | { readonly kind: 'other' };

/** The FHIR interaction a request was routed to (its kind; type, id and operation name when any). */
export interface ExchangeFhirInteraction {
  readonly kind: string;
  readonly type?: string;
  readonly id?: string;
  readonly name?: string;
}

/** The node's access decision on a FHIR request that passed it. */
export interface ExchangeFhirAccess {
  readonly caller: ExchangeFhirCaller;
  readonly interaction: ExchangeFhirInteraction;
}

/**
 * What the node's access decision said about a request: undefined for a request outside its FHIR
 * API (or one that did not pass). Exchange's hooks act only on what this returns, never on the raw
 * credentials.
 */
export type FhirAccessOf = (request: FastifyRequest) => ExchangeFhirAccess | undefined;
