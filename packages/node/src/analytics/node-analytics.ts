// Analytics at a region member (packages/analytics): the MPC message route and analysis runs under
// the region's signed analysis agreements. Wired into every member by region/member-services.ts.
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
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '@ketenlog/storage';
import type { FhirRepository } from '@ketenlog/fhir';
import {
  agreementStatus,
  findOrganisation,
  organisationRef,
  uraOf,
  type AgreementTerms,
  type MemberFetch,
  type Organisation,
} from '@ketenlog/region';
import {
  fromBase64,
  signStatement,
  signStatementEd25519,
  type Json,
  type SignedStatement,
  type Statement,
  type StatementSignature,
} from '@ketenlog/logbook';
import { issueNodeToken, NodeTokenVerifier, requireNodeToken, type NodeCaller } from '@ketenlog/auth';
import { PseudonymClient } from '@ketenlog/exchange';
import {
  IBD_COACH_FIELD,
  IBD_COACH_STUDY,
  MPC_MESSAGE_PATH,
  Party,
  analysisRunDraft,
  authorizeRun,
  cellsJson,
  createHttpTransport,
  digestOf,
  ibdCoachSpec,
  runIbdCoach,
  type HttpTransport,
  type IbdCoachCellResult,
  type IbdCoachParties,
  type PartyIndex,
} from '@ketenlog/analytics';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';
import { cohortDomain, studyInputs, type StudyRole } from './study-inputs.ts';

export const RUNS_PATH = '/analytics/runs';
/** Node-to-node steps of a run (node tokens): prepare, start, cosign. */
export const PEER_RUNS_PATH = '/analytics/v1/peer-runs';
export const RESEARCH_PURPOSE = 'research';

export interface NodeAnalyticsOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  readonly repository: FhirRepository;
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
  /** Per-round wait for a peer's message (default 120 s). */
  readonly roundTimeoutMs?: number;
  readonly now?: () => Date;
}

export interface NodeAnalytics {
  close(): void;
}

/** What the coordinator releases to the analyst (and digests for the log). */
export interface RunOutput {
  readonly study: string;
  readonly agreement: string;
  readonly run: string;
  readonly cohortSize: number;
  /** per party (`ura:<URA>`): records left out because the client objected to research */
  readonly recordsLeftOut: Record<string, number>;
  readonly cells: IbdCoachCellResult[];
}

class RunRefused extends Error {
  override readonly name = 'RunRefused';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const outcome = (code: string, diagnostics: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics }],
});

async function refuse(reply: FastifyReply, error: unknown): Promise<FastifyReply> {
  if (error instanceof RunRefused)
    return reply.code(error.status).type('application/fhir+json').send(outcome(error.code, error.message));
  return reply
    .code(500)
    .type('application/fhir+json')
    .send(outcome('exception', `the analysis run failed: ${(error as Error).message}`));
}

const STUDY_ROLES: Record<string, StudyRole | undefined> = {
  ziekenhuis: 'hospital',
  zorgverzekeraar: 'insurer',
  statistiek: 'statistics',
};
const ROLE_INDEX: Record<StudyRole, PartyIndex> = { hospital: 1, insurer: 2, statistics: 3 };

/** The study parties of an agreement: one hospital, one insurer, one statistics office. */
function studyParties(membership: Membership, terms: AgreementTerms): IbdCoachParties {
  const byRole = new Map<StudyRole, string>();
  for (const ref of terms.parties) {
    const org = findOrganisation(membership.region, uraOf(ref) ?? '');
    const role = org ? STUDY_ROLES[org.type] : undefined;
    if (!role || byRole.has(role))
      throw new RunRefused(
        422,
        'not-supported',
        `agreement ${terms.agreement}: no study of this node fits parties ${terms.parties.join(', ')}`,
      );
    byRole.set(role, ref);
  }
  if (byRole.size !== 3)
    throw new RunRefused(422, 'not-supported', `agreement ${terms.agreement} needs three study parties`);
  return {
    hospital: byRole.get('hospital')!,
    insurer: byRole.get('insurer')!,
    statistics: byRole.get('statistics')!,
  };
}

