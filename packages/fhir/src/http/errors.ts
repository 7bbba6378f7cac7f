import type { FastifyError, FastifyInstance } from 'fastify';
import { FhirError, outcome, sendOutcome } from '../outcome.ts';

/**
 * Every error leaves as an OperationOutcome: our own FhirErrors with their status, Fastify's
 * client errors (malformed JSON, body too large, unsupported media type) as 4xx, and anything
 * unexpected as a 500 that names no internals.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | FhirError, request, reply) => {
    if (error instanceof FhirError) return sendOutcome(reply, error.status, error.outcome);
    const status = 'statusCode' in error && error.statusCode ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'unexpected error');
      return sendOutcome(reply, 500, outcome('error', 'exception', 'Internal server error'));
    }
    const code = status === 413 ? 'too-costly' : status === 415 ? 'not-supported' : 'invalid';
    const message =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? `Malformed JSON: ${error.message}`
        : error.message;
    return sendOutcome(reply, status, outcome('error', code, message));
  });
  app.setNotFoundHandler((request, reply) =>
    sendOutcome(
      reply,
      404,
      outcome('error', 'not-found', `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
