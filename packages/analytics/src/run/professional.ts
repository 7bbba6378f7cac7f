// Who may use the research routes a person calls from the portal: a professional acting for this
// organisation. Without a session: 401 (log in). A client or her representative, logged in, is
// refused outright (403): research routes are never hers, and logging in again would not help.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  requireProfessional,
  sessionIdFrom,
  type ProfessionalActor,
  type SessionStore,
} from '@ketenlog/auth';
import { problem } from '@ketenlog/problem';

export async function professionalHere(
  sessions: SessionStore,
  request: FastifyRequest,
  reply: FastifyReply,
  now: number,
  organisation: string,
): Promise<ProfessionalActor | undefined> {
  const kind = (await sessions.get(sessionIdFrom(request.headers.cookie), now))?.principal.kind;
  if (kind === 'client' || kind === 'representative')
    throw problem(403, 'forbidden', 'research is for the professionals of the parties to an agreement');
  return requireProfessional(sessions, request, reply, now, organisation);
}
