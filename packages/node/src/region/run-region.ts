// Runs every member of a region in one process (the demo region, tests): one node per
// organisation, each on its own SQLite database and port, talking real HTTP to the others.
import { join } from 'node:path';
import { loadRegionConfig, type Organisation } from '@ketenlog/region';
import type { IdentityConfig, NodeConfig, SystemClient } from '../config.ts';
import type { NationalConfig } from '../national/national-config.ts';
import { loadFhirModel, startNode, type NodeParts, type RunningNode } from '../server.ts';
import { demoSystem, rememberDemoSystem, type DemoSystem } from './demo-system.ts';

export interface RegionRunOptions {
  /** The region file and the secrets file holding every member's keys (the demo's). */
  readonly regionFile: string;
  readonly secretsFile: string;
  /** Each node's database goes to `<dataDir>/<node id>/ketenlog.sqlite`. */
  readonly dataDir: string;
  readonly logLevel?: NodeConfig['log']['level'];
  /** Extra parts for every node (tests: network faults, shorter logbook timings). */
  readonly parts?: Omit<NodeParts, 'model' | 'repository'>;
  /**
   * Demo mode for every node (demo keys, Demo-DigiD, demo logins): on unless set false. A region in
   * one process is the demo's or a test's; real organisations each run `ketenlog node`.
   */
  readonly demo?: boolean;
  /** Identity providers per organisation (tests: a DigiD broker, an organisation's IdP). */
  readonly identity?: (organisation: Organisation) => IdentityConfig | undefined;
  /** The national functions per organisation (tests: a Mitz stand-in). */
  readonly national?: (organisation: Organisation) => NationalConfig | undefined;
}

export interface RunningRegion {
  readonly nodes: readonly RunningNode[];
  /** The demo system every member accepts (SMART Backend Services): the demo's EHR and import jobs. */
  readonly system: DemoSystem;
  /** The node of an organisation, by URA. */
  node(ura: string): RunningNode;
  close(): Promise<void>;
}

/** The node configuration of one member, listening where the region says it is. */
export function memberNodeConfig(
  organisation: Organisation,
  options: RegionRunOptions,
  systems: readonly SystemClient[] = [],
): NodeConfig {
  const url = new URL(organisation.node.baseUrl);
  const identity = options.identity?.(organisation);
  const national = options.national?.(organisation);
  return {
    node: organisation.node.id,
    organisation: { ura: organisation.ura, name: organisation.name, type: organisation.type },
    listen: { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) },
    database: join(options.dataDir, organisation.node.id, 'ketenlog.sqlite'),
    fhir: { source: 'local' },
    log: { level: options.logLevel ?? 'warn' },
    maxBodyBytes: 16 * 1024 * 1024,
    region: { config: options.regionFile, secrets: options.secretsFile },
    ...(systems.length ? { systems } : {}),
    ...(options.demo === false ? {} : { demo: true }),
    ...(identity ? { identity } : {}),
    ...(national ? { national } : {}),
  };
}

/** Starts every member of the region; if one fails to start, the ones started are closed again. */
export async function startRegion(options: RegionRunOptions): Promise<RunningRegion> {
  const region = loadRegionConfig(options.regionFile);
  const model = loadFhirModel();
  const nodes: RunningNode[] = [];
  const byUra = new Map<string, RunningNode>();
  const system = await demoSystem(options.dataDir);
  try {
    for (const organisation of region.organisations) {
      const node = await startNode(memberNodeConfig(organisation, options, [system.client]), {
        ...options.parts,
        model,
      });
      rememberDemoSystem(node, system);
      nodes.push(node);
      byUra.set(organisation.ura, node);
    }
  } catch (error) {
    await Promise.allSettled(nodes.map((n) => n.close()));
    throw error;
  }
  return {
    nodes,
    system,
    node(ura) {
      const node = byUra.get(ura);
      if (!node) throw new Error(`no node for organisation ${ura} in this region`);
      return node;
    },
    async close() {
      await Promise.allSettled(nodes.map((n) => n.close()));
    },
  };
}
