// Delegation (issue 4 item 7): a client lets a representative act for her, for the statement kinds
// and the period she chooses. The representative signs with her own passkey and every action she
// takes records whom she acted for. Revocation takes effect at once: every check reads the
// repository, nothing is cached. On the logbook a delegation is a `consent` grant with purpose
// `delegation`, one per statement kind (packages/region/README.md), signed by the client.
import { randomUUID } from 'node:crypto';
import { KIND_CONSENT, type Statement, type StatementBodies, type StatementKind } from '@ketenlog/logbook';
import { CLIENT_ONLY_KINDS, DELEGATION_PURPOSE } from '@ketenlog/region';
import type { StatementDraft } from './statement-draft.ts';

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
  /** Hashes (base64) of the client's signed logbook grants for this delegation. */
  readonly logbookGrants: readonly string[];
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
  return {
    ...request,
    kinds: [...new Set(request.kinds)],
    id: randomUUID(),
    createdAt: now,
    logbookGrants: [],
  };
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
  /** Records the hash of a signed logbook grant that carries the delegation. */
  addLogbookGrant(id: string, hash: string): Promise<void>;
}

/**
 * The logbook side, for the client to sign: one `consent` grant per delegated kind. The logbook's
 * consent has no period, so when the period ends or the client revokes, she signs the revocations
 * (delegationRevocationDrafts) of the grants recorded with the delegation.
 */
export function delegationGrantDrafts(delegation: Delegation): StatementDraft[] {
  return delegation.kinds.map((kind) => ({
    kind: KIND_CONSENT,
    subject: delegation.client,
    body: {
      decision: 'grant',
      grantee: delegation.representative,
      category: kind,
      purpose: DELEGATION_PURPOSE,
    },
  }));
}

/** Revocations of the delegation's logbook grants. */
export function delegationRevocationDrafts(delegation: Delegation): StatementDraft[] {
  return delegation.logbookGrants.map((revokes) => ({
    kind: KIND_CONSENT,
    subject: delegation.client,
    body: { decision: 'revocation', revokes },
  }));
}

/** The client's unrevoked delegation a signed logbook grant belongs to, if any. */
export function delegationOfGrant(
  granted: readonly Delegation[],
  statement: Statement,
): Delegation | undefined {
  if (statement.kind !== KIND_CONSENT) return undefined;
  const body = statement.body as StatementBodies[typeof KIND_CONSENT];
  if (body.decision !== 'grant' || body.purpose !== DELEGATION_PURPOSE) return undefined;
  return granted.find(
    (d) =>
      d.revokedAt === undefined &&
      d.client === statement.subject &&
      d.representative === body.grantee &&
      (d.kinds as readonly string[]).includes(body.category ?? ''),
  );
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
