import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '@ketenlog/storage';
import {
  capabilityStatement,
  FhirDefinitions,
  fhirRoutes,
  FhirSearchIndex,
  installContentParsers,
  PatientIdentityRepository,
  PatientReviewQueue,
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
import type { Exchange } from '@ketenlog/exchange';
import type { CarelogService } from '@ketenlog/carelog';
import { startMemberServices } from './region/member-services.ts';
import { registerNational } from './national/national.ts';
import type { MemberFetch } from '@ketenlog/region';
import { registerFhirAccess } from './access/fhir-access.ts';
import { isInside, networksOf } from './access/networks.ts';
import { normaliseRequestTarget } from './access/request-target.ts';
import { ownOrigins, registerSameOriginCheck } from './access/same-origin.ts';
import { registerSystemAuthorization } from './auth/system-authorization.ts';
import { portalPlugin, regionKeysOf } from '@ketenlog/portal/server';
import { installErrorHandlers, outcome, replyOutcome, type IssueCode } from '@ketenlog/problem';

const LOOPBACK = networksOf(['127.0.0.0/8', '::1/128']);
/** How long a closing node waits for open connections before it cuts them. */
const CLOSE_GRACE_MS = 3000;
/**
 * How long /readyz waits for the database. A process cut from its database answers nothing useful,
 * so a load balancer's health check must take it out: the deployment test's partition found it
 * still served (and hung) every request routed to it.
 */
const READY_DB_TIMEOUT_MS = 1000;
/** A client must send its headers within this time, and its whole request within the next. */
const HEADERS_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The node's HTTP(S) server: every request target is normalised before Fastify routes it
 * (access/request-target.ts), so the router and every guard see the same path, and a target whose
 * spelling could be read two ways is refused with 400. Slow clients are cut off (headers, body).
 */
function nodeServer(https: { cert: Buffer; key: Buffer } | undefined) {
  return (handler: Handler): Server => {
    const normalised: Handler = (request, response) => {
      const target = normaliseRequestTarget(request.url ?? '');
      if (!target.ok) {
        response.writeHead(400, { 'content-type': 'application/fhir+json', 'cache-control': 'no-store' });
        response.end(JSON.stringify(outcome('error', 'invalid', `Ongeldig adres: ${target.reason}.`)));
        return;
      }
      request.url = target.url;
      handler(request, response);
    };
    const server = https ? createHttpsServer(https, normalised) : createServer(normalised);
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    return server as Server;
  };
}

/** True when the database answers a trivial query within `timeoutMs`. */
async function reachable(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([
      db.all('SELECT 1').then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const outcomeBody = (code: IssueCode, text: string): string => JSON.stringify(outcome('error', code, text));

/**
 * A request Node's HTTP parser could not read (headers over 16 KiB, a malformed request line): an
 * OperationOutcome and the connection closed — without a body for HEAD, whose answer has none.
 */
function clientErrorHandler(connectionError: Error, socket: Socket): void {
  const error = connectionError as Error & { code?: string; rawPacket?: Buffer };
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = outcomeBody(
    tooLarge ? 'too-long' : 'structure',
    tooLarge
      ? 'De verzoekregel en kopregels zijn te lang (meer dan 16 KiB).'
      : 'Dit HTTP-verzoek is onleesbaar.',
  );
  const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Connection: close\r\nContent-Type: application/fhir+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${head ? '' : body}`,
  );
}

/** The node's public base URL (without /fhir), when it can be known before it listens. */
function publicBaseOf(config: NodeConfig): string | undefined {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '').replace(/\/fhir$/, '');
  if (config.listen.port === 0) return undefined;
  const host = ['0.0.0.0', '::'].includes(config.listen.host) ? '127.0.0.1' : config.listen.host;
  return `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.listen.port}`;
}

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
  exchange?: Exchange;
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
  // (Also its authorization server's state, so every node has one.)
  let repository = parts.repository;
  const db: Db = await openDatabase(config.database);
  if (!repository) {
    repository =
      config.fhir.source === 'remote'
        ? new RemoteFhirRepository({ baseUrl: config.fhir.url })
        : await SqlFhirRepository.open(db, new FhirSearchIndex(model.registry));
  }
  // One BSN, one person: every Patient write, from any route, import or adapter, passes this rule
  // (a conflict refused, or held for review where configured).
  const patientReviews =
    config.patientIdentity?.onConflict === 'review' ? await PatientReviewQueue.open(db) : undefined;
  const patientIdentity = new PatientIdentityRepository(
    repository,
    patientReviews ? { reviews: patientReviews } : {},
  );
  repository = patientIdentity;

  const app = Fastify({
    serverFactory: nodeServer(https),
    clientErrorHandler,
    // What the router itself refuses (an undecodable path, a malformed Content-Type) is an
    // OperationOutcome too.
    frameworkErrors: (error, _request, reply) => {
      void replyOutcome(reply, 400, 'invalid', `Ongeldig verzoek: ${error.message}`);
    },
    // Only so Fastify names its address https://; the server itself comes from nodeServer.
    ...(https ? { https } : {}),
    bodyLimit: config.maxBodyBytes,
    // Behind the configured load balancers the client's address is theirs to tell (X-Forwarded-For);
    // from anywhere else the header is ignored.
    ...(config.loadBalancers?.length ? { trustProxy: [...config.loadBalancers] } : {}),
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

  const ownBase = membership?.organisation.node.baseUrl ?? publicBaseOf(config);
  if (ownBase) registerSameOriginCheck(app, ownOrigins(ownBase));

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
        db,
        membership,
        repository: repository!,
        metrics,
        ...(parts.fetch ? { fetch: parts.fetch } : {}),
        ...(parts.logbook ? { logbook: parts.logbook } : {}),
        ...(config.apps ? { apps: config.apps } : {}),
        ...(config.systems ? { systems: config.systems } : {}),
        demo: config.demo === true,
        ...(config.identity ? { identity: config.identity } : {}),
        ...(config.national ? { national: config.national } : {}),
        ...(patientReviews
          ? {
              patientReviews: {
                identity: patientIdentity,
                queue: patientReviews,
                reviewers: config.patientIdentity!.reviewers,
              },
            }
          : {}),
      })
    : undefined;
  if (member) repository = member.repository;
  if (member)
    await registerNational(app, {
      db,
      membership: membership!,
      member,
      repository: repository!,
      ...(config.national ? { config: config.national } : {}),
    });

  // Outside a region the node's only callers are the organisation's own systems.
  let systemTokens: ((token: string) => Promise<{ clientId: string; scope: string } | undefined>) | undefined;
  if (!member && config.systems?.length) {
    const baseUrl = publicBaseOf(config);
    if (!baseUrl)
      throw new ConfigError(
        'systems: the token endpoint needs a known address — set publicUrl or a fixed listen.port',
      );
    systemTokens = await registerSystemAuthorization(app, { db, baseUrl, systems: config.systems });
  }
  if (config.trustedNetworks?.length)
    app.log.warn(
      { trustedNetworks: config.trustedNetworks },
      'trustedNetworks: callers from these networks reach the FHIR API WITHOUT any credential',
    );

  let ready = false;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const database = ready && (await reachable(db, READY_DB_TIMEOUT_MS));
    return reply.code(ready && database ? 200 : 503).send({ ready: ready && database, database });
  });
  // Metrics describe the node's traffic: for the monitoring on the same host only.
  app.get('/metrics', async (request, reply) =>
    isInside(LOOPBACK, request.socket.remoteAddress ?? '')
      ? reply.type('text/plain; version=0.0.4').send(metrics.render())
      : replyOutcome(reply, 403, 'forbidden', '/metrics is served on loopback only.'),
  );
  const publicBase = membership
    ? membership.organisation.node.baseUrl.replace(/\/$/, '')
    : publicBaseOf(config);
  const fhirPublicBase =
    config.publicUrl?.replace(/\/$/, '') ?? (publicBase ? `${publicBase}/fhir` : undefined);

  const resourceTypes = [...model.definitions.resourceTypes()];
  const capability = capabilityStatement({
    software: { name: 'Ketenlog', version: parts.version ?? '0.1.0' },
    baseUrl: config.publicUrl,
    resourceTypes,
    registry: model.registry,
  });
  // The FHIR API: the access decision (access/fhir-access.ts) is registered inside the same
  // encapsulated context as the routes, so no FHIR route exists without it, and it runs before
  // every other module's hooks (onRequest precedes every preHandler).
  await app.register(
    async (fhir) => {
      registerFhirAccess(fhir, {
        fhirPath: '/fhir',
        resolvers: {
          ...(member
            ? member.credentials
            : { organisation: `ura:${config.organisation.ura}`, ...(systemTokens ? { systemTokens } : {}) }),
          ...(config.trustedNetworks?.length ? { trustedNetworks: networksOf(config.trustedNetworks) } : {}),
        },
        ...(member?.patientOfHolder ? { patientOfHolder: member.patientOfHolder } : {}),
      });
      await fhir.register(fhirRoutes, {
        repository,
        validate: (resource: unknown) => validateResource(resource, model.definitions),
        isResourceType: (type: string) => model.definitions.isResourceType(type),
        capabilityStatement: () => capability,
        definitions: model.definitions,
        // Bundle links from the configuration, never from the request's Host header.
        ...(fhirPublicBase ? { baseUrl: fhirPublicBase } : {}),
      });
    },
    { prefix: '/fhir' },
  );

  // The portal (layer 4) at /portal/, with the region's keys so the browser verifies receipts.
  await app.register(portalPlugin, {
    ...(membership ? { regionKeys: () => regionKeysOf(membership.region) } : {}),
    demo: config.demo === true,
  });

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
      await member?.exchange.close();
      await member?.analytics.close();
      await member?.logbook.close();
      await db.close();
    },
  };
}
