// Exchange at a region member (packages/exchange): the region's pseudonym service at the RSO's node
// (behind node tokens), a pseudonym client at every node, and the localisation index — every
// resource about a client stored here is stated on the node's log as "this organisation holds this
// category for her pseudonym". On top of these, every node is a holder (its FHIR API answers other
// members' node tokens with only what the client allowed, and records each access: holder.ts), a
// requester (the federated overview for its professionals: overview.ts; referrals by notified pull:
// referrals.ts) and the client's own node (her consent register and access trail: client.ts). Without an RSO in the region there is
// no pseudonym service, and all of this stays off.
import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type FhirRepository } from '@ketenlog/fhir';
import { signStatement } from '@ketenlog/logbook';
import { holdersOf, type MemberFetch, type Organisation } from '@ketenlog/region';
import {
  issueNodeToken,
  requireNodeToken,
  requireProfessional,
  SessionStore,
  type NodeTokenVerifier,
} from '@ketenlog/auth';
import { MemoryEphemeralStore, type Db } from '@ketenlog/storage';
import {
  callerActsForClient,
  IndexPublisher,
  PseudonymClient,
  pseudonymServiceKey,
  pseudonymServiceRoutes,
  SubjectSalts,
  type NationalConsent,
} from '@ketenlog/exchange';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';
import { IndexingRepository, storeContents } from './indexing-repository.ts';
import { PatientDirectory } from './patient-directory.ts';
import { AuditWriter } from './audit-writer.ts';
import { registerHolder } from './holder.ts';
import { overviewRoutes } from './overview.ts';
import { clientRoutes } from './client.ts';
import { clientCallToken, portabilityRoutes } from './portability.ts';
import { glassReasonOf, glassReasonRoutes } from './glass-reasons.ts';
import { peopleRoutes } from './people.ts';
import { assistedConsentRoutes, assistedConsentsOf } from './assisted.ts';
import { consentPreviewRoutes } from './consent-preview.ts';
import { referralRoutes } from './referrals.ts';
import { consentStatusRoutes } from './consent-status.ts';
import { representativeMayRead } from '../access/representatives.ts';
import { replyOutcome } from '@ketenlog/problem';

export const PSEUDONYM_PATH = '/pseudonyms';
/** Reconciles the localisation index against the store, on demand (a professional of this node). */
export const RECONCILE_PATH = '/exchange/index/reconcile';

export interface NodeExchange {
  readonly repository: FhirRepository;
  readonly publisher?: IndexPublisher;
  readonly pseudonyms?: PseudonymClient;
  readonly directory?: PatientDirectory;
  /** States in the index whatever the store holds and the index does not show; the count stated. */
  reconcile?(): Promise<number>;
  close(): void;
}

/** The member that runs the region's pseudonym service: its (first) RSO. */
export function pseudonymServiceOf(membership: Membership): Organisation | undefined {
  return membership.region.organisations.find((o) => o.type === 'rso');
}

