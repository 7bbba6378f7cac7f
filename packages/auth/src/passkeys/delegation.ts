// Delegation (issue 4 item 7): a client lets a representative act for her, for the statement kinds
// and the period she chooses. The representative signs with her own passkey and every action she
// takes records whom she acted for. Revocation takes effect at once: every check reads the
// repository, nothing is cached. On the logbook a delegation is a `consent` grant with purpose
// `delegation`, one per statement kind (packages/region/README.md), signed by the client.
import { randomUUID } from 'node:crypto';
import { STATEMENT_VERSION, type Statement, type StatementKind } from '@ketenlog/logbook';
import { CLIENT_ONLY_KINDS, DELEGATION_PURPOSE } from '@ketenlog/region';

/** The statement kinds a client may delegate: those only she, or her delegate, may author. */
export const DELEGABLE_KINDS: readonly StatementKind[] = CLIENT_ONLY_KINDS;
export type DelegableKind = StatementKind;

export interface Delegation {
  readonly id: string;
  /** The client's pseudonym. */
  readonly client: string;
  /** The representative's holder identifier (her passkey's holder). */
  readonly representative: string;
  readonly kinds: readonly DelegableKind[];
  /** Epoch milliseconds; the delegation holds from validFrom up to (not including) validUntil. */
  readonly validFrom: number;
  readonly validUntil: number;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

export type DelegationRequest = Pick<
  Delegation,
  'client' | 'representative' | 'kinds' | 'validFrom' | 'validUntil'
>;

export type DelegationProblem =
  'representative-is-client' | 'no-kinds' | 'unknown-kind' | 'empty-period' | 'period-in-the-past';

/** Checks a client's request; the problem names what is wrong with it. */
export function checkDelegationRequest(
  request: DelegationRequest,
  now: number,
): DelegationProblem | undefined {
  if (request.representative === request.client) return 'representative-is-client';
  if (request.kinds.length === 0) return 'no-kinds';
  if (request.kinds.some((k) => !(DELEGABLE_KINDS as readonly string[]).includes(k))) return 'unknown-kind';
  if (!(request.validFrom < request.validUntil)) return 'empty-period';
  if (request.validUntil <= now) return 'period-in-the-past';
  return undefined;
}

export function newDelegation(request: DelegationRequest, now: number): Delegation {
  return { ...request, kinds: [...new Set(request.kinds)], id: randomUUID(), createdAt: now };
}

/** Whether the delegation lets its representative author `kind` for its client at `now`. */
export function delegationAllows(delegation: Delegation, kind: string, now: number): boolean {
  return (
    delegation.revokedAt === undefined &&
    delegation.validFrom <= now &&
    now < delegation.validUntil &&
    (delegation.kinds as readonly string[]).includes(kind)
  );
}

export interface DelegationRepository {
  add(delegation: Delegation): Promise<void>;
  get(id: string): Promise<Delegation | undefined>;
  /** Every delegation a client gave, revoked or not. */
  grantedBy(client: string): Promise<Delegation[]>;
  /** Every delegation a representative holds, revoked or not. */
  heldBy(representative: string): Promise<Delegation[]>;
  /** Revokes at once; false when it was already revoked or unknown. */
  revoke(id: string, at: number): Promise<boolean>;
}

/**
 * The logbook side: one `consent` grant per delegated kind, with the client's passkey key ID as
 * author. The logbook's consent body has no period, so the node revokes these when the period
 * ends (delegationRevocationStatements).
 */
export function delegationGrantStatements(
  delegation: Delegation,
  clientKeyId: string,
  iat: number,
): Statement[] {
  return delegation.kinds.map((kind) => ({
    kind: 'consent',
    v: STATEMENT_VERSION,
    author: clientKeyId,
    iat,
    subject: delegation.client,
    body: {
      decision: 'grant',
      grantee: delegation.representative,
      category: kind,
      purpose: DELEGATION_PURPOSE,
    },
  }));
}

/** Revocations of the given consent grants (base64 statement hashes), by the client's key. */
export function delegationRevocationStatements(
  client: string,
  grantHashes: readonly string[],
  clientKeyId: string,
  iat: number,
): Statement[] {
  return grantHashes.map((revokes) => ({
    kind: 'consent',
    v: STATEMENT_VERSION,
    author: clientKeyId,
    iat,
    subject: client,
    body: { decision: 'revocation', revokes },
  }));
}

/** What every action by a representative records: who acted, for whom, on which delegation. */
export interface ActingFor {
  readonly actor: string;
  readonly actingFor: string;
  readonly delegation: string;
}

/**
 * Authorises a representative's action of `kind` for `client` now: the delegation in force that
 * allows it, as the ActingFor to record, or undefined.
 */
export async function authoriseActingFor(
  delegations: DelegationRepository,
  representative: string,
  client: string,
  kind: string,
  now: number,
): Promise<ActingFor | undefined> {
  const held = await delegations.heldBy(representative);
  const found = held.find((d) => d.client === client && delegationAllows(d, kind, now));
  return found && { actor: representative, actingFor: client, delegation: found.id };
}
