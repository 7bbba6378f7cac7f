// Read routes for the portal's analyst page, at every member node. Both need a professional's
// session acting for this organisation (401 / 403 OperationOutcome otherwise).
//
//   GET /analytics/agreements → 200 { agreements: [{
//         id, purpose, parties: ['ura:…'], specHash, validUntil?,
//         signedBy: ['ura:…'],      parties whose signature is on the logbook
//         complete: boolean,        every party signed
//         valid: boolean            complete and not expired
//       }] }                        agreements this node is a party to, by id
//   GET /analytics/runs       → 200 { runs: [{
//         id, agreement, coordinator: 'ura:…', startedAt, finishedAt?,
//         status: 'running' | 'failed'
//               | 'computed'   output computed here, not (yet) stated on the logbook
//               | 'released',  its `analysis.run` statement, signed by every party, is on the log
//         recordsLeftOut: { 'ura:…': n },   records left out for lack of research consent
//         output?: { study, cohortSize, cells, … },   the output this node computed and signed
//         outputDigest?, error?,
//         statement?: { log, index }        the `analysis.run` statement, once on the logbook
//       }] }                        runs this node took part in, newest first (at most 100)
import type { FastifyInstance } from 'fastify';
import { requireProfessional, type SessionStore } from '@ketenlog/auth';
import { agreementStatus } from '@ketenlog/region';
import { validThrough } from '@ketenlog/analytics';
import { AGREEMENTS_PATH, RUNS_PATH, type RunContext } from './runs.ts';

export function registerReadRoutes(app: FastifyInstance, ctx: RunContext, sessions: SessionStore): void {
  const analyst = (request: Parameters<typeof requireProfessional>[1], reply: Parameters<typeof requireProfessional>[2]) =>
    requireProfessional(sessions, request, reply, ctx.now().getTime(), ctx.self);

  app.get(AGREEMENTS_PATH, async (request, reply) => {
    if (!(await analyst(request, reply))) return reply;
    const state = ctx.logbook.state;
    const now = ctx.now().getTime();
    const agreements = [...state.analysis.agreements.keys()]
      .sort()
      .flatMap((id) => {
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
          },
        ];
      });
    return reply.send({ agreements });
  });

  app.get(RUNS_PATH, async (request, reply) => {
    if (!(await analyst(request, reply))) return reply;
    const stated = new Map(
      [...ctx.logbook.state.analysis.runs.values()].map((r) => [r.outputDigest, r.at] as const),
    );
    const runs = (await ctx.journal.list()).map((entry) => {
      const at = entry.outputDigest === undefined ? undefined : stated.get(entry.outputDigest);
      return at
        ? { ...entry, status: 'released', statement: { log: at.origin, index: at.index } }
        : entry;
    });
    return reply.send({ runs });
  });
}