export async function registerNodeExchange(
  app: FastifyInstance,
  options: {
    readonly db: Db;
    readonly membership: Membership;
    readonly logbook: NodeLogbook;
    readonly repository: FhirRepository;
    readonly fetch: MemberFetch;
    readonly log: { warn(obj: object, msg: string): void };
    /** The node's one node-token verifier (one replay register for every route). */
    readonly verifier: NodeTokenVerifier;
    /** The node's login sessions (professionals, clients); without them those routes refuse. */
    readonly sessions?: SessionStore;
    /** Per holder in an overview. Default 2000 ms. */
    readonly overviewTimeoutMs?: number;
    /** The national consent service this holder asks (Mitz, packages/node/src/national). */
    readonly national?: NationalConsent | undefined;
  },
): Promise<NodeExchange> {
  const { membership, logbook, repository, fetch, log, national } = options;
  const sessions = options.sessions ?? new SessionStore(new MemoryEphemeralStore());
  const { organisation, statementKey, region } = membership;
  const service = pseudonymServiceOf(membership);
  if (!service) return { repository, close: () => {} };

  const { verifier } = options;
  if (service.ura === organisation.ura) {
    const seed = new Uint8Array(
      hkdfSync('sha256', membership.derivationSecret, region.name, 'ketenlog pseudonym service seed v1', 32),
    );
    await app.register(pseudonymServiceRoutes, {
      prefix: PSEUDONYM_PATH,
      secretKey: pseudonymServiceKey(seed),
      authenticate: requireNodeToken(verifier),
      subjects: await SubjectSalts.open(options.db),
      // Only her own node, acting for her (the same check as the holders' erasure route).
      mayErase: (request, subject) =>
        request.nodeCaller !== undefined &&
        callerActsForClient(logbook.state, request.nodeCaller, subject, 'erasure'),
    });
  }

  const pseudonyms = new PseudonymClient({
    url: `${service.node.baseUrl}${PSEUDONYM_PATH}/evaluate`,
    region: region.name,
    fetch,
    token: () =>
      issueNodeToken(
        { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
        {
          organisation: organisation.ura,
          audience: service.node.baseUrl,
          role: 'node',
          purpose: 'treatment',
        },
      ),
  });
  const directory = new PatientDirectory({ repository, pseudonyms });
  const publisher = new IndexPublisher({
    holder: organisation.ura,
    author: statementKey.keyId,
    sign: (statement) => signStatement(statement, statementKey.secretKey),
    pseudonymOf: (patientId) => directory.pseudonymOf(patientId),
    holds: (pseudonym, category) =>
      holdersOf(logbook.state.index, pseudonym).some(
        (h) => h.holder === `ura:${organisation.ura}` && h.categories.includes(category),
      ),
    append: (envelope) => logbook.append(envelope),
    onError: (error) => log.warn({ err: error }, 'localisation index: publishing failed'),
  });
  // Root-level hooks and routes (not an encapsulated plugin): the holder guard must see the FHIR
  // routes, which the node registers after this.
  const audit = new AuditWriter({
    repository,
    onError: (error) => log.warn({ err: error }, 'exchange: writing AuditEvents failed'),
  });
  // The node closes its HTTP server before its database: pending AuditEvents are written then.
  app.addHook('onClose', async () => audit.close());
  await registerHolder(app, { membership, logbook, repository, verifier, directory, audit, national });
  await overviewRoutes(app, {
    membership,
    logbook,
    repository,
    pseudonyms,
    directory,
    sessions,
    fetch,
    ...(options.overviewTimeoutMs ? { timeoutMs: options.overviewTimeoutMs } : {}),
  });
  glassReasonRoutes(app, { logbook, repository, verifier });
  const glassReason = glassReasonOf({
    logbook,
    fetch,
    token: (client, audience) => clientCallToken(membership, client, 'export', audience),
  });
  await clientRoutes(app, {
    logbook,
    sessions,
    glassReason,
    assistedConsents: (client) => assistedConsentsOf(repository, directory, client),
  });
  await assistedConsentRoutes(app, { membership, logbook, repository, sessions });
  const mayRead = representativeMayRead(() => logbook.state.consents);
  await portabilityRoutes(app, {
    representativeMayRead: mayRead,
    membership,
    logbook,
    repository,
    verifier,
    directory,
    audit,
    sessions,
    fetch,
    glassReason,
    eraseSubject: async (subject, token) => {
      const response = await fetch(`${service.node.baseUrl}${PSEUDONYM_PATH}/erasure`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await token(service.node.baseUrl)}`,
        },
        body: JSON.stringify({ subject }),
      });
      if (!response.ok) throw new Error(`erasing her subject's salt: HTTP ${response.status}`);
      await response.body?.cancel();
    },
  });
  await consentPreviewRoutes(app, {
    logbook,
    sessions,
    repository,
    fhirBase: `${organisation.node.baseUrl}/fhir`,
    patientsOf: (pseudonym) => directory.patientsOf(pseudonym),
  });
  await consentStatusRoutes(app, { membership, logbook, repository, directory, sessions });
  await peopleRoutes(app, {
    membership,
    logbook,
    repository,
    directory,
    sessions,
    representativeMayRead: mayRead,
  });
  const indexing = new IndexingRepository(repository, publisher);
  // The index against the store: at start (what a crash lost before its batch was stated) and on
  // demand. Statements already shown by the region's state are not repeated.
  let closed = false;
  const reconcile = () => publisher.reconcile(storeContents(repository, () => closed));
  app.addHook('onReady', async () => {
    void reconcile().catch((error: unknown) => {
      if (!closed) log.warn({ err: error }, 'localisation index: reconcile at start failed; retrying');
    });
  });
  app.post(RECONCILE_PATH, async (request, reply) => {
    // A professional acting for this organisation, like every other staff route (not any session).
    if (!(await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`)))
      return reply;
    try {
      return { stated: await reconcile() };
    } catch {
      return replyOutcome(
        reply,
        503,
        'transient',
        'Niet alles kon in de lokalisatie-index worden vermeld; het wordt opnieuw geprobeerd.',
      );
    }
  });
  await referralRoutes(app, {
    db: options.db,
    membership,
    repository: indexing,
    sessions,
    verifier,
    fetch,
    log,
  });
  return {
    repository: indexing,
    publisher,
    pseudonyms,
    directory,
    reconcile,
    close: () => {
      closed = true;
      publisher.close();
    },
  };
}
