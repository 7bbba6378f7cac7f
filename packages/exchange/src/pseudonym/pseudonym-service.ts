// The region's pseudonym service over HTTP (run by the RSO's node): member nodes post a blinded
// element with their node token and get it evaluated with the region's key. It sees no BSN, and a
// member never sees the key. It also keeps the per-client salt behind each client's logbook
// subject (subject-salts.ts): members turn a pseudonym into her subject at `/subject`, and her own
// node erases the salt at `/erasure` when she asks to be forgotten.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { evaluateBlinded, PseudonymError } from './pseudonym.ts';
import type { SubjectSalts } from './subject-salts.ts';
import { type IssueCode, outcome } from '@ketenlog/problem';

export interface PseudonymServiceOptions {
  readonly secretKey: Uint8Array;
  /** Only member nodes: the node-token pre-handler. */
  readonly authenticate: preHandlerAsyncHookHandler;
  readonly subjects: SubjectSalts;
  /** Whether the (authenticated) caller acts for the client with this subject, to erase her salt. */
  readonly mayErase: (request: FastifyRequest, subject: string) => boolean;
}

const refusal = (diagnostics: string, code: IssueCode = 'invalid') => outcome('error', code, diagnostics);

const PSEUDONYM = /^p[A-Za-z0-9_-]{32}$/;

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
        return reply.code(400).send(refusal('send { "blinded": "<base64url element>" }'));
      try {
        return { evaluated: evaluateBlinded(options.secretKey, blinded) };
      } catch (error) {
        if (error instanceof PseudonymError) return reply.code(400).send(refusal(error.message));
        throw error;
      }
    },
  );

  app.post<{ Body: { pseudonym?: unknown } }>(
    '/subject',
    { preHandler: options.authenticate },
    async (request, reply) => {
      const pseudonym = request.body?.pseudonym;
      if (typeof pseudonym !== 'string' || !PSEUDONYM.test(pseudonym))
        return reply.code(400).send(refusal('send { "pseudonym": "<region pseudonym>" }'));
      return { subject: await options.subjects.subjectFor(pseudonym) };
    },
  );

  app.post<{ Body: { subject?: unknown } }>(
    '/erasure',
    { preHandler: options.authenticate },
    async (request, reply) => {
      const subject = request.body?.subject;
      if (typeof subject !== 'string' || !PSEUDONYM.test(subject))
        return reply.code(400).send(refusal('send { "subject": "<logbook subject>" }'));
      if (!options.mayErase(request, subject))
        return reply
          .code(403)
          .send(refusal('Alleen het knooppunt van de cliënt zelf mag dit voor haar vragen.', 'forbidden'));
      return { erased: await options.subjects.erase(subject) };
    },
  );
}
