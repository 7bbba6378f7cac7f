// The one error model below every Ketenlog package (issue 18): a problem (status, code, text),
// Result<T> where a value-or-problem is returned, ProblemError where one is thrown to the edge, the
// OperationOutcome it becomes, and the one Fastify error handler.
export { fail, ok, problem, ProblemError, type Problem, type Result } from './problem.ts';
export {
  allOk,
  FHIR_JSON,
  ISSUE_CODES,
  issueCodeFor,
  issues,
  outcome,
  outcomeOf,
  PROBLEM_SYSTEM,
  type IssueCode,
} from './outcome.ts';
export { installErrorHandlers, malformedJsonText, replyOutcome, replyProblem, sendOutcome } from './http.ts';
export type { Component } from './lifecycle.ts';
