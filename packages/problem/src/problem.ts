// A problem a caller can act on: the HTTP status it answers with, a stable code for programs and a
// text for people. Every layer returns or throws this one shape (issue 18: one error model).
import type { OperationOutcome } from '@medplum/fhirtypes';
import { outcomeOf, type IssueCode } from './outcome.ts';

export interface Problem<Code extends string = string> {
  readonly status: number;
  /** A FHIR issue type, or a package's own stable code (carried as a coding of the issue's details). */
  readonly code: Code;
  /** For the person at the screen (Dutch where a person reads it). */
  readonly text: string;
}

/** A value, or the problem that stopped it. */
export type Result<T, Code extends string = string> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem<Code> };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const fail = <Code extends string>(
  status: number,
  code: Code,
  text: string,
): { readonly ok: false; readonly problem: Problem<Code> } => ({
  ok: false,
  problem: { status, code, text },
});

/**
 * A problem thrown through a call stack to the edge, where the one error handler answers it with
 * its status and OperationOutcome. `outcome` may carry several issues (a validation report).
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  readonly outcome: OperationOutcome;
  constructor(status: number, outcome: OperationOutcome) {
    super(outcome.issue?.map((i) => i.diagnostics).join('; ') ?? 'problem');
    this.status = status;
    this.outcome = outcome;
  }

  /** The error for one problem; `issue` is its FHIR issue type when `code` is a package's own. */
  static of(problem: Problem, issue?: IssueCode): ProblemError {
    return new ProblemError(problem.status, outcomeOf(problem, issue));
  }
}

/** Throws a problem as a ProblemError (for code that answers through the error handler). */
export function problem(status: number, code: string, text: string, issue?: IssueCode): ProblemError {
  return ProblemError.of({ status, code, text }, issue);
}
