// Analytics at a region member (packages/analytics): analysis runs under the region's signed
// analysis agreements. Wired into every member by region/member-services.ts.
//
// A run, asked of any party by an analyst's (or a node's) token with purpose "research":
//   before  the node that is asked (the coordinator) and each other party check on their own the
//           agreement on the logbook: signed by every party, this node among them, not expired,
//           its spec hash equal to the hash of the study spec; each computes its columns from its
//           own FHIR store over the agreed cohort domain (prepare), then all three start at once.
//   during  the parties exchange only shares, as signed messages on POST /mpc/v1/message, and
//           open only the disclosure pass bits and the cells that pass (min cell 10, (1,50)).
//   after   every party signs the `analysis.run` statement with the output digest; the coordinator
//           appends it, with all three signatures, to its log — and only then releases the output.
//
// runs.ts          the run's steps at one party (authorize, prepare, start)
// mpc-route.ts     the MPC message route
// run-coordinator.ts  POST /analytics/runs
// peer-steps.ts    the coordinator's calls to the other parties
// read-routes.ts   GET /analytics/agreements and GET /analytics/runs for the analyst's page
// portal-routes.ts the portal's signing of agreements and runs, for a professional's session
import type { FastifyInstance } from 'fastify';
import { MemoryEphemeralStore, type Db } from '@ketenlog/storage';
import type { FhirRepository } from '@ketenlog/fhir';
import type { MemberFetch } from '@ketenlog/region';
import { SessionStore } from '@ketenlog/auth';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';
import { RunContext } from './runs.ts';
import { RunJournal } from './run-journal.ts';
import { registerMpcRoute } from './mpc-route.ts';
import { registerRunCoordinator } from './run-coordinator.ts';
import { registerPeerSteps } from './peer-steps.ts';
import { registerReadRoutes } from './read-routes.ts';
import { registerPortalRoutes } from './portal-routes.ts';

export { AGREEMENTS_PATH, PEER_RUNS_PATH, RESEARCH_PURPOSE, RUNS_PATH, type RunOutput } from './runs.ts';

export interface NodeAnalyticsOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  readonly repository: FhirRepository;
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
  /** Professionals' sessions, for the analyst's read routes. */
  readonly sessions?: SessionStore;
  /** Per-round wait for a peer's message (default 120 s). */
  readonly roundTimeoutMs?: number;
  readonly now?: () => Date;
}

export interface NodeAnalytics {
  close(): void;
}

export async function registerNodeAnalytics(
  app: FastifyInstance,
  options: NodeAnalyticsOptions,
): Promise<NodeAnalytics> {
  const ctx = new RunContext({
    membership: options.membership,
    logbook: options.logbook,
    repository: options.repository,
    fetch: options.fetch,
    journal: await RunJournal.open(options.db),
    roundTimeoutMs: options.roundTimeoutMs ?? 120_000,
    now: options.now ?? (() => new Date()),
  });
  await registerMpcRoute(app, ctx);
  registerRunCoordinator(app, ctx);
  registerPeerSteps(app, ctx, options.log);
  const sessions = options.sessions ?? new SessionStore(new MemoryEphemeralStore());
  registerReadRoutes(app, ctx, sessions);
  registerPortalRoutes(app, ctx, sessions);
  return { close: () => ctx.close() };
}
