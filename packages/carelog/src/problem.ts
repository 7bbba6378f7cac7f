// Typed problems of Mijn Zorg Log: a stable code for programs, a Dutch message for people, and the
// HTTP status the edge answers with: the error model's Problem (@ketenlog/problem), answered as an
// OperationOutcome by the one error handler.
import { fail, ok, type Problem, type Result } from '@ketenlog/problem';

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

/** A problem of Mijn Zorg Log: the error model's Problem with one of the codes above. */
export type CarelogProblem = Problem<ProblemCode> & { readonly status: 400 | 404 | 409 | 422 };

/** A value, or the problem that stopped it (the error model's Result with Mijn Zorg Log's codes). */
export type Outcome<T> = Result<T, ProblemCode>;

export const success = <T>(value: T): Outcome<T> => ok(value);

export function problem<T = never>(
  code: ProblemCode,
  text: string,
  status: CarelogProblem['status'] = 422,
): Outcome<T> {
  return fail(status, code, text);
}
