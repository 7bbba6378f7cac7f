import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ownOrigins, registerSameOriginCheck } from './same-origin.ts';

async function app() {
  const server = Fastify();
  registerSameOriginCheck(server, ownOrigins('http://127.0.0.1:8101'));
  server.post('/exchange/erasure', async () => ({ erased: true }));
  server.get('/exchange/records', async () => ({ ok: true }));
  return server;
}

describe('state-changing requests that ride on a session cookie', () => {
  const cookie = 'ketenlog_session=abc';

  it("come only from the node's own pages", async () => {
    const server = await app();
    const post = (headers: Record<string, string>) =>
      server.inject({ method: 'POST', url: '/exchange/erasure', headers: { cookie, ...headers } });
    expect((await post({ origin: 'http://127.0.0.1:8101' })).statusCode).toBe(200);
    expect((await post({ origin: 'http://localhost:8101' })).statusCode).toBe(200);
    expect((await post({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    const cases: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'http://localhost:8104' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of cases) {
      const response = await post(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    }
  });

  it('leave reads, bearer tokens and cookie-less requests to their own checks', async () => {
    const server = await app();
    const evil = { origin: 'https://evil.example' };
    expect((await server.inject({ url: '/exchange/records', headers: { cookie, ...evil } })).statusCode).toBe(
      200,
    );
    expect(
      (
        await server.inject({
          method: 'POST',
          url: '/exchange/erasure',
          headers: { authorization: 'Bearer x', cookie, ...evil },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await server.inject({ method: 'POST', url: '/exchange/erasure', headers: evil })).statusCode,
    ).toBe(200);
  });
});
