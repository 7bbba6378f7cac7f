// `consent`: a client's grant, objection or revocation — and, with purpose `delegation`, her
// representative's mandate. Folds into the consent register (state/consents.ts), which derives
// what is in force from positions, never from arrival.
import { KIND_CONSENT, type ConsentBody, type Statement, type StatementOf } from '@ketenlog/logbook';
import { CLIENT_ONLY_KINDS } from '../config/region-config.ts';
import {
  DELEGATION_PURPOSE,
  findConsent,
  type ConsentRegister,
  type ConsentScope,
} from '../state/consents.ts';
import { insertByPosition, setEarliest, type EntryPosition } from '../state/position.ts';
import type { RegionState } from '../state/region-state.ts';
import { OK, refuse, type RegionKind } from './kind.ts';

export type ConsentStatement = StatementOf<typeof KIND_CONSENT>;

function scopeOf(body: ConsentBody): ConsentScope {
  return {
    ...(body.grantee === undefined ? {} : { grantee: body.grantee }),
    ...(body.category === undefined ? {} : { category: body.category }),
    ...(body.purpose === undefined ? {} : { purpose: body.purpose }),
  };
}

export function applyConsentStatement(
  register: ConsentRegister,
  statement: ConsentStatement,
  hash: string,
  at: EntryPosition,
): void {
  const subject = statement.subject as string;
  const ledger = register.get(subject) ?? { records: [], revocations: new Map() };
  register.set(subject, ledger);
  const { body, author } = statement;
  if (body.decision === 'revocation') {
    setEarliest(ledger.revocations, body.revokes as string, { hash, at, author });
    return;
  }
  insertByPosition(ledger.records, { hash, at, decision: body.decision, scope: scopeOf(body), author });
}

/** Whether a statement grants or revokes a delegation (only the client herself may). */
export function touchesDelegation(state: Pick<RegionState, 'consents'>, statement: Statement): boolean {
  if (statement.kind !== KIND_CONSENT) return false;
  const body = (statement as ConsentStatement).body;
  if (body.purpose === DELEGATION_PURPOSE) return true;
  if (body.revokes === undefined || statement.subject === undefined) return false;
  return findConsent(state.consents, statement.subject, body.revokes)?.scope.purpose === DELEGATION_PURPOSE;
}

export const consentKind: RegionKind<typeof KIND_CONSENT> = {
  kind: KIND_CONSENT,
  multiParty: false,
  judged: true,
  judge(ctx, s) {
    const subject = s.subject as string;
    const { body } = s;
    if (body.decision === 'revocation') {
      const revoked = body.revokes as string;
      if (!findConsent(ctx.state.consents, subject, revoked))
        return refuse(`revokes a consent ${revoked} this client never gave`);
      if (ctx.state.consents.get(subject)?.revocations.has(revoked))
        return refuse(`consent ${revoked} is already revoked`);
      return OK;
    }
    if (body.purpose === DELEGATION_PURPOSE) {
      if (body.grantee === undefined) return refuse('a delegation names its grantee');
      if (body.category !== undefined && !(CLIENT_ONLY_KINDS as readonly string[]).includes(body.category))
        return refuse(`a delegation's category is one of ${CLIENT_ONLY_KINDS.join(', ')}`);
    }
    return OK;
  },
  fold: (state, s, fact) => applyConsentStatement(state.consents, s, fact.hash, fact.at),
  // k1 the client.
  lookup: (s) => [s.subject ?? null, null, null],
};
