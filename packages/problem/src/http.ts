// Problems over HTTP: the one way a route answers with an OperationOutcome, and the one Fastify
// error handler every Ketenlog server installs at its root (no plugin sets its own).
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { FHIR_JSON, issueCodeFor, outcome, outcomeOf, type IssueCode } from './outcome.ts';
import { ProblemError, type Problem } from './problem.ts';

export function sendOutcome(reply: FastifyReply, status: number, body: OperationOutcome): FastifyReply {
  return reply.code(status).type(FHIR_JSON).send(body);
}

/** An error answer with one issue: the HTTP status, its FHIR issue type and the text. */
export const replyOutcome = (reply: FastifyReply, status: number, code: IssueCode, diagnostics: string) =>
  sendOutcome(reply, status, outcome('error', code, diagnostics));

/** A problem as the answer. */
export const replyProblem = (reply: FastifyReply, problem: Problem, issue?: IssueCode) =>
  sendOutcome(reply, problem.status, outcomeOf(problem, issue));

/**
 * What was wrong with a malformed JSON body, never quoting it: V8 quotes a stretch of the body
 * ("Unexpected token 'a', \"{\"bsn\": 9…\" is not valid JSON"), which can hold personal data.
 */
export function malformedJsonText(error: Error): string {
  return `Malformed JSON: ${error.message.replace(/, ".*" is not valid JSON$/s, ' (not valid JSON)')}`;
}

type ThrownError = FastifyError | ProblemError | (Error & { statusCode?: number; validation?: unknown });

/** A 4xx a parser or Fastify itself raised (malformed JSON, body too large, wrong media type). */
function clientStatus(error: ThrownError): number | undefined {
  if ('validation' in error && error.validation) return 400;
  const status = 'statusCode' in error ? error.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) return status;
  return error instanceof SyntaxError ? 400 : undefined;
}

/**
 * Every error leaves as an OperationOutcome: a ProblemError with its status and outcome; a body
 * the parsers or a route's schema refused as a 4xx naming what was wrong; anything unexpected as a
 * 500 that names no internals. Refused bodies are logged by route and status only: a parser's
 * message may quote the body, which can hold personal data (it goes back only to its sender).
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: ThrownError, request, reply) => {
    const refused = (status: number) =>
      request.log.info(
        { route: request.routeOptions.url, method: request.method, status },
        'request refused',
      );
    if (error instanceof ProblemError) {
      if (error.status < 500) refused(error.status);
      return sendOutcome(reply, error.status, error.outcome);
    }
    const status = clientStatus(error);
    if (status === undefined) {
      request.log.error({ err: error, route: request.routeOptions.url }, 'unexpected error');
      return sendOutcome(reply, 500, outcome('error', 'exception', 'Internal server error'));
    }
    refused(status);
    const malformedJson =
      ('code' in error && error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') || error instanceof SyntaxError;
    const text = malformedJson
      ? malformedJsonText(error)
      : 'validation' in error && error.validation
        ? `Ongeldige invoer: ${error.message}`
        : error.message;
    const code: IssueCode = status === 413 || status === 415 ? issueCodeFor(status) : 'invalid';
    return sendOutcome(reply, status, outcome('error', code, text));
  });
  app.setNotFoundHandler((request, reply) =>
    sendOutcome(
      reply,
      404,
      outcome('error', 'not-found', `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
