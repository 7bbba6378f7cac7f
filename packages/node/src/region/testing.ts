// Test helpers: the demo region moved to free loopback ports, so tests run beside a demo.
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export const DEMO_REGION_FILE = join(import.meta.dirname, '../../../region/config/demo-region.yaml');
export const DEMO_SECRETS_FILE = join(import.meta.dirname, '../../../region/config/demo-region.secrets.json');

/** Ports the OS reports free right now (bound and released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export interface DemoRegionCut {
  /** Keep only the first `members` organisations (their professionals, witnesses). */
  readonly members?: number;
  /** Keep only these organisations, by URA (in the region file's order). */
  readonly uras?: readonly string[];
  /** Only these kept members witness (default: every kept member). */
  readonly witnesses?: readonly string[];
  /** The witness quorum of the cut region. */
  readonly quorum?: number;
  /** Where the kept members' nodes are, in order (default: free loopback ports). */
  readonly baseUrls?: readonly string[];
}

/** The demo region file's text, optionally cut down to its first members. */
export function demoRegionYaml(cut: DemoRegionCut = {}): string {
  const text = readFileSync(DEMO_REGION_FILE, 'utf8');
  if (Object.values(cut).every((v) => v === undefined)) return text;
  const doc = parse(text) as {
    organisations: { ura: string; node: Record<string, unknown> }[];
    witnesses: { quorum: number; members: string[] };
    professionals: { organisation: string }[];
  };
  doc.organisations = doc.organisations.slice(0, cut.members);
  if (cut.uras) doc.organisations = doc.organisations.filter((o) => cut.uras!.includes(o.ura));
  if (cut.baseUrls) {
    const urls = cut.baseUrls;
    doc.organisations = doc.organisations.map((o, i) => ({ ...o, node: { ...o.node, baseUrl: urls[i] } }));
  }
  const kept = new Set(doc.organisations.map((o) => o.ura));
  doc.witnesses.members = doc.witnesses.members.filter(
    (ura) => kept.has(ura) && (!cut.witnesses || cut.witnesses.includes(ura)),
  );
  doc.witnesses.quorum = cut.quorum ?? Math.min(doc.witnesses.quorum, doc.witnesses.members.length - 1);
  doc.professionals = doc.professionals.filter((p) => kept.has(p.organisation));
  return stringify(doc);
}

/**
 * A copy of the demo region (or its first members) whose members listen on free ports; returns
 * its files and data dir.
 */
export async function demoRegionOnFreePorts(cut: DemoRegionCut = {}): Promise<{
  regionFile: string;
  secretsFile: string;
  dataDir: string;
}> {
  const text = demoRegionYaml(cut);
  const urls = [...new Set(text.match(/http:\/\/127\.0\.0\.1:\d+/g) ?? [])];
  const ports = await freePorts(urls.length);
  let moved = text;
  urls.forEach((url, i) => (moved = moved.replaceAll(url, `http://127.0.0.1:${ports[i]}`)));
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-region-'));
  const regionFile = join(dir, 'region.yaml');
  writeFileSync(regionFile, moved);
  return { regionFile, secretsFile: DEMO_SECRETS_FILE, dataDir: join(dir, 'data') };
}
