// Delegation routes (Fastify plugin): a logged-in client grants a representative the right to act
// for her (statement kinds and period), lists and revokes her grants; a logged-in representative
// lists what she holds and chooses, explicitly, the client she acts for. Revocation takes effect at
// once: sessions acting on the delegation drop it, and every signature re-checks the repository.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  checkDelegationRequest,
  delegationGrantDrafts,
  delegationRevocationDrafts,
  newDelegation,
  type Delegation,
  type DelegationRepository,
} from './delegation.ts';
import { sessionIdFrom, type Session, type SessionStore } from './session.ts';
import { replyOutcome } from '@ketenlog/problem';

export interface DelegationRoutesOptions {
  readonly sessions: SessionStore;
  readonly delegations: DelegationRepository;
  readonly now?: () => number;
}

export async function delegationRoutes(
  app: FastifyInstance,
  options: DelegationRoutesOptions,
): Promise<void> {
  const { sessions, delegations } = options;
  const now = options.now ?? Date.now;
  const sessionOf = (request: FastifyRequest): Promise<Session | undefined> =>
    sessions.get(sessionIdFrom(request.headers.cookie), now());

  app.post('/delegations', async (request, reply) => {
    const p = (await sessionOf(request))?.principal;
    if (p?.kind !== 'client') return replyOutcome(reply, 401, 'login', 'only a logged-in client delegates');
    const body = request.body as Partial<{
      representative: string;
      kinds: string[];
      validFrom: number;
      validUntil: number;
    }>;
    if (
      typeof body?.representative !== 'string' ||
      !Array.isArray(body.kinds) ||
      !body.kinds.every((k) => typeof k === 'string') ||
      typeof body.validUntil !== 'number'
    )
      return replyOutcome(reply, 400, 'invalid', 'send { representative, kinds, validFrom?, validUntil }');
    const wanted = {
      client: p.holder,
      representative: body.representative,
      kinds: body.kinds as Delegation['kinds'],
      validFrom: typeof body.validFrom === 'number' ? body.validFrom : now(),
      validUntil: body.validUntil,
    };
    const problem = checkDelegationRequest(wanted, now());
    if (problem) return replyOutcome(reply, 400, 'invalid', `delegation refused: ${problem}`);
    const delegation = newDelegation(wanted, now());
    await delegations.add(delegation);
    // The client signs these through the passkey signing routes to put the delegation on the logbook.
    return reply.code(201).send({ delegation, drafts: delegationGrantDrafts(delegation) });
  });

  app.get('/delegations', async (request, reply) => {
    const p = (await sessionOf(request))?.principal;
    if (p?.kind === 'client') return { granted: await delegations.grantedBy(p.holder) };
    if (p?.kind === 'representative') return { held: await delegations.heldBy(p.holder) };
    return replyOutcome(reply, 401, 'login', 'log in with your passkey first');
  });

  app.delete('/delegations/:id', async (request, reply) => {
    const p = (await sessionOf(request))?.principal;
    if (p?.kind !== 'client')
      return replyOutcome(reply, 401, 'login', 'only the client revokes her delegation');
    const { id } = request.params as { id: string };
    const delegation = await delegations.get(id);
    if (!delegation || delegation.client !== p.holder)
      return replyOutcome(reply, 404, 'not-found', 'no such delegation');
    if (!(await delegations.revoke(id, now())))
      return replyOutcome(reply, 409, 'duplicate', 'already revoked');
    // At once: sessions acting on it drop back to acting for no one.
    // On every process of the node: the sessions live in its database.
    await sessions.changeWhere((principal) => {
      if (principal.kind !== 'representative' || principal.actingFor?.delegation !== id) return undefined;
      const { actingFor: _dropped, ...rest } = principal;
      return rest;
    }, now());
    // The client signs these revocations to end the delegation on the logbook as well.
    return { revoked: id, drafts: delegationRevocationDrafts(delegation) };
  });

  app.post('/acting-for', async (request, reply) => {
    const session = await sessionOf(request);
    const p = session?.principal;
    if (!session || p?.kind !== 'representative')
      return replyOutcome(reply, 401, 'login', 'log in as a representative');
    const id = (request.body as { delegation?: unknown } | undefined)?.delegation;
    const delegation = typeof id === 'string' ? await delegations.get(id) : undefined;
    const at = now();
    if (
      !delegation ||
      delegation.representative !== p.holder ||
      delegation.revokedAt !== undefined ||
      !(delegation.validFrom <= at && at < delegation.validUntil)
    )
      return replyOutcome(reply, 403, 'forbidden', 'no delegation in force with this id');
    if (
      !(await sessions.update(
        session.id,
        { ...p, actingFor: { client: delegation.client, delegation: delegation.id } },
        at,
      ))
    )
      return replyOutcome(reply, 401, 'login', 'log in as a representative');
    return { actingFor: delegation.client, delegation: delegation.id };
  });
}
