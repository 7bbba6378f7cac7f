// Test support: a cut of the demo region whose members have fresh keys instead of the demo's, as a
// real region would (each member ran `ketenlog keygen`), so nodes can start outside demo mode.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { chromium, type Browser } from 'playwright-core';
import { clientKeyPair } from '@ketenlog/auth/test-idp';
import { generateMemberKeys, type Organisation } from '@ketenlog/region';
import { CHROMIUM_ARGS, ensureChromium } from '../../../../test/chromium.ts';
import type { IdentityConfig } from '../config.ts';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionYaml, freePorts, type DemoRegionCut } from '../region/testing.ts';

export interface FreshRegion {
  readonly regionFile: string;
  readonly secretsFile: string;
  readonly dataDir: string;
  readonly dir: string;
}

export async function freshKeyRegion(cut: Omit<DemoRegionCut, 'baseUrls'> = {}): Promise<FreshRegion> {
  const members = parse(demoRegionYaml(cut)).organisations.length as number;
  const ports = await freePorts(members);
  const doc = parse(demoRegionYaml({ ...cut, baseUrls: ports.map((p) => `http://127.0.0.1:${p}`) })) as {
    region: { logOriginPrefix: string };
    organisations: { ura: string; node: { id: string }; keys: unknown }[];
  };
  doc.region.logOriginPrefix = 'test.ketenlog.example/';
  const secrets: Record<string, unknown> = {};
  for (const organisation of doc.organisations) {
    const keys = generateMemberKeys(`${doc.region.logOriginPrefix}${organisation.node.id}`);
    // The printed block is `keys:` indented for the region file; its value is what we need.
    organisation.keys = (parse(keys.yaml) as { keys: unknown }).keys;
    secrets[organisation.ura] = keys.secrets;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-fresh-'));
  const regionFile = join(dir, 'region.yaml');
  const secretsFile = join(dir, 'secrets.json');
  writeFileSync(regionFile, stringify(doc));
  writeFileSync(secretsFile, JSON.stringify({ organisations: secrets }), { mode: 0o600 });
  return { regionFile, secretsFile, dataDir: join(dir, 'data'), dir };
}

/**
 * A fresh-key region as the real-identity browser tests run it: outside demo mode, its first member
 * (Kraamzorg De Wieg) reached by browsers at `origin` (localhost, for passkeys), with an OpenID
 * Connect client key pair (`keyFile`, mode 600) to register at the test IdPs before `start`.
 */
export async function productionRegion(): Promise<{
  fresh: FreshRegion;
  origin: string;
  keyFile: string;
  publicJwk: ReturnType<typeof clientKeyPair>['publicJwk'];
  start(identity: (organisation: Organisation) => IdentityConfig | undefined): Promise<RunningRegion>;
}> {
  const fresh = await freshKeyRegion({ uras: ['11110001', '11110010'], quorum: 1 });
  const port = new URL(readFileSync(fresh.regionFile, 'utf8').match(/http:\/\/127\.0\.0\.1:\d+/)![0]).port;
  const node = clientKeyPair();
  const keyFile = join(fresh.dir, 'oidc-client.jwk');
  writeFileSync(keyFile, JSON.stringify(node.privateJwk), { mode: 0o600 });
  return {
    fresh,
    origin: `http://localhost:${port}`,
    keyFile,
    publicJwk: node.publicJwk,
    start: (identity) =>
      startRegion({
        ...fresh,
        demo: false,
        logLevel: 'fatal',
        identity,
        parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
      }),
  };
}

/** Chromium for the identity tests: `localhost` is the loopback address the nodes listen on. */
export function launchTestBrowser(stepMs: number): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    timeout: stepMs,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
}
