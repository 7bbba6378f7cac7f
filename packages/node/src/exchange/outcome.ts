// The one way exchange routes answer an error: a FHIR OperationOutcome with the HTTP status.
import type { FastifyReply } from 'fastify';

export const replyOutcome = (reply: FastifyReply, status: number, code: string, diagnostics: string) =>
  reply
    .code(status)
    .type('application/fhir+json')
    .send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });
