// The analyst's request (POST /analytics/runs, node token with purpose research) at the party that
// is asked, the coordinator: prepare at every party, start all three, then "after": every party
// signs the `analysis.run` statement with the output digest, the coordinator appends it with all
// three signatures to its log — and only then releases the output. The portal's run (a
// professional's session, portal-routes.ts) takes the same steps in the background.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { organisationRef } from '@ketenlog/region';
import {
  signStatement,
  type Json,
  type SignedStatement,
  type Statement,
  type StatementSignature,
} from '@ketenlog/logbook';
import { requireNodeToken } from '@ketenlog/auth';
import { analysisRunDraft } from '@ketenlog/analytics';
import { problem } from '@ketenlog/problem';
import { RUNS_PATH, outputJson, refuse, type RunContext, type RunPhase } from './runs.ts';

/** One run from start to release; `phase` hears each step as it begins. */
export async function coordinateRun(
  ctx: RunContext,
  id: string,
  agreement: string,
  requester: string,
  phase: (p: RunPhase) => void = () => undefined,
): Promise<Record<string, Json>> {
  const { organisation, statementKey, origin } = ctx.membership;
  phase('preparing');
  const run = await ctx.prepare(id, agreement, requester);
  const others = ctx.partyOrgs(run.parties).filter((o) => o.ura !== organisation.ura);
  try {
    const prepared = (await Promise.all(
      others.map((o) =>
        ctx.callParty(o, 'prepare', {
          run: id,
          agreement,
          coordinator: ctx.self,
          domain: run.domainDigest,
        }),
      ),
    )) as { leftOut: number; listSize: number }[];
    const recordsLeftOut: Record<string, number> = { [ctx.self]: run.leftOut };
    const listSizes: Record<string, number> = { [ctx.self]: run.own.pseudonyms.length };
    others.forEach((o, i) => {
      recordsLeftOut[organisationRef(o.ura)] = prepared[i]!.leftOut;
      listSizes[organisationRef(o.ura)] = prepared[i]!.listSize;
    });
    phase('computing');
    await Promise.all(others.map((o) => ctx.callParty(o, 'start', { run: id, recordsLeftOut, listSizes })));
    const output = await ctx.start(run, recordsLeftOut, listSizes);
    // "After": every party signs the output digest before release.
    phase('signing');
    const draft = analysisRunDraft(run.terms, run.specHash, outputJson(output));
    const statement: Statement = {
      kind: draft.kind,
      v: 1,
      author: statementKey.keyId,
      iat: Math.floor(ctx.now().getTime() / 1000),
      body: draft.body,
    };
    const own = signStatement(statement, statementKey.secretKey);
    const cosigned = (await Promise.all(
      others.map((o) => ctx.callParty(o, 'cosign', { run: id, statement: statement as unknown as Json })),
    )) as { signature: StatementSignature }[];
    const envelope: SignedStatement = {
      statement,
      signatures: [...own.signatures, ...cosigned.map((c) => c.signature)],
    };
    const appended = await ctx.logbook.append(envelope);
    if (!appended.ok)
      throw problem(
        502,
        'exception',
        `the logbook refused the analysis.run statement: ${appended.problem.text}`,
      );
    return {
      ...(outputJson(output) as Record<string, Json>),
      outputDigest: draft.body.outputDigest,
      specHash: run.specHash,
      statement: { log: origin, index: appended.value.index },
    };
  } finally {
    ctx.forget(run);
  }
}

export function registerRunCoordinator(app: FastifyInstance, ctx: RunContext): void {
  app.post(RUNS_PATH, { preHandler: requireNodeToken(ctx.verifier) }, async (request, reply) => {
    try {
      const caller = ctx.research(request);
      const agreement = (request.body as { agreement?: unknown } | undefined)?.agreement;
      if (typeof agreement !== 'string' || !agreement)
        throw problem(400, 'required', 'give the analysis agreement: { "agreement": "<id>" }');
      const answer = await coordinateRun(
        ctx,
        randomUUID(),
        agreement,
        organisationRef(caller.organisation.ura),
      );
      return reply.code(200).send(answer);
    } catch (error) {
      return refuse(reply, error);
    }
  });
}
