// Analytics at a region member: analysis runs under the region's signed analysis agreements, as
// one component — `openAnalytics` builds it over what the node supplies (ports.ts), `register` is
// its routes as one Fastify plugin, `close` ends the runs under way.
//
// A run, asked of any party by an analyst's (or a node's) token with purpose "research":
//   before  the node that is asked (the coordinator) and each other party check on their own the
//           agreement on the logbook: signed by every party, this node among them, not expired,
//           its spec hash equal to the hash of the study spec; each reads its columns from its
//           own FHIR store over the agreed cohort domain (prepare), then all three start at once.
//   during  the parties exchange only shares, as signed messages on POST /mpc/v1/message, and
//           open only the disclosure pass bits and the cells that pass (min cell 10, (1,50)).
//   after   every party signs the `analysis.run` statement with the output digest; the coordinator
//           appends it, with all three signatures, to its log — and only then releases the output.
//
// runs.ts             the run's steps at one party (authorize, prepare, start)
// run-journal.ts      this node's record of the runs it took part in
// mpc-route.ts        the MPC message route
// run-coordinator.ts  POST /analytics/runs
// peer-steps.ts       the coordinator's calls to the other parties
// read-routes.ts      GET /analytics/agreements and GET /analytics/runs for the analyst's page
// portal-routes.ts    the portal's signing of agreements and runs, for a professional's session
import type { FastifyPluginAsync } from 'fastify';
import { MemoryEphemeralStore, type Db } from '@ketenlog/storage';
import type { MemberFetch } from '@ketenlog/region';
import { SessionStore } from '@ketenlog/auth';
import type { Component } from '@ketenlog/problem';
import { RunContext } from './runs.ts';
import { RunJournal } from './run-journal.ts';
import { registerMpcRoute } from './mpc-route.ts';
import { registerRunCoordinator } from './run-coordinator.ts';
import { registerPeerSteps } from './peer-steps.ts';
import { registerReadRoutes } from './read-routes.ts';
import { registerPortalRoutes } from './portal-routes.ts';
import type { AnalyticsLogbook, AnalyticsMember, StudyInputs } from './ports.ts';

export interface AnalyticsOptions {
  /** The node's database (the run journal). */
  readonly db: Db;
  readonly member: AnalyticsMember;
  readonly logbook: AnalyticsLogbook;
  readonly inputs: StudyInputs;
  /** Outbound HTTP to the other parties' nodes (the node's SSRF-guarded member fetch). */
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
  /** Professionals' sessions, for the analyst's and the assessors' routes; none: nobody logs in here. */
  readonly sessions?: SessionStore;
  /** Per-round wait for a peer's message (default 120 s). */
  readonly roundTimeoutMs?: number;
  readonly now?: () => Date;
}

export interface Analytics extends Component {
  /** Its routes, one Fastify plugin: register it at the server's root (the paths are absolute). */
  readonly register: FastifyPluginAsync;
}

export async function openAnalytics(options: AnalyticsOptions): Promise<Analytics> {
  const ctx = new RunContext({
    member: options.member,
    logbook: options.logbook,
    inputs: options.inputs,
    fetch: options.fetch,
    journal: await RunJournal.open(options.db),
    roundTimeoutMs: options.roundTimeoutMs ?? 120_000,
    now: options.now ?? (() => new Date()),
  });
  const sessions = options.sessions ?? new SessionStore(new MemoryEphemeralStore());
  return {
    register: async (app) => {
      await registerMpcRoute(app, ctx);
      registerRunCoordinator(app, ctx);
      registerPeerSteps(app, ctx, options.log);
      registerReadRoutes(app, ctx, sessions);
      registerPortalRoutes(app, ctx, sessions);
    },
    close: () => ctx.close(),
  };
}
