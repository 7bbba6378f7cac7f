// Cross-site request forgery: a state-changing request that rides on a session cookie must come
// from the node's own pages. The session cookie is SameSite=Strict already; this is the second
// line (OWASP CSRF cheat sheet: verifying the origin with standard headers). A request whose
// `Origin` (or, without one, `Sec-Fetch-Site`) names another site is refused with 403. Requests
// with a bearer token or without a session cookie are not the browser's ambient credential and
// pass to their own checks.
import type { FastifyInstance } from 'fastify';
import { sessionIdFrom } from '@ketenlog/auth';
import { replyOutcome } from '@ketenlog/problem';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origins a node's own pages are served from: its base URL, and `localhost` for loopback. */
export function ownOrigins(baseUrl: string): Set<string> {
  const url = new URL(baseUrl);
  const origins = new Set([url.origin]);
  if (url.hostname === '127.0.0.1')
    origins.add(`${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`);
  if (url.hostname === 'localhost')
    origins.add(`${url.protocol}//127.0.0.1${url.port ? `:${url.port}` : ''}`);
  return origins;
}

export function registerSameOriginCheck(app: FastifyInstance, origins: ReadonlySet<string>): void {
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE.has(request.method) || request.headers.authorization) return;
    if (sessionIdFrom(request.headers.cookie) === undefined) return;
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    const foreign =
      origin !== undefined
        ? origin === 'null' || !origins.has(origin)
        : site === 'cross-site' || site === 'same-site';
    if (foreign)
      return replyOutcome(
        reply,
        403,
        'forbidden',
        'Dit verzoek komt niet van de eigen pagina’s van dit knooppunt.',
      );
  });
}
