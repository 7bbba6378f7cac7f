import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface PortalOptions {
  /** Directory of the built portal (vite build); defaults to apps/portal/dist. */
  root?: string;
  /** The region's public keys for receipt verification in the browser, served as JSON. */
  regionKeys?: () => unknown;
  /** Demo mode: every page says so ("Demo — geen echte gegevens"), from /portal/mode.js. */
  demo?: boolean;
}

export const PORTAL_PREFIX = '/portal';
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b3d66"/>' +
  '<path d="M4 4v8M4 8l6-4M4 8l6 4" stroke="#fff" stroke-width="2" fill="none"/></svg>';
export const defaultPortalRoot = fileURLToPath(new URL('../dist', import.meta.url));

/**
 * Serves the built portal under /portal/ with an SPA fallback limited to /portal/* (so it never
 * shadows /fhir, /auth, /logbook, /logs, /witness, /metrics or /healthz), and redirects / to it.
 * Register at the root: `await app.register(portalPlugin, { regionKeys })`.
 */
export async function portalPlugin(app: FastifyInstance, options: PortalOptions): Promise<void> {
  const root = options.root ?? defaultPortalRoot;
  const built = existsSync(`${root}/index.html`);
  app.get('/', async (_request, reply) => reply.redirect(`${PORTAL_PREFIX}/`, 302));
  // Browsers ask every origin for /favicon.ico (also on the /auth pages): the portal's mark, no 404.
  app.get('/favicon.ico', async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON),
  );
  await app.register(
    async (scope) => {
      // Read by index.html before the app starts: the node's mode, without a request of the app's own.
      scope.get('/mode.js', async (_request, reply) =>
        reply
          .type('text/javascript; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(`window.ketenlogMode = ${JSON.stringify({ demo: options.demo === true })};`),
      );
      scope.get('/api/region-keys', async (_request, reply) => {
        if (!options.regionKeys) return reply.code(404).send({ error: 'not-available' });
        return reply.header('cache-control', 'no-store').send(options.regionKeys());
      });
      if (!built) {
        scope.get('/*', async (_request, reply) =>
          reply
            .code(503)
            .type('text/plain; charset=utf-8')
            .send('Het portaal is nog niet gebouwd: npm run build -w @ketenlog/portal'),
        );
        return;
      }
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        index: ['index.html'],
        wildcard: true,
        preCompressed: true,
        setHeaders: (reply, path) => {
          reply.header(
            'cache-control',
            path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
      // SPA fallback for portal routes only (GET of an HTML page, not a missing asset).
      scope.setNotFoundHandler(async (request, reply) => {
        if (request.method !== 'GET' || request.url.includes('/assets/')) {
          return reply.code(404).send({ error: 'not-found' });
        }
        return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
      });
    },
    { prefix: PORTAL_PREFIX },
  );
}
