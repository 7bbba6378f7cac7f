// The other parties' steps of a run, asked by the coordinator with a node token (purpose
// research): prepare (check the agreement on its own, compute its columns), start (the
// computation, answered at once), cosign (sign the `analysis.run` statement only when it carries
// the output this party computed itself).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findOrganisation, organisationRef, uraOf } from '@ketenlog/region';
import { signStatementEd25519, type Json, type Statement } from '@ketenlog/logbook';
import { requireNodeToken } from '@ketenlog/auth';
import { problem } from '@ketenlog/problem';
import { analysisRunDraft, digestOf } from '../agreement/run-authorization.ts';
import { PEER_RUNS_PATH, outputJson, runFailure, type Run, type RunContext } from './runs.ts';

export function registerPeerSteps(
  app: FastifyInstance,
  ctx: RunContext,
  log: { warn(obj: object, msg: string): void },
): void {
  const { organisation, statementKey, region } = ctx.member;
  const guard = { preHandler: requireNodeToken(ctx.verifier) };

  const coordinatorOf = (request: FastifyRequest, id: unknown): Run => {
    const run = typeof id === 'string' ? ctx.run(id) : undefined;
    if (!run) throw problem(404, 'not-found', `no analysis run ${String(id)} at ${organisation.name}`);
    if (organisationRef(ctx.research(request).organisation.ura) !== run.coordinator)
      throw problem(403, 'forbidden', 'only the coordinator of a run steers it');
    return run;
  };

  app.post(`${PEER_RUNS_PATH}/prepare`, guard, async (request, reply) => {
    const caller = organisationRef(ctx.research(request).organisation.ura);
    const b = request.body as {
      run?: unknown;
      agreement?: unknown;
      coordinator?: unknown;
      domain?: unknown;
    };
    if (typeof b?.run !== 'string' || typeof b.agreement !== 'string' || typeof b.domain !== 'string')
      throw problem(400, 'invalid', 'prepare needs run, agreement and domain');
    if (b.coordinator !== caller) throw problem(403, 'forbidden', 'the coordinator must ask itself');
    const run = await ctx.prepare(b.run, b.agreement, caller, b.domain).catch((error: unknown) => {
      throw runFailure(error);
    });
    return reply.send({ leftOut: run.leftOut, listSize: run.own.pseudonyms.length });
  });

  app.post(`${PEER_RUNS_PATH}/start`, guard, async (request, reply) => {
    const b = request.body as { run?: unknown; recordsLeftOut?: unknown; listSizes?: unknown };
    const run = coordinatorOf(request, b?.run);
    if (run.result) throw problem(409, 'conflict', `run ${run.id} has started already`);
    const leftOut = b.recordsLeftOut as Record<string, number>;
    if (typeof leftOut !== 'object' || leftOut === null || leftOut[ctx.self] !== run.leftOut)
      throw problem(400, 'invalid', 'start needs every party’s records left out, this party’s as it said');
    const sizes = b.listSizes as Record<string, unknown>;
    const parties = [run.parties.hospital, run.parties.insurer, run.parties.statistics];
    if (
      typeof sizes !== 'object' ||
      sizes === null ||
      sizes[ctx.self] !== run.own.pseudonyms.length ||
      parties.some((ref) => !Number.isSafeInteger(sizes[ref]) || (sizes[ref] as number) < 1)
    )
      throw problem(400, 'invalid', 'start needs every party’s list size, this party’s as it said');
    ctx
      .start(run, leftOut, sizes as Record<string, number>)
      .catch((error: unknown) =>
        log.warn({ run: run.id, err: (error as Error).message }, 'analytics: run failed'),
      );
    return reply.code(202).send({ started: run.id });
  });

  app.post(`${PEER_RUNS_PATH}/cosign`, guard, async (request, reply) => {
    const b = request.body as { run?: unknown; statement?: Statement };
    const run = coordinatorOf(request, b?.run);
    if (!run.result) throw problem(409, 'conflict', `run ${run.id} has not started`);
    const output = await run.result.catch((error: unknown) => {
      throw runFailure(error);
    });
    ctx.forget(run);
    const draft = analysisRunDraft(run.terms, run.specHash, outputJson(output));
    const s = b.statement;
    const coordinatorKeys =
      findOrganisation(region, uraOf(run.coordinator) ?? '')?.statementKeys.map((k) => k.keyId) ?? [];
    const same =
      s !== undefined &&
      s.kind === 'analysis.run' &&
      coordinatorKeys.includes(s.author) &&
      digestOf(s.body as Json) === digestOf(draft.body as unknown as Json);
    if (!same) throw problem(409, 'conflict', 'the statement does not carry the output this party computed');
    return reply.send({ signature: signStatementEd25519(s, statementKey.secretKey) });
  });
}
