// The life of an analysis run at one party, shared by the coordinator (run-coordinator.ts) and the
// peer steps (peer-steps.ts): "before" (authorize: the agreement on the logbook, this node's part
// in it, the spec hash), prepare (this party's columns over the agreed cohort domain, from the
// study inputs its node supplies, and the run's MPC transport), start (the computation) and forget.
import type { FastifyRequest } from 'fastify';
import {
  agreementStatus,
  findOrganisation,
  organisationOfKey,
  organisationRef,
  uraOf,
  type AgreementTerms,
  type MemberFetch,
  type Organisation,
} from '@ketenlog/region';
import { fromBase64, type Json } from '@ketenlog/logbook';
import { issueNodeToken, NodeTokenVerifier, type NodeCaller } from '@ketenlog/auth';
import { MemoryEphemeralStore } from '@ketenlog/storage';
import { problem, ProblemError } from '@ketenlog/problem';
import { authorizeRun, digestOf } from '../agreement/run-authorization.ts';
import { Party } from '../mpc/engine.ts';
import { createHttpTransport, type HttpTransport } from '../mpc/http-transport.ts';
import type { PartyIndex } from '../mpc/shamir.ts';
import type { PsiOwnList } from '../linkage/psi.ts';
import { cohortDomain } from '../study/cohort-domain.ts';
import { ROLE_INDEX, studyParties, type StudyRole } from '../study/study-parties.ts';
import {
  IBD_COACH_FIELD,
  IBD_COACH_STUDY,
  appUseEffect,
  cellsJson,
  ibdCoachSpec,
  runIbdCoachLinked,
  type AppUseEffect,
  type IbdCoachCellResult,
  type IbdCoachParties,
} from '../study/ibd-coach.ts';
import type { RunJournal } from './run-journal.ts';
import type { AnalyticsLogbook, AnalyticsMember, StudyInputs } from './ports.ts';

export const RUNS_PATH = '/analytics/runs';
export const AGREEMENTS_PATH = '/analytics/agreements';
/** Node-to-node steps of a run (node tokens): prepare, start, cosign. */
export const PEER_RUNS_PATH = '/analytics/v1/peer-runs';
export const RESEARCH_PURPOSE = 'research';

/** What the coordinator releases to the analyst (and digests for the log). */
export interface RunOutput {
  readonly study: string;
  readonly agreement: string;
  readonly run: string;
  readonly cohortSize: number;
  /** per party (`ura:<URA>`): records left out because the client objected to research */
  readonly recordsLeftOut: Record<string, number>;
  readonly cells: IbdCoachCellResult[];
  /** app use's effect on cost and GP visits, adjusted for income, from the released cells */
  readonly effect?: AppUseEffect;
}

/**
 * A run's refusal as the error handler answers it: a ProblemError as it is; anything else (a
 * computation that failed: a peer's round timed out, a channel ended) a 500 saying why.
 */
export function runFailure(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  return problem(500, 'exception', `the analysis run failed: ${(error as Error).message}`);
}

/** Where a run the portal started stands, until its journal says it ended. */
export type RunPhase = 'preparing' | 'computing' | 'signing';
export interface RunProgress {
  readonly agreement: string;
  readonly startedAt: Date;
  phase: RunPhase;
}

export interface Run {
  readonly id: string;
  readonly agreement: string;
  readonly terms: AgreementTerms;
  readonly specHash: string;
  readonly coordinator: string;
  readonly parties: IbdCoachParties;
  readonly me: PartyIndex;
  readonly domainSize: number;
  readonly domainDigest: string;
  /** this party's list for the linkage (its size is public among the parties) */
  readonly own: PsiOwnList;
  readonly leftOut: number;
  readonly transport: HttpTransport;
  /** the session tag every MPC message of this run carries */
  readonly session: string;
  result?: Promise<RunOutput>;
}

export interface RunContextOptions {
  readonly member: AnalyticsMember;
  readonly logbook: AnalyticsLogbook;
  readonly inputs: StudyInputs;
  readonly fetch: MemberFetch;
  readonly journal: RunJournal;
  readonly roundTimeoutMs: number;
  readonly now: () => Date;
}

export const outputJson = (o: RunOutput): Json => ({ ...o, cells: cellsJson(o.cells) }) as unknown as Json;

function withEffect(cells: readonly IbdCoachCellResult[]): { effect?: AppUseEffect } {
  const effect = appUseEffect(cells);
  return effect ? { effect } : {};
}

