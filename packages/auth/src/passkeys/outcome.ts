// Error answers of the login and signing routes: a FHIR OperationOutcome with one issue, as every
// Ketenlog HTTP API answers errors.
import type { FastifyReply } from 'fastify';

export type IssueCode =
  'invalid' | 'login' | 'forbidden' | 'duplicate' | 'not-found' | 'throttled' | 'exception';

export function operationOutcome(code: IssueCode, diagnostics: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] } as const;
}

export function sendOutcome(reply: FastifyReply, status: number, code: IssueCode, diagnostics: string) {
  return reply.code(status).type('application/fhir+json').send(operationOutcome(code, diagnostics));
}
