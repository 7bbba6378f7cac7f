// Test helpers: an organisation's own system (SMART Backend Services) for a node under test — a
// fresh ES384 key pair registered as a system client, and its access token at the node.
import { request as httpRequest } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { backendServicesToken } from '@ketenlog/auth';
import type { NodeConfig, SystemClient } from '../config.ts';
import { freePorts } from '../region/testing.ts';
import { startNode, type NodeParts, type RunningNode } from '../server.ts';

export interface TestSystem {
  readonly client: SystemClient;
  readonly privateKey: JWK;
}

export async function testSystem(clientId = 'test-epd', scope = 'system/*.cruds'): Promise<TestSystem> {
  const pair = await generateKeyPair('ES384', { extractable: true });
  const privateKey = { ...(await exportJWK(pair.privateKey)), alg: 'ES384', kid: clientId };
  const { d: _d, ...publicKey } = privateKey;
  return { privateKey, client: { clientId, name: clientId, jwks: { keys: [publicKey] }, scope } };
}

/** `Authorization` header value for the system at a node (base URL without /fhir). */
export async function systemBearer(system: TestSystem, baseUrl: string): Promise<string> {
  const { accessToken } = await backendServicesToken({
    tokenUrl: `${baseUrl}/oidc/token`,
    clientId: system.client.clientId,
    privateKey: system.privateKey,
    scope: system.client.scope,
  });
  return `Bearer ${accessToken}`;
}

/**
 * A stand-alone node on a free port with one system client (all interactions), and that system's
 * `Authorization` header value.
 */
export async function startNodeWithSystem(
  config: NodeConfig,
  parts: NodeParts = {},
): Promise<{ node: RunningNode; authorization: string; system: TestSystem }> {
  const system = await testSystem();
  const port = config.listen.port || (await freePorts(1))[0]!;
  const node = await startNode(
    { ...config, listen: { ...config.listen, port }, systems: [system.client] },
    parts,
  );
  const base = `${config.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return { node, system, authorization: await systemBearer(system, base) };
}

/** A request with exactly the request target given (fetch would normalise dot segments). */
export function rawRequest(
  base: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: target, headers, timeout: 20_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${target}: no answer in 20 s`)));
    req.on('error', reject);
    req.end(body);
  });
}
