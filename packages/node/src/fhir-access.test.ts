// The node's FHIR API without a credential answers only its own network: a caller from outside
// (here an address from the documentation range, through Fastify's inject) gets 401 and no data.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type RunningNode } from './server.ts';
import { internalNetworks, isInside } from './fhir-access.ts';

let node: RunningNode;

beforeAll(async () => {
  node = await startNode({
    node: 'test',
    organisation: { ura: '00000009', name: 'Testpraktijk', type: 'huisarts' },
    listen: { host: '127.0.0.1', port: 0 },
    database: join(mkdtempSync(join(tmpdir(), 'ketenlog-access-')), 'fhir.sqlite'),
    fhir: { source: 'local' },
    log: { level: 'fatal' },
    maxBodyBytes: 64 * 1024,
  });
  await node.repository.create({ resourceType: 'Patient', name: [{ family: 'Visser' }] });
});
afterAll(() => node?.close());

const get = (url: string, remoteAddress: string, headers: Record<string, string> = {}) =>
  node.app.inject({ method: 'GET', url, remoteAddress, headers });

describe("who reaches the node's FHIR API without a credential", () => {
  it('the internal network does; an outside caller gets 401 with an OperationOutcome and no data', async () => {
    for (const inside of ['127.0.0.1', '10.1.2.3', '192.168.0.7', '::1', '::ffff:172.16.5.4']) {
      expect((await get('/fhir/Patient', inside)).statusCode, inside).toBe(200);
    }
    for (const outside of ['203.0.113.9', '2001:db8::1', '::ffff:8.8.8.8']) {
      const response = await get('/fhir/Patient', outside);
      expect(response.statusCode, outside).toBe(401);
      expect(response.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
      expect(response.body).not.toContain('Visser');
    }
    // What a client needs to find the server stays open.
    expect((await get('/fhir/metadata', '203.0.113.9')).statusCode).toBe(200);
    // A bearer token is left to the token guards (here: a node outside a region has none to accept).
    expect((await get('/fhir/Patient', '203.0.113.9', { authorization: 'Bearer x' })).statusCode).not.toBe(
      200,
    );
  });

  it('matches addresses against the networks', () => {
    const networks = internalNetworks(['10.0.0.0/8']);
    expect(isInside(networks, '10.200.0.1')).toBe(true);
    expect(isInside(networks, '11.0.0.1')).toBe(false);
    expect(isInside(networks, 'not an address')).toBe(false);
  });
});
