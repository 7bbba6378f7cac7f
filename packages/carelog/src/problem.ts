// Typed problems of Mijn Zorg Log: a stable code for programs, a Dutch message for people, and the
// HTTP status the edge answers with (an OperationOutcome in routes.ts).

export type ProblemCode =
  | 'invalid-input'
  | 'indication-hours-out-of-range'
  | 'indication-days-out-of-range'
  | 'indication-package-hours'
  | 'indication-exists'
  | 'indication-unknown'
  | 'reindication-no-change'
  | 'reindication-out-of-range'
  | 'entry-invalid-time'
  | 'entry-invalid-activity'
  | 'entry-overlap'
  | 'entry-in-future'
  | 'entry-outside-care-period'
  | 'entry-over-budget'
  | 'carer-not-assigned'
  | 'carer-unknown'
  | 'carer-key-known'
  | 'entry-unknown'
  | 'correction-of-unrejected-entry'
  | 'correction-already-made'
  | 'approval-needs-reason'
  | 'approval-already-decided'
  | 'approval-not-client'
  | 'entry-not-approved'
  | 'entry-already-declared'
  | 'declaration-unknown'
  | 'statement-mismatch'
  | 'refused-by-logbook';

export interface Problem {
  readonly code: ProblemCode;
  /** Dutch, for the person at the screen. */
  readonly message: string;
  readonly status: 400 | 404 | 409 | 422;
}

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

export const success = <T>(value: T): Outcome<T> => ({ ok: true, value });

export function problem<T = never>(
  code: ProblemCode,
  message: string,
  status: Problem['status'] = 422,
): Outcome<T> {
  return { ok: false, problem: { code, message, status } };
}
