import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { portalPlugin } from '../server/plugin.ts';

/**
 * A front server for tests and benchmarks until the node registers the portal itself: the portal
 * from the plugin, /fhir and /auth forwarded to one node. Listens on 127.0.0.1; browse it as
 * localhost (WebAuthn).
 */
export async function startPortalFront(
  root: string,
  nodeOrigin: string,
): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify();
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'content-type', 'cookie', 'origin'])
      if (typeof request.headers[name] === 'string') headers[name] = request.headers[name] as string;
    const answer = await fetch(nodeOrigin + request.url, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    });
    reply.code(answer.status);
    for (const name of ['content-type', 'location', 'set-cookie']) {
      const value = answer.headers.get(name);
      if (value) reply.header(name, value);
    }
    return reply.send(Buffer.from(await answer.arrayBuffer()));
  };
  app.all('/fhir/*', forward);
  app.all('/auth/*', forward);
  await app.register(portalPlugin, { root });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, origin: address.replace('127.0.0.1', 'localhost') };
}
