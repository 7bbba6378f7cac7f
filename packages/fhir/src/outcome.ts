// OperationOutcomes, the shape every Ketenlog HTTP error has, and the one way a route sends one.
import type { FastifyReply } from 'fastify';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** FHIR issue type codes we use (http://hl7.org/fhir/R4/valueset-issue-type.html). */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'not-found'
  | 'deleted'
  | 'conflict'
  | 'duplicate'
  | 'not-supported'
  | 'too-costly'
  | 'processing'
  | 'business-rule'
  | 'security'
  | 'forbidden'
  | 'login'
  | 'exception'
  | 'transient'
  | 'timeout'
  | 'throttled'
  | 'incomplete'
  | 'informational';

/** A domain error that a caller can act on: an HTTP status and the OperationOutcome to return. */
export class FhirError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  constructor(status: number, outcome: OperationOutcome) {
    super(outcome.issue?.map((i) => i.diagnostics).join('; ') ?? 'FHIR error');
    this.name = 'FhirError';
    this.status = status;
    this.outcome = outcome;
  }
}

/**
 * A refusal a route's error handler answers: an HTTP status, an issue code and a message for the
 * OperationOutcome's one issue. `Code` is a FHIR issue type unless a package has its own codes.
 */
export class HttpProblem<Code extends string = IssueCode> extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly code: Code;
  constructor(status: number, code: Code, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function outcome(
  severity: OperationOutcomeIssue['severity'],
  code: IssueCode,
  diagnostics: string,
  expression?: string,
): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression) issue.expression = [expression];
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

export function issues(list: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: list };
}

export const badRequest = (diagnostics: string, expression?: string): FhirError =>
  new FhirError(400, outcome('error', 'invalid', diagnostics, expression));
export const notFound = (diagnostics: string): FhirError =>
  new FhirError(404, outcome('error', 'not-found', diagnostics));
export const gone = (diagnostics: string): FhirError =>
  new FhirError(410, outcome('error', 'deleted', diagnostics));
export const conflict = (diagnostics: string): FhirError =>
  new FhirError(409, outcome('error', 'conflict', diagnostics));
export const preconditionFailed = (diagnostics: string): FhirError =>
  new FhirError(412, outcome('error', 'conflict', diagnostics));
export const unprocessable = (diagnostics: string, expression?: string): FhirError =>
  new FhirError(422, outcome('error', 'processing', diagnostics, expression));
export const notSupported = (diagnostics: string): FhirError =>
  new FhirError(400, outcome('error', 'not-supported', diagnostics));

export const allOk = (diagnostics = 'All OK'): OperationOutcome =>
  outcome('information', 'informational', diagnostics);

export function sendOutcome(reply: FastifyReply, status: number, body: OperationOutcome): FastifyReply {
  return reply.code(status).type(FHIR_JSON).send(body);
}

/** An error answer with one issue: the HTTP status, its FHIR issue type and the text. */
export const replyOutcome = (reply: FastifyReply, status: number, code: IssueCode, diagnostics: string) =>
  sendOutcome(reply, status, outcome('error', code, diagnostics));
