// The region's pseudonym service over HTTP (run by the RSO's node): member nodes post a blinded
// element with their node token and get it evaluated with the region's key. It sees no BSN, and a
// member never sees the key.
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { evaluateBlinded, PseudonymError } from './pseudonym.ts';

export interface PseudonymServiceOptions {
  readonly secretKey: Uint8Array;
  /** Only member nodes: the node-token pre-handler. */
  readonly authenticate: preHandlerHookHandler;
}

const outcome = (diagnostics: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'invalid', diagnostics }],
});

export async function pseudonymServiceRoutes(
  app: FastifyInstance,
  options: PseudonymServiceOptions,
): Promise<void> {
  app.post<{ Body: { blinded?: unknown } }>(
    '/evaluate',
    { preHandler: options.authenticate },
    async (request, reply) => {
      const blinded = request.body?.blinded;
      if (typeof blinded !== 'string')
        return reply.code(400).send(outcome('send { "blinded": "<base64url element>" }'));
      try {
        return { evaluated: evaluateBlinded(options.secretKey, blinded) };
      } catch (error) {
        if (error instanceof PseudonymError) return reply.code(400).send(outcome(error.message));
        throw error;
      }
    },
  );
}
