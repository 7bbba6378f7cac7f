// A Fastify pre-handler for routes other nodes call: a valid node token or 401 with an
// OperationOutcome; the caller is on `request.nodeCaller`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NodeTokenError, type NodeCaller, type NodeTokenVerifier } from './node-token.ts';
import { replyOutcome } from '@ketenlog/problem';

declare module 'fastify' {
  interface FastifyRequest {
    nodeCaller?: NodeCaller;
  }
}

export function requireNodeToken(verifier: NodeTokenVerifier) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) {
      await replyOutcome(
        reply.header('www-authenticate', 'Bearer'),
        401,
        'login',
        'a node token is required',
      );
      return;
    }
    try {
      request.nodeCaller = await verifier.verify(token);
    } catch (error) {
      if (!(error instanceof NodeTokenError)) throw error;
      await replyOutcome(
        reply.header('www-authenticate', 'Bearer error="invalid_token"'),
        401,
        'login',
        error.message,
      );
    }
  };
}
