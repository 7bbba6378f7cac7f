// Exchange at a region member, one component (issue 18): the region's pseudonym service at the
// RSO's node (behind node tokens), a pseudonym client at every node, and the localisation index —
// every resource about a client stored here is stated on the node's log as "this organisation holds
// this category for her pseudonym". On top of these, every node is a holder (its FHIR API answers
// other members' node tokens with only what the client allowed, and records each access:
// holder.ts), a requester (the federated overview for its professionals: overview.ts; referrals by
// notified pull: referrals.ts) and the client's own node (her consent register and access trail:
// client.ts; export and erasure: portability.ts). Without an RSO in the region there is no
// pseudonym service, and all of this stays off. The node constructs it over the interfaces of
// exchange-member.ts, registers `register`, and awaits `close()` after its HTTP server has closed.
import { hkdfSync } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
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
import { replyOutcome, type Component } from '@ketenlog/problem';
import { callerActsForClient } from '../portability/portability.ts';
import { IndexPublisher } from '../localisation/index-publisher.ts';
import { PseudonymClient } from '../pseudonym/pseudonym-client.ts';
import { pseudonymServiceKey } from '../pseudonym/pseudonym.ts';
import { pseudonymServiceRoutes } from '../pseudonym/pseudonym-service.ts';
import { SubjectSalts } from '../pseudonym/subject-salts.ts';
import type { NationalConsent } from '../pdp.ts';
import type { ExchangeLogbook, ExchangeMembership, FhirAccessOf } from './exchange-member.ts';
import { IndexingRepository, storeContents } from './indexing-repository.ts';
import { PatientDirectory } from './patient-directory.ts';
import { AuditWriter } from './audit-writer.ts';
import { registerHolder } from './holder.ts';
import { overviewRoutes, type OverviewQuerySet } from './overview.ts';
import { clientRoutes } from './client.ts';
import { clientCallToken, portabilityRoutes } from './portability.ts';
import { glassReasonOf, glassReasonRoutes } from './glass-reasons.ts';
import { peopleRoutes } from './people.ts';
import { assistedConsentRoutes, assistedConsentsOf } from './assisted.ts';
import { consentPreviewRoutes } from './consent-preview.ts';
import { referralRoutes } from './referrals.ts';
import { consentStatusRoutes } from './consent-status.ts';

export const PSEUDONYM_PATH = '/pseudonyms';
/** Reconciles the localisation index against the store, on demand (a professional of this node). */
export const RECONCILE_PATH = '/exchange/index/reconcile';

export interface ExchangeOptions {
  readonly db: Db;
  readonly membership: ExchangeMembership;
  readonly logbook: ExchangeLogbook;
  /** The node's own FHIR store. */
  readonly repository: FhirRepository;
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
  /** The node's one node-token verifier (one replay register for every route). */
  readonly verifier: NodeTokenVerifier;
  /** The node's access decision on a FHIR request, for the hooks that act on FHIR calls. */
  readonly fhirAccessOf: FhirAccessOf;
  /** Whether a representative's delegation on the logbook lets her read her client's record. */
  readonly representativeMayRead: (client: string, representative: string) => boolean;
  /** The node's login sessions (professionals, clients); without them those routes refuse. */
  readonly sessions?: SessionStore | undefined;
  /** Per holder in an overview. Default 2000 ms. */
  readonly overviewTimeoutMs?: number;
  /** Query sets an overview may ask instead of everything (`&set=bgz`). */
  readonly querySets?: Readonly<Record<string, OverviewQuerySet>>;
  /** The national consent service this holder asks (Mitz, packages/node/src/national). */
  readonly national?: NationalConsent | undefined;
}

/** The member that runs the region's pseudonym service: its (first) RSO. */
export function pseudonymServiceOf(membership: ExchangeMembership): Organisation | undefined {
  return membership.region.organisations.find((o) => o.type === 'rso');
}

/** The parts of exchange that exist only in a region with a pseudonym service. */
interface Running {
  readonly service: Organisation;
  readonly pseudonyms: PseudonymClient;
  readonly directory: PatientDirectory;
  readonly publisher: IndexPublisher;
  readonly audit: AuditWriter;
}