interface Run {
  readonly id: string;
  readonly agreement: string;
  readonly terms: AgreementTerms;
  readonly specHash: string;
  readonly coordinator: string;
  readonly parties: IbdCoachParties;
  readonly me: PartyIndex;
  readonly domainSize: number;
  readonly domainDigest: string;
  readonly columns: bigint[][];
  readonly leftOut: number;
  readonly transport: HttpTransport;
  /** the session tag every MPC message of this run carries */
  readonly session: string;
  result?: Promise<RunOutput>;
}

export async function registerNodeAnalytics(
  app: FastifyInstance,
  options: NodeAnalyticsOptions,
): Promise<NodeAnalytics> {
  const { membership, logbook, repository, fetch, log } = options;
  const { organisation, statementKey, region } = membership;
  const self = organisationRef(organisation.ura);
  const now = options.now ?? (() => new Date());
  const roundTimeoutMs = options.roundTimeoutMs ?? 120_000;
  const baseUrl = organisation.node.baseUrl.replace(/\/$/, '');
  const verifier = new NodeTokenVerifier({ audience: organisation.node.baseUrl, state: () => logbook.state });
  const runs = new Map<string, Run>();
  const sessions = new Map<string, Run>();
  const timers = new Set<NodeJS.Timeout>();

  const rso = region.organisations.find((o) => o.type === 'rso');
  const pseudonyms = rso
    ? new PseudonymClient({
        url: `${rso.node.baseUrl}/pseudonyms/evaluate`,
        region: region.name,
        fetch,
        token: () => tokenFor(rso, 'treatment'),
      })
    : undefined;

  function tokenFor(to: Organisation, purpose: string): Promise<string> {
    return issueNodeToken(
      { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
      { organisation: organisation.ura, audience: to.node.baseUrl, role: 'node', purpose },
    );
  }

  /** POST JSON to a party's peer route; its OperationOutcome becomes this run's refusal. */
  async function callParty(to: Organisation, step: string, body: Json): Promise<unknown> {
    const response = await fetch(`${to.node.baseUrl.replace(/\/$/, '')}${PEER_RUNS_PATH}/${step}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await tokenFor(to, RESEARCH_PURPOSE)}`,
      },
      body: JSON.stringify(body),
      // prepare reads the party's store, cosign waits for its computation: longer than a plain call
      signal: AbortSignal.timeout(roundTimeoutMs * 4),
    });
    const answer = (await response.json().catch(() => undefined)) as
      { issue?: { diagnostics?: string; code?: string }[] } | undefined;
    if (!response.ok) {
      const why = answer?.issue?.[0]?.diagnostics ?? `HTTP ${response.status}`;
      throw new RunRefused(
        response.status === 403 || response.status === 409 || response.status === 422 ? response.status : 502,
        answer?.issue?.[0]?.code ?? 'exception',
        `${to.name} refused to ${step}: ${why}`,
      );
    }
    return answer;
  }

  /** "Before", at every party on its own: the agreement on the log and this node's part in it. */
  function authorize(
    agreement: string,
    requester: string,
  ): { terms: AgreementTerms; specHash: string; parties: IbdCoachParties } {
    const status = agreementStatus(logbook.state, agreement);
    if (!status)
      throw new RunRefused(403, 'forbidden', `no analysis agreement ${agreement} on the region's logbook`);
    const terms = status.terms;
    if (!terms.parties.includes(self))
      throw new RunRefused(403, 'forbidden', `${organisation.name} is not a party to agreement ${agreement}`);
    if (!terms.parties.includes(requester))
      throw new RunRefused(403, 'forbidden', `${requester} is not a party to agreement ${agreement}`);
    if (!status.complete)
      throw new RunRefused(
        403,
        'forbidden',
        `agreement ${agreement} is not signed by every party (signed: ${status.signedBy.join(', ') || 'none'})`,
      );
    if (terms.purpose !== RESEARCH_PURPOSE && !terms.purpose.startsWith(`${RESEARCH_PURPOSE}:`))
      throw new RunRefused(403, 'forbidden', `agreement ${agreement} is not for research`);
    const parties = studyParties(membership, terms);
    const spec = ibdCoachSpec(parties);
    const auth = authorizeRun({
      register: logbook.state.analysis,
      agreement,
      spec,
      myKeyIds: organisation.statementKeys.map((k) => k.keyId),
      now: now(),
    });
    if (!auth.ok) {
      const why =
        auth.reason === 'expired'
          ? `agreement ${agreement} expired (valid until ${auth.validUntil})`
          : auth.reason === 'spec-hash-differs'
            ? `agreement ${agreement} was signed for another computation (spec hash ${auth.agreed}, ${IBD_COACH_STUDY} is ${auth.actual})`
            : auth.reason === 'not-signed-by-this-node'
              ? `${organisation.name} did not sign agreement ${agreement}`
              : `no analysis agreement ${agreement} on the region's logbook`;
      throw new RunRefused(403, 'forbidden', why);
    }
    return { terms: auth.terms, specHash: auth.specHash, parties };
  }

  function partyOrgs(parties: IbdCoachParties): Organisation[] {
    return [parties.hospital, parties.insurer, parties.statistics].map((ref) =>
      findOrganisation(region, uraOf(ref)!)!,
    );
  }

  /** The domain as this node sees it; waits briefly for mirrors when a coordinator's differs. */
  async function domainAgreeing(parties: IbdCoachParties, expected?: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      const domain = cohortDomain(logbook.state, parties.insurer);
      if (expected === undefined || digestOf(domain) === expected) return domain;
      if (attempt >= 20)
        throw new RunRefused(409, 'conflict', 'the parties see different cohort domains on the logbook');
      await logbook.syncMirrors().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function prepare(
    id: string,
    agreement: string,
    coordinator: string,
    expectedDomain?: string,
  ): Promise<Run> {
    if (runs.has(id)) throw new RunRefused(409, 'duplicate', `run ${id} exists already`);
    const { terms, specHash, parties } = authorize(agreement, coordinator);
    const role = (Object.entries(parties) as [StudyRole, string][]).find(([, ref]) => ref === self)![0];
    const me = ROLE_INDEX[role];
    const domain = await domainAgreeing(parties, expectedDomain);
    if (domain.length === 0) throw new RunRefused(409, 'conflict', 'the cohort domain is empty');
    if (!pseudonyms) throw new RunRefused(409, 'conflict', 'the region has no pseudonym service');
    const inputs = await studyInputs(
      role,
      {
        repository,
        baseUrl: `${baseUrl}/fhir`,
        state: logbook.state,
        self,
        pseudonymOf: (bsn) => pseudonyms.pseudonymOf(bsn),
      },
      domain,
    );
    const orgs = partyOrgs(parties);
    const peers = orgs.flatMap((org, i) =>
      i + 1 === me
        ? []
        : [
            {
              index: (i + 1) as PartyIndex,
              url: org.node.baseUrl,
              publicKey: fromBase64(org.statementKeys[0]!.publicKey)!,
            },
          ],
    );
    const domainDigest = digestOf(domain);
    const run: Run = {
      id,
      agreement,
      terms,
      specHash,
      coordinator,
      parties,
      me,
      domainSize: domain.length,
      domainDigest,
      columns: inputs.columns,
      leftOut: inputs.leftOut,
      transport: createHttpTransport({
        me,
        secretKey: statementKey.secretKey,
        peers: () => peers,
        fetch: ((url: string | URL | Request, init?: RequestInit) =>
          fetch(String(url), {
            ...init,
            signal: AbortSignal.timeout(roundTimeoutMs),
          })) as typeof globalThis.fetch,
      }),
      session: digestOf({ run: id, specHash, domain: domainDigest }),
    };
    runs.set(id, run);
    sessions.set(run.session, run);
    // A run lives at most an hour on this node.
    const timer = setTimeout(() => forget(run), 3_600_000);
    timer.unref();
    timers.add(timer);
    return run;
  }

  function forget(run: Run): void {
    runs.delete(run.id);
    sessions.delete(run.session);
  }

  function start(run: Run, recordsLeftOut: Record<string, number>): Promise<RunOutput> {
    const party = new Party({
      field: IBD_COACH_FIELD,
      me: run.me,
      transport: run.transport.transport,
      specHash: run.session,
      timeoutMs: roundTimeoutMs,
    });
    run.result = runIbdCoach(party, run.domainSize, run.columns).then((cells) => ({
      study: IBD_COACH_STUDY,
      agreement: run.agreement,
      run: run.id,
      cohortSize: run.domainSize,
      recordsLeftOut,
      cells,
    }));
    // a failed run is forgotten; its refusal reaches whoever awaits it
    run.result.catch(() => forget(run));
    return run.result;
  }

  const outputJson = (o: RunOutput): Json => ({ ...o, cells: cellsJson(o.cells) }) as unknown as Json;

  // ---- the MPC messages: raw bodies, verified by the run's transport ----
  await app.register(async (scope) => {
    // Leave the body unread: the transport reads and verifies the raw bytes itself.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.post(MPC_MESSAGE_PATH, async (request, reply) => {
      const meta = request.headers['x-ketenlog-mpc'];
      let session: unknown;
      try {
        session =
          typeof meta === 'string'
            ? JSON.parse(Buffer.from(meta, 'base64url').toString('utf8')).specHash
            : undefined;
      } catch {
        session = undefined;
      }
      const run = typeof session === 'string' ? sessions.get(session) : undefined;
      if (!run) {
        request.raw.resume();
        return reply
          .code(typeof session === 'string' ? 404 : 400)
          .type('application/fhir+json')
          .send(
            outcome(
              typeof session === 'string' ? 'not-found' : 'invalid',
              'no analysis run with this session at this node',
            ),
          );
      }
      reply.hijack();
      run.transport.handle(request.raw, reply.raw);
      return reply;
    });
  });

  // ---- the analyst's request ----
  const research = (request: FastifyRequest): NodeCaller => {
    const caller = request.nodeCaller!;
    if (caller.purpose !== RESEARCH_PURPOSE)
      throw new RunRefused(
        403,
        'forbidden',
        `an analysis run needs purpose "${RESEARCH_PURPOSE}", not "${caller.purpose}"`,
      );
    return caller;
  };

  app.post(RUNS_PATH, { preHandler: requireNodeToken(verifier) }, async (request, reply) => {
    try {
      const caller = research(request);
      const agreement = (request.body as { agreement?: unknown } | undefined)?.agreement;
      if (typeof agreement !== 'string' || !agreement)
        throw new RunRefused(400, 'required', 'give the analysis agreement: { "agreement": "<id>" }');
      const requester = organisationRef(caller.organisation.ura);
      const id = randomUUID();
      const run = await prepare(id, agreement, requester);
      const others = partyOrgs(run.parties).filter((o) => o.ura !== organisation.ura);
      try {
        const prepared = (await Promise.all(
          others.map((o) =>
            callParty(o, 'prepare', { run: id, agreement, coordinator: self, domain: run.domainDigest }),
          ),
        )) as { leftOut: number }[];
        const recordsLeftOut: Record<string, number> = { [self]: run.leftOut };
        others.forEach((o, i) => (recordsLeftOut[organisationRef(o.ura)] = prepared[i]!.leftOut));
        await Promise.all(others.map((o) => callParty(o, 'start', { run: id, recordsLeftOut })));
        const output = await start(run, recordsLeftOut);
        // "After": every party signs the output digest before release.
        const draft = analysisRunDraft(run.terms, run.specHash, outputJson(output));
        const statement: Statement = {
          kind: draft.kind,
          v: 1,
          author: statementKey.keyId,
          iat: Math.floor(now().getTime() / 1000),
          body: draft.body,
        };
        const own = signStatement(statement, statementKey.secretKey);
        const cosigned = (await Promise.all(
          others.map((o) => callParty(o, 'cosign', { run: id, statement: statement as unknown as Json })),
        )) as { signature: StatementSignature }[];
        const envelope: SignedStatement = {
          statement,
          signatures: [...own.signatures, ...cosigned.map((c) => c.signature)],
        };
        const appended = await logbook.append(envelope);
        if (!appended.ok)
          throw new RunRefused(
            502,
            'exception',
            `the logbook refused the analysis.run statement: ${appended.reason}`,
          );
        return reply.code(200).send({
          ...(outputJson(output) as Record<string, Json>),
          outputDigest: draft.body.outputDigest,
          specHash: run.specHash,
          statement: { log: membership.origin, index: appended.index },
        });
      } finally {
        forget(run);
      }
    } catch (error) {
      return refuse(reply, error);
    }
  });

  // ---- the other parties' steps ----
  const coordinatorOf = (request: FastifyRequest, run: Run | undefined, id: unknown): Run => {
    if (!run) throw new RunRefused(404, 'not-found', `no analysis run ${String(id)} at ${organisation.name}`);
    if (organisationRef(research(request).organisation.ura) !== run.coordinator)
      throw new RunRefused(403, 'forbidden', 'only the coordinator of a run steers it');
    return run;
  };

  app.post(
    `${PEER_RUNS_PATH}/prepare`,
    { preHandler: requireNodeToken(verifier) },
    async (request, reply) => {
      try {
        const caller = organisationRef(research(request).organisation.ura);
        const b = request.body as {
          run?: unknown;
          agreement?: unknown;
          coordinator?: unknown;
          domain?: unknown;
        };
        if (typeof b?.run !== 'string' || typeof b.agreement !== 'string' || typeof b.domain !== 'string')
          throw new RunRefused(400, 'invalid', 'prepare needs run, agreement and domain');
        if (b.coordinator !== caller)
          throw new RunRefused(403, 'forbidden', 'the coordinator must ask itself');
        const run = await prepare(b.run, b.agreement, caller, b.domain);
        return reply.send({ leftOut: run.leftOut });
      } catch (error) {
        return refuse(reply, error);
      }
    },
  );

  app.post(`${PEER_RUNS_PATH}/start`, { preHandler: requireNodeToken(verifier) }, async (request, reply) => {
    try {
      const b = request.body as { run?: unknown; recordsLeftOut?: unknown };
      const run = coordinatorOf(request, typeof b?.run === 'string' ? runs.get(b.run) : undefined, b?.run);
      if (run.result) throw new RunRefused(409, 'conflict', `run ${run.id} has started already`);
      const leftOut = b.recordsLeftOut as Record<string, number>;
      if (typeof leftOut !== 'object' || leftOut === null || leftOut[self] !== run.leftOut)
        throw new RunRefused(
          400,
          'invalid',
          'start needs every party’s records left out, this party’s as it said',
        );
      start(run, leftOut).catch((error: unknown) =>
        log.warn({ run: run.id, err: (error as Error).message }, 'analytics: run failed'),
      );
      return reply.code(202).send({ started: run.id });
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.post(`${PEER_RUNS_PATH}/cosign`, { preHandler: requireNodeToken(verifier) }, async (request, reply) => {
    try {
      const b = request.body as { run?: unknown; statement?: Statement };
      const run = coordinatorOf(request, typeof b?.run === 'string' ? runs.get(b.run) : undefined, b?.run);
      if (!run.result) throw new RunRefused(409, 'conflict', `run ${run.id} has not started`);
      const output = await run.result;
      forget(run);
      const draft = analysisRunDraft(run.terms, run.specHash, outputJson(output));
      const s = b.statement;
      const coordinatorKeys =
        findOrganisation(region, uraOf(run.coordinator) ?? '')?.statementKeys.map((k) => k.keyId) ?? [];
      const same =
        s !== undefined &&
        s.kind === 'analysis.run' &&
        coordinatorKeys.includes(s.author) &&
        digestOf(s.body as Json) === digestOf(draft.body as unknown as Json);
      if (!same)
        throw new RunRefused(409, 'conflict', 'the statement does not carry the output this party computed');
      return reply.send({ signature: signStatementEd25519(s, statementKey.secretKey) });
    } catch (error) {
      return refuse(reply, error);
    }
  });

  return {
    close: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      runs.clear();
      sessions.clear();
    },
  };
}
