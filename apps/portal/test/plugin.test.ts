import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalPlugin } from '../server/plugin.ts';
import { buildPortal } from './build.ts';

describe('portal plugin', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const root = await buildPortal();
    app = Fastify();
    // Stand-ins for the node's other routes: the portal must never shadow them.
    for (const prefix of ['/fhir', '/auth', '/logbook', '/logs', '/witness'])
      app.get(`${prefix}/*`, async (_q, reply) => reply.code(404).send({ owner: prefix }));
    app.get('/healthz', async () => ({ status: 'ok' }));
    await app.register(portalPlugin, { root, regionKeys: () => ({ keys: ['k1'] }) });
  });
  afterAll(() => app.close());

  it('serves the app shell in Dutch under /portal/ and redirects / to it', async () => {
    const index = await app.inject('/portal/');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<html lang="nl">');
    expect(index.body).toMatch(/\/portal\/assets\/index-[\w-]+\.js/);
    const root = await app.inject('/');
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/portal/');
  });

  it('answers the browser’s /favicon.ico (no 404 in the console on any page of the node)', async () => {
    const icon = await app.inject('/favicon.ico');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toContain('image/svg+xml');
    expect((await app.inject('/portal/')).body).toContain('rel="icon"');
  });

  it('falls back to the app for portal routes only', async () => {
    const deep = await app.inject('/portal/consent');
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<div id="root">');
    expect((await app.inject('/portal/assets/missing.js')).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/portal/x' })).statusCode).toBe(404);
    for (const path of [
      '/fhir/Patient',
      '/auth/session',
      '/logbook/status',
      '/logs/x/checkpoint',
      '/witness/x',
    ]) {
      const answer = await app.inject(path);
      expect(answer.body, path).not.toContain('<div id="root">');
    }
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/nope')).body).not.toContain('<div id="root">');
  });

  it('serves the region keys as JSON, and 404 when the node has none', async () => {
    expect((await app.inject('/portal/api/region-keys')).json()).toEqual({ keys: ['k1'] });
    const bare = Fastify();
    await bare.register(portalPlugin, { root: '/nonexistent' });
    expect((await bare.inject('/portal/api/region-keys')).statusCode).toBe(404);
    const unbuilt = await bare.inject('/portal/');
    expect(unbuilt.statusCode).toBe(503);
    expect(unbuilt.body).toContain('npm run build');
    await bare.close();
  });
});
