// Who may call the national interfaces a member serves (the mCSD directory, the NVI): decided from
// the same verified credentials as the FHIR API (access/fhir-caller.ts), default deny.
// - another member's node (a node token): read, and register its own holdings at the NVI;
// - this organisation's systems (SMART Backend Services): read; register when granted a write scope;
// - a professional acting for this organisation: read.
// Clients, representatives and patient apps have no business with a directory or an index of
// other people's records: 403. No credential: 401. Trusted networks do not reach these routes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authorize, NationalCaller } from '@ketenlog/national';
import { resolveFhirCaller, type CredentialResolvers } from '../access/fhir-caller.ts';
import { fail, ok, replyOutcome, replyProblem } from '@ketenlog/problem';

const WRITE_SCOPE = /^system\/(\*|List)\.(write|\*|c[a-z]*)$/;

export function nationalAuthorize(
  credentials: Omit<CredentialResolvers, 'trustedNetworks'>,
  ura: string,
): Authorize {
  return async (request) => {
    const result = await resolveFhirCaller(request, credentials);
    if (!result.ok) return fail(result.status, result.status === 401 ? 'login' : 'forbidden', result.text);
    const caller = result.caller;
    switch (caller.kind) {
      case 'node':
        return ok({
          ura: caller.node.organisation.ura,
          clientId: caller.node.organisation.node.id,
          mayWrite: true,
        });
      case 'system':
        return ok({
          ura,
          clientId: caller.access.clientId,
          mayWrite: caller.access.scope.split(' ').some((s) => WRITE_SCOPE.test(s)),
        });
      case 'professional':
        return ok({ ura, clientId: `professional:${caller.id}`, mayWrite: false });
      default:
        return fail(
          403,
          'forbidden',
          'Alleen knooppunten van de regio, systemen en professionals van deze organisatie.',
        );
    }
  };
}

/**
 * For the node's own national routes (status, publish, ask the NVI): a caller acting for this
 * organisation, or undefined once the refusal (401/403) has been sent.
 */
export function ownCaller(authorize: Authorize, ura: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<NationalCaller | undefined> => {
    const result = await authorize(request);
    if (!result.ok) {
      await replyProblem(reply, result.problem);
      return undefined;
    }
    if (result.value.ura === ura) return result.value;
    await replyOutcome(reply, 403, 'forbidden', 'Alleen voor deze organisatie.');
    return undefined;
  };
}
