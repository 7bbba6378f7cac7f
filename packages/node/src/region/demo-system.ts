// The demo region's own system: the stand-in for an organisation's EHR and import jobs, which
// reaches the members' FHIR APIs the way real systems do — SMART Backend Services, with a key pair
// of its own (ES384) registered at every member as a system client. Its private key lives in the
// region's data directory (mode 0600), so `ketenlog token`, the soak and the tests can use it.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { backendServicesToken } from '@ketenlog/auth';
import type { SystemClient } from '../config.ts';
import type { RunningNode } from '../server.ts';

export const DEMO_SYSTEM_CLIENT_ID = 'ketenlog-demo-system';
export const DEMO_SYSTEM_SCOPE = 'system/*.cruds';
const KEY_FILE = 'demo-system-key.json';

export interface DemoSystem {
  readonly client: SystemClient;
  readonly privateKey: JWK;
}

/** The demo system's key pair from the data directory, created there on first use. */
export async function demoSystem(dataDir: string): Promise<DemoSystem> {
  const file = join(dataDir, KEY_FILE);
  let privateKey: JWK;
  if (existsSync(file)) {
    privateKey = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } else {
    const pair = await generateKeyPair('ES384', { extractable: true });
    privateKey = { ...(await exportJWK(pair.privateKey)), alg: 'ES384', kid: DEMO_SYSTEM_CLIENT_ID };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(privateKey), { mode: 0o600 });
  }
  const { d: _d, ...publicKey } = privateKey;
  return {
    privateKey,
    client: {
      clientId: DEMO_SYSTEM_CLIENT_ID,
      name: 'Demo-systeem (EPD, import, soak)',
      jwks: { keys: [{ ...publicKey, use: 'sig' }] },
      scope: DEMO_SYSTEM_SCOPE,
    },
  };
}

/** The demo system's access token at a node's authorization server (base URL without /fhir). */
export async function demoSystemToken(system: DemoSystem, baseUrl: string): Promise<string> {
  const { accessToken } = await backendServicesToken({
    tokenUrl: `${baseUrl.replace(/\/$/, '')}/oidc/token`,
    clientId: system.client.clientId,
    privateKey: system.privateKey,
    scope: system.client.scope,
  });
  return accessToken;
}

const systems = new WeakMap<RunningNode, DemoSystem>();
const tokens = new WeakMap<RunningNode, { value: string; until: number }>();

/** Remembers which demo system a node of a region run accepts (startRegion). */
export function rememberDemoSystem(node: RunningNode, system: DemoSystem): void {
  systems.set(node, system);
}

/**
 * `Authorization` header value for the demo system at a node of a running demo region: how the
 * demo's seeding, the soak and the tests act as the organisation's own system.
 */
export async function systemAuthorization(node: RunningNode): Promise<string> {
  const cached = tokens.get(node);
  if (cached && cached.until > Date.now()) return `Bearer ${cached.value}`;
  const system = systems.get(node);
  if (!system) throw new Error('this node was not started by startRegion: it has no demo system');
  const base = node.membership?.organisation.node.baseUrl ?? node.fhirBase.replace(/\/fhir$/, '');
  const value = await demoSystemToken(system, base);
  tokens.set(node, { value, until: Date.now() + 5 * 60_000 });
  return `Bearer ${value}`;
}
