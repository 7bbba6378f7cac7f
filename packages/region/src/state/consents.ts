// The consent register, folded from `consent` statements (kinds/consent.ts): per pseudonym, every grant and objection (sorted by position) and every
// revocation. What is in force is derived from these facts, never from arrival order:
// - a revocation takes its consent out, wherever the two sit;
// - of two unrevoked decisions with exactly the same scope, the later one (by position) stands;
// - to decide a request, the most specific decision in force that covers it wins, and an
//   objection wins a tie with a grant (GF precedence, DESIGN.md "Exchange").
// Delegations are consents with purpose `delegation`: the grantee is the representative's key
// holder, the category the statement kind she may author for the client (none: every kind).
import { comparePositions, type EntryPosition, type Positioned } from './position.ts';

/** The consent purpose that makes a grant a delegation. */
export const DELEGATION_PURPOSE = 'delegation';

export interface ConsentScope {
  readonly grantee?: string;
  readonly category?: string;
  readonly purpose?: string;
}

export interface ConsentRecord extends Positioned {
  readonly decision: 'grant' | 'objection';
  readonly scope: ConsentScope;
  /** Key ID of the author: the client's own key, or her delegate's. */
  readonly author: string;
}

export interface ConsentRevocation {
  readonly hash: string;
  readonly at: EntryPosition;
  readonly author: string;
}

export interface ConsentLedger {
  readonly records: ConsentRecord[];
  /** Keyed by the hash of the revoked consent statement. */
  readonly revocations: Map<string, ConsentRevocation>;
}

/** pseudonym → ledger. */
export type ConsentRegister = Map<string, ConsentLedger>;

function sameScope(a: ConsentScope, b: ConsentScope): boolean {
  return a.grantee === b.grantee && a.category === b.category && a.purpose === b.purpose;
}

/** Grants and objections in force: not revoked, and not superseded by a later one of the same scope. */
export function consentsInForce(ledger: ConsentLedger | undefined): ConsentRecord[] {
  if (!ledger) return [];
  const live = ledger.records.filter((r) => !ledger.revocations.has(r.hash));
  return live.filter(
    (r) => !live.some((later) => sameScope(later.scope, r.scope) && comparePositions(later.at, r.at) > 0),
  );
}

/** A fully named request: who wants which category for which purpose. */
export interface ConsentRequest {
  readonly grantee: string;
  readonly category: string;
  readonly purpose: string;
}

export interface ConsentDecision {
  readonly decision: 'grant' | 'objection' | 'none';
  /** The statement hash the decision rests on. */
  readonly basis?: string;
}

function covers(scope: ConsentScope, request: ConsentRequest): boolean {
  return (
    (scope.grantee === undefined || scope.grantee === request.grantee) &&
    (scope.category === undefined || scope.category === request.category) &&
    (scope.purpose === undefined || scope.purpose === request.purpose)
  );
}

function specificity(scope: ConsentScope): number {
  return (
    Number(scope.grantee !== undefined) +
    Number(scope.category !== undefined) +
    Number(scope.purpose !== undefined)
  );
}

function decide(records: readonly ConsentRecord[], request: ConsentRequest): ConsentDecision {
  let best: ConsentRecord | undefined;
  for (const record of records) {
    if (!covers(record.scope, request)) continue;
    if (!best) {
      best = record;
      continue;
    }
    const diff = specificity(record.scope) - specificity(best.scope);
    const wins =
      diff > 0 ||
      (diff === 0 && record.decision === 'objection' && best.decision === 'grant') ||
      (diff === 0 && record.decision === best.decision && comparePositions(record.at, best.at) > 0);
    if (wins) best = record;
  }
  return best ? { decision: best.decision, basis: best.hash } : { decision: 'none' };
}

/** The client's effective decision on a data request; delegations never count as data consent. */
export function effectiveConsent(
  register: ConsentRegister,
  pseudonym: string,
  request: ConsentRequest,
): ConsentDecision {
  const records = consentsInForce(register.get(pseudonym)).filter(
    (r) => r.scope.purpose !== DELEGATION_PURPOSE,
  );
  return decide(records, request);
}

/** Whether `holder` may author statements of `kind` for the client now. */
export function delegationInForce(
  register: ConsentRegister,
  pseudonym: string,
  holder: string,
  kind: string,
): boolean {
  const records = consentsInForce(register.get(pseudonym)).filter(
    (r) => r.scope.purpose === DELEGATION_PURPOSE && r.scope.grantee !== undefined,
  );
  return (
    decide(records, { grantee: holder, category: kind, purpose: DELEGATION_PURPOSE }).decision === 'grant'
  );
}

export interface Delegation {
  readonly grantee: string;
  /** The statement kind delegated; undefined for every kind the delegate role may author. */
  readonly kind?: string;
  readonly basis: string;
}

/** The delegation grants in force for a client. */
export function delegationsOf(register: ConsentRegister, pseudonym: string): Delegation[] {
  return consentsInForce(register.get(pseudonym))
    .filter(
      (r) =>
        r.decision === 'grant' && r.scope.purpose === DELEGATION_PURPOSE && r.scope.grantee !== undefined,
    )
    .map((r) => ({
      grantee: r.scope.grantee as string,
      ...(r.scope.category === undefined ? {} : { kind: r.scope.category }),
      basis: r.hash,
    }));
}

/** A consent statement of this client, by hash (what a revocation must name). */
export function findConsent(
  register: ConsentRegister,
  pseudonym: string,
  hash: string,
): ConsentRecord | undefined {
  return register.get(pseudonym)?.records.find((r) => r.hash === hash);
}
