// FHIR's refusals on the one error model (@ketenlog/problem): a ProblemError per HTTP status the
// FHIR API answers with, and the OperationOutcome helpers routes use.
import { outcome, ProblemError } from '@ketenlog/problem';

export {
  allOk,
  FHIR_JSON,
  issues,
  outcome,
  ProblemError,
  replyOutcome,
  sendOutcome,
  type IssueCode,
} from '@ketenlog/problem';

export const badRequest = (diagnostics: string, expression?: string): ProblemError =>
  new ProblemError(400, outcome('error', 'invalid', diagnostics, expression));
export const notFound = (diagnostics: string): ProblemError =>
  new ProblemError(404, outcome('error', 'not-found', diagnostics));
export const gone = (diagnostics: string): ProblemError =>
  new ProblemError(410, outcome('error', 'deleted', diagnostics));
export const conflict = (diagnostics: string): ProblemError =>
  new ProblemError(409, outcome('error', 'conflict', diagnostics));
export const preconditionFailed = (diagnostics: string): ProblemError =>
  new ProblemError(412, outcome('error', 'conflict', diagnostics));
export const unprocessable = (diagnostics: string, expression?: string): ProblemError =>
  new ProblemError(422, outcome('error', 'processing', diagnostics, expression));
export const notSupported = (diagnostics: string): ProblemError =>
  new ProblemError(400, outcome('error', 'not-supported', diagnostics));
