import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '@ketenlog/storage';
import {
  capabilityStatement,
  FhirDefinitions,
  fhirRoutes,
  FhirSearchIndex,
  installContentParsers,
  PatientIdentityRepository,
  installErrorHandlers,
  RemoteFhirRepository,
  SearchParameterRegistry,
  SqlFhirRepository,
  validateResource,
  type FhirRepository,
} from '@ketenlog/fhir';
import { ConfigError, type NodeConfig } from './config.ts';
import { Metrics } from './metrics.ts';
import { loadMembership, type Membership } from './region/membership.ts';
import type { NodeLogbook } from './logbook/node-logbook.ts';
import type { PasskeyAuth } from '@ketenlog/auth';
import type { NodeExchange } from './exchange/node-exchange.ts';
import type { CarelogService } from '@ketenlog/carelog';
import { startMemberServices } from './region/member-services.ts';
import type { MemberFetch } from '@ketenlog/region';
import { sessionIdFrom } from '@ketenlog/auth';
import { registerFhirAccess } from './fhir-access.ts';
import { portalPlugin, regionKeysOf } from '@ketenlog/portal/server';

/** How long a closing node waits for open connections before it cuts them. */
const CLOSE_GRACE_MS = 3000;

/** Loaded once per process and shared by every node in it (they are read-only). */
export interface FhirModel {
  definitions: FhirDefinitions;
  registry: SearchParameterRegistry;
}

export function loadFhirModel(): FhirModel {
  return { definitions: FhirDefinitions.load(), registry: SearchParameterRegistry.load() };
}

export interface RunningNode {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8080/fhir */
  fhirBase: string;
  repository: FhirRepository;
  /** The node's place in its region, when it is a region member. */
  membership?: Membership;
  /** The node's part of the region's logbook, when it is a region member. */
  logbook?: NodeLogbook;
  /** Passkeys, sessions and professionals' login, when it is a region member. */
  auth?: PasskeyAuth;
  /** Pseudonyms and the localisation index, when it is a region member. */
  exchange?: NodeExchange;
  /** Mijn Zorg Log, when it is a region member. */
  carelog?: CarelogService;
  close(): Promise<void>;
}

export interface NodeParts {
  model?: FhirModel;
  /** Replaces the repository built from config (the remote adapter, or tests). */
  repository?: FhirRepository;
  version?: string;
  /** Outbound HTTP to region members (tests inject network faults here). */
  fetch?: MemberFetch;
  /** Logbook timings (tests shorten them). */
  logbook?: { mirrorIntervalMs?: number; finalityRetryMs?: number };
}

/** The node's TLS certificate and key, read once at start; a missing file is a configuration error. */
function readTls(tls: NonNullable<NodeConfig['tls']>): { cert: Buffer; key: Buffer } {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`tls.${what}: cannot read ${path} (${(error as Error).message})`);
    }
  };
  return { cert: read(tls.cert, 'cert'), key: read(tls.key, 'key') };
}

/** The composition root of one organisation's node: storage, FHIR store, HTTP API, health, metrics. */
export async function startNode(config: NodeConfig, parts: NodeParts = {}): Promise<RunningNode> {
  const model = parts.model ?? loadFhirModel();
  const https = config.tls ? readTls(config.tls) : undefined;
  const membership = config.region
    ? loadMembership(config.region.config, config.region.secrets, config.organisation.ura)
    : undefined;
  if (membership && membership.organisation.node.id !== config.node) {
    throw new ConfigError(
      `node: "${config.node}" is not the node id the region gives organisation ${config.organisation.ura} ("${membership.organisation.node.id}")`,
    );
  }
  // The node's own database: the FHIR store (unless the data stays in an existing FHIR server)
  // and, for a region member, its logbook.
  let db: Db | undefined;
  let repository = parts.repository;
  if (membership || (!repository && config.fhir.source === 'local')) db = await openDatabase(config.database);
  if (!repository) {
    repository =
      config.fhir.source === 'remote'
        ? new RemoteFhirRepository({ baseUrl: config.fhir.url })
        : await SqlFhirRepository.open(db!, new FhirSearchIndex(model.registry));
  }
  // One BSN, one person: every Patient write, from any route, import or adapter, passes this rule.
  repository = new PatientIdentityRepository(repository);

  const app = Fastify({
    ...(https ? { https } : {}),
    bodyLimit: config.maxBodyBytes,
    logger: {
      level: config.log.level,
      // Query strings may carry BSNs or names; headers carry tokens: log neither.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
      },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
  });
  installContentParsers(app);
  installErrorHandlers(app);

  const metrics = new Metrics();
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  const member = membership
    ? await startMemberServices(app, {
        db: db!,
        membership,
        repository: repository!,
        metrics,
        ...(parts.fetch ? { fetch: parts.fetch } : {}),
        ...(parts.logbook ? { logbook: parts.logbook } : {}),
        ...(config.apps ? { apps: config.apps } : {}),
        demo: config.demo === true,
        ...(config.identity ? { identity: config.identity } : {}),
      })
    : undefined;
  if (member) repository = member.repository;

  let ready = false;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => reply.code(ready ? 200 : 503).send({ ready }));
  app.get('/metrics', async (_request, reply) =>
    reply.type('text/plain; version=0.0.4').send(metrics.render()),
  );

  const resourceTypes = [...model.definitions.resourceTypes()];
  const capability = capabilityStatement({
    software: { name: 'Ketenlog', version: parts.version ?? '0.1.0' },
    baseUrl: config.publicUrl,
    resourceTypes,
    registry: model.registry,
  });
  registerFhirAccess(app, {
    fhirPath: '/fhir',
    // At a member, node and app tokens and portal sessions have their own guards; elsewhere none.
    judgedElsewhere: (request) =>
      member !== undefined &&
      (/^Bearer /.test(request.headers.authorization ?? '') ||
        member.auth?.sessions.get(sessionIdFrom(request.headers.cookie), Date.now()) !== undefined),
  });
  await app.register(fhirRoutes, {
    prefix: '/fhir',
    repository,
    validate: (resource: unknown) => validateResource(resource, model.definitions),
    isResourceType: (type: string) => model.definitions.isResourceType(type),
    capabilityStatement: () => capability,
    ...(config.publicUrl ? { baseUrl: config.publicUrl.replace(/\/$/, '') } : {}),
  });

  // The portal (layer 4) at /portal/, with the region's keys so the browser verifies receipts.
  await app.register(portalPlugin, membership ? { regionKeys: () => regionKeysOf(membership.region) } : {});

  const address = await app.listen({ host: config.listen.host, port: config.listen.port });
  ready = true;
  const fhirBase = config.publicUrl?.replace(/\/$/, '') ?? `${address.replace('[::1]', '127.0.0.1')}/fhir`;
  return {
    app,
    fhirBase,
    repository,
    ...(membership ? { membership } : {}),
    ...(member ? { logbook: member.logbook, exchange: member.exchange, carelog: member.carelog } : {}),
    ...(member?.auth ? { auth: member.auth } : {}),
    async close() {
      ready = false;
      // Graceful first: requests in flight finish. A connection that stays open beyond the grace
      // period (a peer that connected and went quiet while the region shuts down) is cut, instead
      // of holding the close until Node's headers timeout (about 70 s).
      const grace = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      grace.unref();
      await app.close();
      clearTimeout(grace);
      member?.exchange.close();
      member?.analytics.close();
      await member?.logbook.close();
      await db?.close();
    },
  };
}
