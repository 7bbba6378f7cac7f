// Statement drafts: what a carelog statement says before its author and time are filled in and it
// is signed (by the organisation's key, the carer's key, or the client's passkey).
import {
  STATEMENT_VERSION,
  statementHash,
  toBase64,
  validateStatement,
  type Statement,
  type StatementBodies,
  type StatementOf,
  type KIND_CARELOG_APPROVAL,
  type KIND_CARELOG_ENTRY,
  type KIND_CARELOG_INDICATION,
} from '@ketenlog/logbook';
import { problem, success, type Outcome } from './problem.ts';

export type CarelogKind =
  typeof KIND_CARELOG_INDICATION | typeof KIND_CARELOG_ENTRY | typeof KIND_CARELOG_APPROVAL;

export interface Draft<K extends CarelogKind> {
  readonly kind: K;
  readonly subject: string;
  readonly body: StatementBodies[K];
}

/** The statement to sign: the draft with its author (key ID) and issued-at (seconds). */
export function statementOf<K extends CarelogKind>(
  draft: Draft<K>,
  author: string,
  iat: number,
): StatementOf<K> {
  return { kind: draft.kind, v: STATEMENT_VERSION, author, iat, subject: draft.subject, body: draft.body };
}

/** Checks the statement against the logbook's schema for its kind (KIND_RULES). */
export function checkSchema(statement: Statement): Outcome<Statement> {
  const valid = validateStatement(statement);
  return valid.ok
    ? success(valid.value)
    : problem('invalid-input', `Ongeldige invoer: ${valid.problem.text}`, 400);
}

/** base64 SHA-256 of the statement: how approvals and re-indications cite it. */
export function hashOf(statement: Statement): string {
  return toBase64(statementHash(statement));
}

/** The WebAuthn challenge for a statement: base64url of its hash (as the passkey signs it). */
export function challengeOf(statement: Statement): string {
  return Buffer.from(statementHash(statement)).toString('base64url');
}
