// What a region member runs beside its FHIR store, wired in one place: its logbook (own log,
// mirrors, witness, finality) with its HTTP routes and metrics, identity (passkeys, professionals),
// Mijn Zorg Log, and exchange (pseudonyms, the localisation index, which wraps the FHIR store).
import type { FastifyInstance } from 'fastify';
import { MemoryEphemeralStore, SqlEphemeralStore, sweepPeriodically, type Db } from '@ketenlog/storage';
import type { FhirRepository } from '@ketenlog/fhir';
import {
  createWebAuthnVerify,
  NodeTokenVerifier,
  relyingPartyOf,
  SessionStore,
  sweepOidcModels,
  type BackendServiceClient,
  type PasskeyAuth,
  type RelyingParty,
} from '@ketenlog/auth';
import { memberFetch, type MemberFetch, type RegionConfig } from '@ketenlog/region';
import { representativeMayRead } from '../access/representatives.ts';
import { registerNodeAuth, type PseudonymOf } from '../auth/node-auth.ts';
import { registerNodeSmart } from '../auth/node-smart.ts';
import { patientMatchRoutes } from '../auth/patient-match.ts';
import { patientReviewRoutes, type PatientReviewOptions } from '../auth/patient-reviews.ts';
import { registerSystemAuthorization } from '../auth/system-authorization.ts';
import type { CredentialResolvers } from '../access/fhir-caller.ts';
import { registerNodeCarelog } from '../carelog/node-carelog.ts';
import { openNodeAnalytics } from '../analytics/node-analytics.ts';
import type { Exchange } from '@ketenlog/exchange';
import { nodeExchange } from '../exchange/node-exchange.ts';
import { logbookMetrics, NodeLogbook } from '../logbook/node-logbook.ts';
import { logbookRoutes } from '../logbook/routes.ts';
import { notifyRoutes, Notifier } from '../logbook/notified-pull.ts';
import type { IdentityConfig, PatientApp } from '../config.ts';
import type { NationalConfig } from '../national/national-config.ts';
import { registerNationalConsent } from '../national/consent.ts';
import { registerMedmij } from '../national/medmij.ts';
import type { CarelogService } from '@ketenlog/carelog';
import type { Analytics } from '@ketenlog/analytics';
import type { Metrics } from '../metrics.ts';
import { statementKeyProblem, type Membership } from './membership.ts';
import { ConfigError } from '../config.ts';

export interface MemberServices {
  readonly logbook: NodeLogbook;
  readonly auth?: PasskeyAuth;
  readonly exchange: Exchange;
  readonly analytics: Analytics;
  /** Mijn Zorg Log at this member. */
  readonly carelog: CarelogService;
  /** The FHIR store as the node's routes must use it (writes feed the localisation index). */
  readonly repository: FhirRepository;
  /** How the access layer verifies this member's credentials (node, app and system tokens; sessions). */
  readonly credentials: Omit<CredentialResolvers, 'trustedNetworks'>;
  /** A client's Patient id here, by her holder identity (when clients can log in here). */
  readonly patientOfHolder?: (holder: string) => Promise<string | undefined>;
}

export interface MemberServicesOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly repository: FhirRepository;
  readonly metrics: Metrics;
  /** Outbound HTTP to members; default the SSRF-guarded memberFetch. */
  readonly fetch?: MemberFetch;
  readonly logbook?: { mirrorIntervalMs?: number; finalityRetryMs?: number };
  /** Patient apps registered at this node. */
  readonly apps?: readonly PatientApp[];
  /** The organisation's own systems (SMART Backend Services). */
  readonly systems?: readonly BackendServiceClient[];
  /** Demo mode (demo keys and demo identity allowed, and announced); see auth/identity-mode.ts. */
  readonly demo?: boolean;
  readonly identity?: IdentityConfig;
  /** The national functions beyond the region (Mitz, MedMij). */
  readonly national?: NationalConfig;
  /** Patients held for review, and who decides (`patientIdentity: { onConflict: review }`). */
  readonly patientReviews?: Omit<PatientReviewOptions, 'sessions' | 'organisation'>;
}

/**
 * The region's WebAuthn relying parties: one per member node (loopback counts as localhost). A node
 * addressed by a bare IP address cannot be one, so its clients cannot use passkeys.
 */
function passkeyRelyingParties(region: RegionConfig): RelyingParty[] {
  return region.organisations.flatMap((o) => {
    try {
      return [relyingPartyOf(o.node.baseUrl)];
    } catch {
      return [];
    }
  });
}

