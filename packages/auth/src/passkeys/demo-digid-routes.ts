// The demo stand-in's own page (see demo-digid.ts), as a Fastify plugin. Only for the demo region:
// it lets anyone pick a demo person. Register it at the prefix the DemoDigiD's pagePath names.
import type { FastifyInstance } from 'fastify';
import type { DemoDigiD } from './demo-digid.ts';
import { replyOutcome } from '@ketenlog/problem';

/** A same-origin path to send the browser back to; no scheme, no host, no `//`. */
const isLocalPath = (path: string) => path.startsWith('/') && !path.startsWith('//') && !path.includes('\\');

export async function demoDigidRoutes(
  app: FastifyInstance,
  options: { readonly digid: DemoDigiD },
): Promise<void> {
  const { digid } = options;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.get('/demo-digid', async (request, reply) => {
    const { state, callback } = request.query as Record<string, string | undefined>;
    if (!state || !callback || !isLocalPath(callback))
      return replyOutcome(reply, 400, 'invalid', 'state and a local callback path are required');
    return reply.type('text/html; charset=utf-8').send(digid.page(state, callback));
  });

  app.post('/demo-digid', async (request, reply) => {
    const { state, callback, person } = (request.body ?? {}) as Record<string, string | undefined>;
    if (!state || !callback || !isLocalPath(callback))
      return replyOutcome(reply, 400, 'invalid', 'state and a local callback path are required');
    const chosen = digid.personAt(Number(person));
    const code = chosen && (await digid.authorize(chosen.bsn));
    if (!code) return replyOutcome(reply, 400, 'invalid', 'unknown demo person');
    return reply.redirect(`${callback}?${new URLSearchParams({ code, state })}`);
  });
}