/** The runs this node takes part in, and the steps every party takes on its own. */
export class RunContext {
  readonly member: AnalyticsMember;
  readonly logbook: AnalyticsLogbook;
  readonly journal: RunJournal;
  readonly self: string;
  readonly now: () => Date;
  readonly roundTimeoutMs: number;
  readonly verifier: NodeTokenVerifier;
  /** Runs this node coordinates for the portal, by id, while they are under way. */
  readonly progress = new Map<string, RunProgress>();
  readonly #runs = new Map<string, Run>();
  readonly #sessions = new Map<string, Run>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #o: RunContextOptions;

  constructor(o: RunContextOptions) {
    this.#o = o;
    this.member = o.member;
    this.logbook = o.logbook;
    this.journal = o.journal;
    this.now = o.now;
    this.roundTimeoutMs = o.roundTimeoutMs;
    const { organisation } = o.member;
    this.self = organisationRef(organisation.ura);
    this.verifier = new NodeTokenVerifier({
      audience: organisation.node.baseUrl,
      state: () => o.logbook.state,
      // A run lives in one process's memory (issue 20 moves it later), so its peers' token ids may too.
      replays: new MemoryEphemeralStore(),
    });
  }

  run(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  session(tag: string): Run | undefined {
    return this.#sessions.get(tag);
  }

  tokenFor(to: Organisation, purpose: string): Promise<string> {
    const { statementKey, organisation } = this.member;
    return issueNodeToken(
      { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
      { organisation: organisation.ura, audience: to.node.baseUrl, role: 'node', purpose },
    );
  }

  /** The caller of a run step: a node token with purpose research. */
  research(request: FastifyRequest): NodeCaller {
    const caller = request.nodeCaller;
    if (!caller) throw problem(401, 'login', 'a node token is required');
    if (caller.purpose !== RESEARCH_PURPOSE)
      throw problem(
        403,
        'forbidden',
        `an analysis run needs purpose "${RESEARCH_PURPOSE}", not "${caller.purpose}"`,
      );
    return caller;
  }

  /** POST JSON to a party's peer route; its OperationOutcome becomes this run's refusal. */
  async callParty(to: Organisation, step: string, body: Json): Promise<unknown> {
    const response = await this.#o.fetch(`${to.node.baseUrl.replace(/\/$/, '')}${PEER_RUNS_PATH}/${step}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await this.tokenFor(to, RESEARCH_PURPOSE)}`,
      },
      body: JSON.stringify(body),
      // prepare reads the party's store, cosign waits for its computation: longer than a plain call
      signal: AbortSignal.timeout(this.roundTimeoutMs * 4),
    });
    const answer = (await response.json().catch(() => undefined)) as
      { issue?: { diagnostics?: string; code?: string }[] } | undefined;
    if (!response.ok) {
      const why = answer?.issue?.[0]?.diagnostics ?? `HTTP ${response.status}`;
      throw problem(
        response.status === 403 || response.status === 409 || response.status === 422 ? response.status : 502,
        answer?.issue?.[0]?.code ?? 'exception',
        `${to.name} refused to ${step}: ${why}`,
      );
    }
    return answer;
  }

  /** "Before", at every party on its own: the agreement on the log and this node's part in it. */
  authorize(
    agreement: string,
    requester: string,
  ): { terms: AgreementTerms; specHash: string; parties: IbdCoachParties } {
    const { organisation } = this.member;
    const status = agreementStatus(this.logbook.state, agreement);
    if (!status)
      throw problem(403, 'forbidden', `no analysis agreement ${agreement} on the region's logbook`);
    const terms = status.terms;
    if (!terms.parties.includes(this.self))
      throw problem(403, 'forbidden', `${organisation.name} is not a party to agreement ${agreement}`);
    if (!terms.parties.includes(requester))
      throw problem(403, 'forbidden', `${requester} is not a party to agreement ${agreement}`);
    if (!status.complete)
      throw problem(
        403,
        'forbidden',
        `agreement ${agreement} is not signed by every party (signed: ${status.signedBy.join(', ') || 'none'})`,
      );
    if (terms.purpose !== RESEARCH_PURPOSE && !terms.purpose.startsWith(`${RESEARCH_PURPOSE}:`))
      throw problem(403, 'forbidden', `agreement ${agreement} is not for research`);
    const parties = studyParties(this.member.region, terms);
    const spec = ibdCoachSpec(parties);
    const auth = authorizeRun({
      register: this.logbook.state.analysis,
      agreement,
      spec,
      myKeyIds: this.#organisationKeys(),
      now: this.now(),
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
      throw problem(403, 'forbidden', why);
    }
    return { terms: auth.terms, specHash: auth.specHash, parties };
  }

  /** This organisation's keys: its node keys and the keys it bound for its professionals. */
  #organisationKeys(): string[] {
    const { keys, config } = this.logbook.state;
    const ura = this.member.organisation.ura;
    return [...keys.bindings.keys()].filter((k) => organisationOfKey(config, keys, k)?.ura === ura);
  }

  partyOrgs(parties: IbdCoachParties): Organisation[] {
    return [parties.hospital, parties.insurer, parties.statistics].map((ref) =>
      findOrganisation(this.member.region, uraOf(ref)!)!,
    );
  }

  /** The domain as this node sees it; waits briefly for mirrors when a coordinator's differs. */
  async #domainAgreeing(parties: IbdCoachParties, expected?: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      const domain = cohortDomain(this.logbook.state, parties.insurer);
      if (expected === undefined || digestOf(domain) === expected) return domain;
      if (attempt >= 20)
        throw problem(409, 'conflict', 'the parties see different cohort domains on the logbook');
      await this.logbook.syncMirrors().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async prepare(id: string, agreement: string, coordinator: string, expectedDomain?: string): Promise<Run> {
    if (this.#runs.has(id)) throw problem(409, 'duplicate', `run ${id} exists already`);
    const { terms, specHash, parties } = this.authorize(agreement, coordinator);
    const role = (Object.entries(parties) as [StudyRole, string][]).find(([, ref]) => ref === this.self)![0];
    const me = ROLE_INDEX[role];
    const domain = await this.#domainAgreeing(parties, expectedDomain);
    if (domain.length === 0) throw problem(409, 'conflict', 'the cohort domain is empty');
    const inputs = await this.#o.inputs.read(role, domain.length);
    const { statementKey } = this.member;
    const peers = this.partyOrgs(parties).flatMap((org, i) =>
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
    const roundTimeoutMs = this.roundTimeoutMs;
    const fetch = this.#o.fetch;
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
      own: inputs.own,
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
    this.#runs.set(id, run);
    this.#sessions.set(run.session, run);
    // A run lives at most an hour on this node.
    const timer = setTimeout(() => this.forget(run), 3_600_000);
    timer.unref();
    this.#timers.add(timer);
    return run;
  }

  forget(run: Run): void {
    this.#runs.delete(run.id);
    this.#sessions.delete(run.session);
  }

  /** `listSizes`: every party's list size (`ura:<URA>` → size), as each said in prepare. */
  start(
    run: Run,
    recordsLeftOut: Record<string, number>,
    listSizes: Record<string, number>,
  ): Promise<RunOutput> {
    const party = new Party({
      field: IBD_COACH_FIELD,
      me: run.me,
      transport: run.transport.transport,
      specHash: run.session,
      timeoutMs: this.roundTimeoutMs,
    });
    const started = this.now();
    const journaled = this.journal.started({
      id: run.id,
      agreement: run.agreement,
      coordinator: run.coordinator,
      startedAt: started,
      recordsLeftOut,
    });
    const sizes = {
      hospital: listSizes[run.parties.hospital]!,
      insurer: listSizes[run.parties.insurer]!,
      statistics: listSizes[run.parties.statistics]!,
    };
    run.result = runIbdCoachLinked(party, sizes, run.own).then((cells) => ({
      study: IBD_COACH_STUDY,
      agreement: run.agreement,
      run: run.id,
      cohortSize: run.domainSize,
      recordsLeftOut,
      cells,
      ...withEffect(cells),
    }));
    // The journal notes the end either way; a failed run is forgotten, and its refusal reaches
    // whoever awaits it.
    run.result
      .then(
        (output) =>
          journaled.then(() =>
            this.journal.finished(run.id, this.now(), {
              output: outputJson(output),
              outputDigest: digestOf(outputJson(output)),
            }),
          ),
        (error: unknown) => {
          this.forget(run);
          return journaled.then(() => this.journal.failed(run.id, this.now(), (error as Error).message));
        },
      )
      .catch(() => undefined);
    // the run's channels to its peers end with it (a later run opens its own)
    run.result.then(
      () => run.transport.transport.close(),
      () => run.transport.transport.close(),
    );
    return run.result;
  }

  /** Ends every run under way here: their channels close, their timers stop. */
  async close(): Promise<void> {
    const runs = [...this.#runs.values()];
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#runs.clear();
    this.#sessions.clear();
    await Promise.allSettled(runs.map((run) => run.transport.transport.close()));
  }
}