export async function startMemberServices(
  app: FastifyInstance,
  options: MemberServicesOptions,
): Promise<MemberServices> {
  const { db, membership, metrics } = options;
  const fetch = options.fetch ?? memberFetch(membership.region);
  const relyingParties = passkeyRelyingParties(membership.region);
  const logbook = await NodeLogbook.open({
    db,
    membership,
    log: app.log,
    webauthnVerify: createWebAuthnVerify(relyingParties),
    fetch,
    ...options.logbook,
  });
  // Only now is the logbook's word on the statement key known: rotated out, revoked, or rotated in.
  const keyProblem = statementKeyProblem(membership, logbook.state.keys);
  if (keyProblem) {
    await logbook.close();
    throw new ConfigError(`region.secrets: ${keyProblem}`);
  }
  await app.register(logbookRoutes, { logbook });
  // What the node's processes share beyond the logbook (sessions, login states and counts, used
  // node-token ids; the authorization server's codes and tokens) lives in its database with an
  // expiry, swept here.
  const ephemeral = await SqlEphemeralStore.open(db);
  const stopSweeping = sweepPeriodically(
    { sweep: async (now) => (await ephemeral.sweep(now)) + (await sweepOidcModels(db, now)) },
    { onError: (error) => app.log.warn({ err: error }, 'sweeping expired sessions and login states failed') },
  );
  app.addHook('onClose', async () => stopSweeping());
  // One verifier for every route that takes node tokens: one register of used token ids.
  const verifier = new NodeTokenVerifier({
    audience: membership.organisation.node.baseUrl,
    state: () => logbook.state,
    replays: ephemeral,
  });
  await app.register(notifyRoutes, { logbook, membership, verifier });
  const notifier = new Notifier(membership, fetch, app.log);
  metrics.collect(logbookMetrics(logbook));
  // The node's login sessions, in its database: identity creates them, exchange reads them. Without
  // passkeys nobody logs in here (exchange then has an empty store).
  const sessions =
    relyingParties.length === membership.region.organisations.length
      ? new SessionStore(ephemeral)
      : undefined;
  // Exchange is constructed before identity: clients are known by their region pseudonym, from the
  // pseudonym service exchange reaches (its routes are registered below, in their place).
  const mitz = options.national?.mitz;
  const national = mitz
    ? await registerNationalConsent(app, { config: mitz, membership, log: app.log })
    : undefined;
  const exchange = nodeExchange({
    national,
    db,
    membership,
    logbook,
    repository: options.repository,
    fetch,
    log: app.log,
    verifier,
    ...(sessions ? { sessions } : {}),
  });
  const client = exchange.pseudonyms;
  const pseudonymOf: PseudonymOf | undefined = client ? (bsn) => client.pseudonymOf(bsn) : undefined;
  let auth: PasskeyAuth | undefined;
  let smart: Awaited<ReturnType<typeof registerNodeSmart>> | undefined;
  let systemTokens: CredentialResolvers['systemTokens'];
  // Before the authorization server: MedMij-Request-ID goes on its token answers too.
  if (options.national?.medmij)
    await registerMedmij(app, {
      repository: options.repository,
      appTokens: async (token) => smart?.appTokens(token),
      baseUrl: membership.organisation.node.baseUrl,
    });
  if (sessions) {
    const nodeAuth = await registerNodeAuth(app, {
      db,
      ephemeral,
      sessions,
      membership,
      logbook,
      pseudonymOf: () => pseudonymOf,
      demo: options.demo === true,
      ...(options.identity ? { identity: options.identity } : {}),
    });
    auth = nodeAuth;
    await app.register(patientMatchRoutes, {
      repository: options.repository,
      sessions: nodeAuth.sessions,
      organisation: `ura:${membership.organisation.ura}`,
      fhirBase: `${membership.organisation.node.baseUrl.replace(/\/$/, '')}/fhir`,
    });
    if (options.patientReviews)
      await app.register(patientReviewRoutes, {
        ...options.patientReviews,
        sessions: nodeAuth.sessions,
        organisation: `ura:${membership.organisation.ura}`,
      });
    smart = await registerNodeSmart(app, {
      db,
      membership,
      repository: options.repository,
      sessions: auth.sessions,
      bsnOf: nodeAuth.bsnOf,
      ...(options.apps ? { apps: options.apps } : {}),
      ...(options.systems ? { systems: options.systems } : {}),
    });
    systemTokens = smart.systemTokens;
  } else {
    app.log.warn('passkeys are off: WebAuthn needs every member node under a domain name, not an IP address');
    systemTokens = await registerSystemAuthorization(app, {
      db,
      baseUrl: membership.organisation.node.baseUrl,
      systems: options.systems ?? [],
    });
  }
  const carelog = await registerNodeCarelog(app, {
    db,
    membership,
    logbook,
    // Without passkeys nobody logs in here: an empty store.
    sessions: auth?.sessions ?? new SessionStore(new MemoryEphemeralStore()),
    fetch,
    notifier,
  });
  await app.register(exchange.register);
  const analytics = await openNodeAnalytics({
    db,
    membership,
    logbook,
    repository: exchange.repository,
    ...(pseudonymOf ? { pseudonymOf } : {}),
    fetch,
    log: app.log,
    ...(auth ? { sessions: auth.sessions } : {}),
  });
  await app.register(analytics.register);
  return {
    logbook,
    exchange,
    analytics,
    carelog,
    repository: exchange.repository,
    ...(auth ? { auth } : {}),
    credentials: {
      organisation: `ura:${membership.organisation.ura}`,
      // Node tokens are answered only where the holder guard judges them (a region with a
      // pseudonym service); elsewhere every JWT is refused.
      ...(exchange.pseudonyms ? { nodeTokens: verifier } : {}),
      systemTokens,
      ...(smart ? { appTokens: smart.appTokens } : {}),
      ...(auth ? { sessions: auth.sessions } : {}),
      representativeMayRead: representativeMayRead(() => logbook.state.consents),
    },
    ...(smart ? { patientOfHolder: smart.patientOfHolder } : {}),
  };
}
