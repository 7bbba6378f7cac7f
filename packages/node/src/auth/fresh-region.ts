// Test support: a cut of the demo region whose members have fresh keys instead of the demo's, as a
// real region would (each member ran `ketenlog keygen`), so nodes can start outside demo mode.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { generateMemberKeys } from '@ketenlog/region';
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
