// Who reaches a stand-alone node's FHIR API: only a verified credential — here the organisation's
// own system through SMART Backend Services — or, when the configuration lists them explicitly,
// callers on trusted networks. Network position alone (loopback included) is no credential, no
// spelling of a path walks around the decision, and a bearer token counts only once verified.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendServicesToken } from '@ketenlog/auth';
import { startNode, type RunningNode } from '../server.ts';
import { freePorts } from '../region/testing.ts';
import { rawRequest } from './testing.ts';
import type { NodeConfig, SystemClient } from '../config.ts';

let node: RunningNode;
let base: string;
const keys = new Map<string, JWK>();

async function system(clientId: string, scope: string): Promise<SystemClient> {
  const pair = await generateKeyPair('ES384', { extractable: true });
  const privateKey = { ...(await exportJWK(pair.privateKey)), alg: 'ES384', kid: clientId };
  keys.set(clientId, privateKey);
  const { d: _d, ...publicKey } = privateKey;
  return { clientId, name: clientId, jwks: { keys: [publicKey] }, scope };
}

const tokenOf = async (clientId: string, scope: string, privateKey = keys.get(clientId)!) =>
  (
    await backendServicesToken({
      tokenUrl: `${base}/oidc/token`,
      clientId,
      privateKey,
      scope,
    })
  ).accessToken;

/** A request with the exact request target given (fetch would normalise it). */
const raw = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
  rawRequest(base, method, target, headers, body);

function config(port: number, systems: SystemClient[], extra: Partial<NodeConfig> = {}): NodeConfig {
  return {
    node: 'test',
    organisation: { ura: '00000009', name: 'Testpraktijk', type: 'huisarts' },
    listen: { host: '127.0.0.1', port },
    database: join(mkdtempSync(join(tmpdir(), 'ketenlog-access-')), 'fhir.sqlite'),
    fhir: { source: 'local' },
    log: { level: 'fatal' },
    maxBodyBytes: 64 * 1024,
    systems,
    ...extra,
  };
}

beforeAll(async () => {
  const [port] = await freePorts(1);
  node = await startNode(
    config(port!, [await system('epd', 'system/*.cruds'), await system('rapportage', 'system/*.rs')]),
  );
  base = `http://127.0.0.1:${port}`;
  await node.repository.create({
    resourceType: 'Patient',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' }],
    name: [{ family: 'Visser' }],
  });
});
afterAll(() => node?.close());

const ROUTES: Array<[string, string, string?]> = [
  ['GET', '/fhir/Patient'],
  ['GET', '/fhir/Patient?name=visser'],
  ['GET', '/fhir/Patient/_history'],
  ['GET', '/fhir/Patient/x'],
  ['GET', '/fhir/Patient/x/_history'],
  ['GET', '/fhir/Patient/x/$everything'],
  ['POST', '/fhir/Patient/_search', 'name=visser'],
  ['POST', '/fhir', JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [] })],
  ['POST', '/fhir/', JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [] })],
  ['POST', '/fhir/Patient', JSON.stringify({ resourceType: 'Patient' })],
  ['PUT', '/fhir/Patient/x', JSON.stringify({ resourceType: 'Patient', id: 'x' })],
  ['DELETE', '/fhir/Patient/x'],
];

const contentType = (body?: string) =>
  body?.startsWith('{') ? 'application/fhir+json' : 'application/x-www-form-urlencoded';