export class Exchange implements Component {
  /** The FHIR store as the node's routes must use it: writes feed the localisation index. */
  readonly repository: FhirRepository;
  readonly publisher?: IndexPublisher;
  readonly pseudonyms?: PseudonymClient;
  readonly directory?: PatientDirectory;
  readonly #options: ExchangeOptions;
  readonly #running: Running | undefined;
  #closed = false;

  constructor(options: ExchangeOptions) {
    this.#options = options;
    const { membership, logbook, repository, fetch, log } = options;
    const { organisation, statementKey, region } = membership;
    const service = pseudonymServiceOf(membership);
    if (!service) {
      this.repository = repository;
      return;
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
    const audit = new AuditWriter({
      repository,
      onError: (error) => log.warn({ err: error }, 'exchange: writing AuditEvents failed'),
    });
    this.#running = { service, pseudonyms, directory, publisher, audit };
    this.pseudonyms = pseudonyms;
    this.directory = directory;
    this.publisher = publisher;
    this.repository = new IndexingRepository(repository, publisher);
  }

  /**
   * States in the index whatever the store holds and the index does not show; the count stated (0
   * without a pseudonym service). Statements the region's state already shows are not repeated.
   */
  reconcile(): Promise<number> {
    const publisher = this.#running?.publisher;
    if (!publisher) return Promise.resolve(0);
    return publisher.reconcile(storeContents(this.#options.repository, () => this.#closed));
  }

  /**
   * Exchange's routes and hooks. Not encapsulated (fastify-plugin): its hooks — the holder guard, a
   * professional's `$everything` as the overview, a client's `GET /fhir/Consent` — act on the node's
   * FHIR routes, which live outside this plugin. The node's access decision on those routes runs
   * before them (onRequest precedes every preHandler).
   */
  readonly register: FastifyPluginAsync = fastifyPlugin(async (app: FastifyInstance) => this.#routes(app), {
    name: 'ketenlog-exchange',
  });

  /** Ends the index publisher and writes the pending AuditEvents (the node's database still open). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#running?.publisher.close();
    await this.#running?.audit.close();
  }

  async #routes(app: FastifyInstance): Promise<void> {
    const running = this.#running;
    if (!running) return;
    const { service, pseudonyms, directory, audit } = running;
    const options = this.#options;
    const { membership, logbook, repository, fetch, log, national, verifier, fhirAccessOf } = options;
    const sessions = options.sessions ?? new SessionStore(new MemoryEphemeralStore());
    const { organisation, region } = membership;
    const mayRead = options.representativeMayRead;

    if (service.ura === organisation.ura) {
      const seed = new Uint8Array(
        hkdfSync(
          'sha256',
          membership.derivationSecret,
          region.name,
          'ketenlog pseudonym service seed v1',
          32,
        ),
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

    await registerHolder(app, {
      membership,
      logbook,
      repository,
      verifier,
      directory,
      audit,
      national,
      fhirAccessOf,
    });
    await overviewRoutes(app, {
      membership,
      logbook,
      repository,
      pseudonyms,
      directory,
      sessions,
      fetch,
      fhirAccessOf,
      ...(options.querySets ? { querySets: options.querySets } : {}),
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
      fhirAccessOf,
      glassReason,
      assistedConsents: (client) => assistedConsentsOf(repository, directory, client),
    });
    await assistedConsentRoutes(app, { membership, logbook, repository, sessions });
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
    // The index against the store: at start (what a crash lost before its batch was stated) and on
    // demand.
    app.addHook('onReady', async () => {
      void this.reconcile().catch((error: unknown) => {
        if (!this.#closed)
          log.warn({ err: error }, 'localisation index: reconcile at start failed; retrying');
      });
    });
    app.post(RECONCILE_PATH, async (request, reply) => {
      // A professional acting for this organisation, like every other staff route (not any session).
      if (!(await requireProfessional(sessions, request, reply, Date.now(), `ura:${organisation.ura}`)))
        return reply;
      try {
        return { stated: await this.reconcile() };
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
      repository: this.repository,
      sessions,
      verifier,
      fetch,
      log,
    });
  }
}
