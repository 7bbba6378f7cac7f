// A Fastify pre-handler for routes other nodes call: a valid node token or 401 with an
// OperationOutcome; the caller is on `request.nodeCaller`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NodeTokenError, type NodeCaller, type NodeTokenVerifier } from './node-token.ts';

declare module 'fastify' {
  interface FastifyRequest {
    nodeCaller?: NodeCaller;
  }
}

const outcome = (diagnostics: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'login', diagnostics }],
});

export function requireNodeToken(verifier: NodeTokenVerifier) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .type('application/fhir+json')
        .send(outcome('a node token is required'));
      return;
    }
    try {
      request.nodeCaller = await verifier.verify(token);
    } catch (error) {
      if (!(error instanceof NodeTokenError)) throw error;
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer error="invalid_token"')
        .type('application/fhir+json')
        .send(outcome(error.message));
    }
  };
}
