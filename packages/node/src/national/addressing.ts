// GF Addressing at a member: the region's directory as mCSD under /mcsd (derived from the region
// file and the logbook's key statements, refreshed as the logbook's state changes), and — when the
// configuration names upstream directories — an mCSD update client that follows them into the same
// directory, with its state and conflicts at GET /national/addressing/status (a round on demand:
// POST /national/addressing/sync).
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@ketenlog/storage';
import {
  DirectoryStore,
  McsdUpdateClient,
  mcsdRoutes,
  regionDirectory,
  type Authorize,
} from '@ketenlog/national';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';
import { memberTokenFor } from './member-token.ts';
import { ownCaller as ownCallerOf } from './national-caller.ts';
import type { NationalConfig } from './national-config.ts';

export const MCSD_PATH = '/mcsd';
export const ADDRESSING_STATUS_PATH = '/national/addressing/status';
export const ADDRESSING_SYNC_PATH = '/national/addressing/sync';
const REGION_SOURCE = 'region';
/** How often the derived directory is compared with the logbook's state. */
const REFRESH_MS = 30_000;

export interface AddressingOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  readonly authorize: Authorize;
  readonly config?: NationalConfig['addressing'];
  readonly fetch?: typeof fetch;
}

export interface NodeAddressing {
  readonly store: DirectoryStore;
  /** Re-derives the region's directory now; how many resources changed. */
  refresh(): Promise<number>;
  readonly updates?: McsdUpdateClient;
}

export async function registerAddressing(
  app: FastifyInstance,
  options: AddressingOptions,
): Promise<NodeAddressing> {
  const { db, membership, logbook } = options;
  const store = await DirectoryStore.open(db);
  let last = '';
  const refresh = async () => {
    const state = logbook.state;
    const resources = regionDirectory(state.config, state.keys);
    const fingerprint = JSON.stringify(resources);
    if (fingerprint === last) return 0;
    const changed = await store.replaceSource(REGION_SOURCE, resources);
    last = fingerprint;
    return changed;
  };
  await refresh();
  const base = membership.organisation.node.baseUrl.replace(/\/$/, '');
  await app.register(
    (scope) => mcsdRoutes(scope, { store, authorize: options.authorize, baseUrl: `${base}${MCSD_PATH}` }),
    {
      prefix: MCSD_PATH,
    },
  );

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => Promise<unknown>, what: string) =>
    timers.push(
      setInterval(() => {
        task().catch((error: unknown) => app.log.warn({ err: error }, `${what} failed`));
      }, ms).unref(),
    );
  every(REFRESH_MS, refresh, 'mCSD: refreshing the region directory');

  let updates: McsdUpdateClient | undefined;
  const follow = options.config?.follow ?? [];
  if (follow.length) {
    // A member's directory wants a node token (one per request: each is used once).
    const memberToken = memberTokenFor(membership, 'addressing');
    updates = await McsdUpdateClient.open({
      db,
      store,
      directories: follow,
      region: () => ({ config: logbook.state.config, keys: logbook.state.keys }),
      headers: async (url): Promise<Record<string, string>> => {
        const token = await memberToken(url);
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      log: app.log,
    });
    const client = updates;
    const round = () => client.sync();
    void round();
    // Spread over the interval, so the nodes of a region do not all ask at the same moment.
    const intervalMs = (options.config?.intervalSeconds ?? 900) * 1000;
    timers.push(
      setTimeout(() => every(intervalMs, round, 'mCSD update'), randomInt(Math.max(1, intervalMs))).unref(),
    );
  }
  app.addHook('onClose', async () => {
    for (const timer of timers) clearInterval(timer);
  });

  // The status, and an update round on demand: for this organisation's professionals and systems.
  const status = async () => ({
    region: { organisations: (await store.all('Organization')).length, refreshedEveryMs: REFRESH_MS },
    ...(updates ? await updates.status() : { directories: [], conflicts: [] }),
  });
  const ownCaller = ownCallerOf(options.authorize, membership.organisation.ura);
  app.get(ADDRESSING_STATUS_PATH, async (request, reply) =>
    (await ownCaller(request, reply)) ? status() : reply,
  );
  app.post(ADDRESSING_SYNC_PATH, async (request, reply) => {
    if (!(await ownCaller(request, reply))) return reply;
    await refresh();
    await updates?.sync();
    return status();
  });
  return { store, refresh, ...(updates ? { updates } : {}) };
}