describe("who reaches a node's FHIR API", () => {
  it('nobody without a credential, not even on loopback: 401 with an OperationOutcome and no data', async () => {
    for (const [method, path, body] of ROUTES) {
      const response = await raw(method, path, body ? { 'content-type': contentType(body) } : {}, body);
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(JSON.parse(response.body)).toMatchObject({ resourceType: 'OperationOutcome' });
      expect(response.body).not.toMatch(/Visser|999911120/);
    }
  });

  it('a bearer token counts only once verified: forged, JWT-shaped and foreign tokens get 401', async () => {
    for (const token of ['x', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'Zm9v'.repeat(11)]) {
      for (const [method, path, body] of ROUTES) {
        const headers = {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': contentType(body) } : {}),
        };
        const response = await raw(method, path, headers, body);
        expect(response.status, `${token} ${method} ${path}`).toBe(401);
        expect(response.body).not.toMatch(/Visser|999911120/);
      }
    }
    expect((await raw('GET', '/fhir/Patient', { authorization: 'Basic eDp5' })).status).toBe(401);
  });

  it("the organisation's system gets in with SMART Backend Services, within its scopes", async () => {
    const epd = `Bearer ${await tokenOf('epd', 'system/*.cruds')}`;
    const read = await raw('GET', '/fhir/Patient?name=visser', { authorization: epd });
    expect(read.status).toBe(200);
    expect(read.body).toContain('Visser');
    const batch = await raw(
      'POST',
      '/fhir',
      { authorization: epd, 'content-type': 'application/fhir+json' },
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ request: { method: 'GET', url: 'Patient' } }],
      }),
    );
    expect(batch.status).toBe(200);

    const report = `Bearer ${await tokenOf('rapportage', 'system/*.rs')}`;
    expect((await raw('GET', '/fhir/Patient', { authorization: report })).status).toBe(200);
    for (const [method, path, body] of ROUTES.filter(([m, p]) => m !== 'GET' && !p.endsWith('_search'))) {
      const response = await raw(
        method,
        path,
        { authorization: report, 'content-type': contentType(body) },
        body,
      );
      expect(response.status, `${method} ${path}`).toBe(403);
    }
  });

  it('the token endpoint refuses an assertion signed with another key, and a scope not registered', async () => {
    const other = await generateKeyPair('ES384', { extractable: true });
    const wrongKey = { ...(await exportJWK(other.privateKey)), alg: 'ES384', kid: 'epd' };
    await expect(tokenOf('epd', 'system/*.cruds', wrongKey)).rejects.toThrow(/refused/);
    await expect(tokenOf('rapportage', 'system/*.cruds')).rejects.toThrow(/refused/);
    await expect(tokenOf('onbekend', 'system/*.rs', wrongKey)).rejects.toThrow(/refused/);
  });

  it('no spelling of a path walks around the decision: encoded, dotted or odd paths are refused or judged alike', async () => {
    for (const target of [
      '/%66hir/Patient',
      '/fhi%72/Patient?name=visser',
      '/fhir/Patient/x/%24everything',
    ]) {
      const response = await raw('GET', target);
      expect(response.status, target).toBe(401);
      expect(response.body).not.toMatch(/Visser/);
    }
    for (const target of [
      '/fhir%2FPatient',
      '/fhir/%2e%2e/fhir/Patient',
      '/fhir/../fhir/Patient',
      '/x/../fhir/Patient',
      '/fhir//Patient',
      '/fhir;a=b/Patient',
      '/fhir/Patient%3Fname=visser',
      '/%2566hir/Patient',
    ]) {
      const response = await raw('GET', target);
      expect(response.status, target).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ resourceType: 'OperationOutcome' });
    }
    for (const target of ['/FHIR/Patient', '/Fhir/Patient', '/fhir/patient/']) {
      const response = await raw('GET', target);
      expect([401, 404], target).toContain(response.status);
      expect(response.body).not.toMatch(/Visser/);
    }
  });

  it('what a client needs to find the server stays open; metrics only on loopback', async () => {
    expect((await raw('GET', '/fhir/metadata')).status).toBe(200);
    expect((await raw('GET', '/fhir/.well-known/smart-configuration')).status).toBe(200);
    expect((await raw('GET', '/healthz')).status).toBe(200);
    expect((await node.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    expect((await node.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode).toBe(403);
  });
});

describe('trusted networks, only when configured', () => {
  let trusting: RunningNode;
  beforeAll(async () => {
    trusting = await startNode(config(0, [], { trustedNetworks: ['10.0.0.0/8'] }));
    await trusting.repository.create({ resourceType: 'Patient', name: [{ family: 'Visser' }] });
  });
  afterAll(() => trusting?.close());

  it('lets the listed network in without a credential, and nobody else', async () => {
    const get = (remoteAddress: string) => trusting.app.inject({ url: '/fhir/Patient', remoteAddress });
    expect((await get('10.1.2.3')).statusCode).toBe(200);
    for (const outside of ['127.0.0.1', '192.168.0.7', '203.0.113.9', '::1']) {
      const response = await get(outside);
      expect(response.statusCode, outside).toBe(401);
      expect(response.body).not.toContain('Visser');
    }
  });
});
