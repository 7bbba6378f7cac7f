// Read routes for the portal's analyst page, at every member node. Both need a professional's
// session acting for this organisation (401 / 403 OperationOutcome otherwise).
//
//   GET /analytics/agreements → 200 { agreements: [{
//         id, purpose, parties: ['ura:…'], specHash, validUntil?,
//         signedBy: ['ura:…'],      parties whose signature is on the logbook
//         complete: boolean,        every party signed
//         valid: boolean            complete and not expired
//         study?: 'ibd-coach-evaluation'  the study its spec hash is the hash of, when this node knows it
//       }],                         agreements this node is a party to, by id
//       you: { organisation, maySign, mayRun },  this organisation; what the session's role may do
//       study?: { parties }         the region's IBD-coach study, when this organisation is a party
//     }
//   GET /analytics/runs       → 200 { runs: [{
//         id, agreement, coordinator: 'ura:…', startedAt, finishedAt?,
//         status: 'running' | 'failed'
//               | 'computed'   output computed here, not (yet) stated on the logbook
//               | 'released',  its `analysis.run` statement, signed by every party, is on the log
//         recordsLeftOut: { 'ura:…': n },   records left out for lack of research consent
//         output?: { study, cohortSize, cells, … },   the output this node computed and signed
//         outputDigest?, error?,
//         statement?: { log, index }        the `analysis.run` statement, once on the logbook
//         phase?: 'preparing' | 'computing' | 'signing'   a run the portal started, under way
//       }] }                        runs this node took part in, newest first (at most 100)
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionStore } from '@ketenlog/auth';
import { agreementStatus, mayAuthor, type AgreementTerms } from '@ketenlog/region';
import { digestOf, validThrough } from '../agreement/run-authorization.ts';
import { ibdCoachSpec, IBD_COACH_STUDY } from '../study/ibd-coach.ts';
import { professionalHere } from './professional.ts';
import { regionStudyParties, studyParties } from '../study/study-parties.ts';
import { AGREEMENTS_PATH, RUNS_PATH, type RunContext } from './runs.ts';
import { KIND_AGREEMENT, KIND_ANALYSIS_RUN } from '@ketenlog/logbook';

export function registerReadRoutes(app: FastifyInstance, ctx: RunContext, sessions: SessionStore): void {
  const analyst = (request: FastifyRequest, reply: FastifyReply) =>
    professionalHere(sessions, request, reply, ctx.now().getTime(), ctx.self);

  /** The study whose spec these terms agreed to, when this node can run it. */
  const studyOf = (terms: AgreementTerms): string | undefined => {
    try {
      return digestOf(ibdCoachSpec(studyParties(ctx.member.region, terms))) === terms.specHash
        ? IBD_COACH_STUDY
        : undefined;
    } catch {
      return undefined;
    }
  };

  app.get(AGREEMENTS_PATH, async (request, reply) => {
    const who = await analyst(request, reply);
    if (!who) return reply;
    const { region } = ctx.member;
    const state = ctx.logbook.state;
    const now = ctx.now().getTime();
    const agreements = [...state.analysis.agreements.keys()].sort().flatMap((id) => {
      const status = agreementStatus(state, id);
      if (!status || !status.terms.parties.includes(ctx.self)) return [];
      const { terms } = status;
      const current = terms.validUntil === undefined || validThrough(terms.validUntil) > now;
      return [
        {
          id,
          purpose: terms.purpose,
          parties: terms.parties,
          specHash: terms.specHash,
          ...(terms.validUntil === undefined ? {} : { validUntil: terms.validUntil }),
          signedBy: status.signedBy,
          complete: status.complete,
          valid: status.complete && current,
          ...(studyOf(terms) ? { study: studyOf(terms) } : {}),
        },
      ];
    });
    const parties = regionStudyParties(region);
    return reply.send({
      agreements,
      you: {
        organisation: ctx.self,
        maySign: mayAuthor(region, who.actingAs.role, KIND_AGREEMENT),
        mayRun: mayAuthor(region, who.actingAs.role, KIND_ANALYSIS_RUN),
      },
      ...(parties && Object.values(parties).includes(ctx.self)
        ? { study: { id: IBD_COACH_STUDY, parties: Object.values(parties) } }
        : {}),
    });
  });

  app.get(RUNS_PATH, async (request, reply) => {
    if (!(await analyst(request, reply))) return reply;
    const stated = new Map(
      [...ctx.logbook.state.analysis.runs.values()].map((r) => [r.outputDigest, r.at] as const),
    );
    const journal = await ctx.journal.list();
    const runs = journal.map((entry) => {
      const at = entry.outputDigest === undefined ? undefined : stated.get(entry.outputDigest);
      const phase = ctx.progress.get(entry.id)?.phase;
      if (at) return { ...entry, status: 'released', statement: { log: at.origin, index: at.index } };
      return phase && entry.status !== 'failed' ? { ...entry, status: 'running', phase } : entry;
    });
    // Runs the portal started that have no journal entry yet (every party is still preparing).
    const journaled = new Set(journal.map((e) => e.id));
    const preparing = [...ctx.progress]
      .filter(([id]) => !journaled.has(id))
      .map(([id, p]) => ({
        id,
        agreement: p.agreement,
        coordinator: ctx.self,
        startedAt: p.startedAt.toISOString(),
        status: 'running',
        phase: p.phase,
        recordsLeftOut: {},
      }));
    return reply.send({ runs: [...preparing, ...runs] });
  });
}
