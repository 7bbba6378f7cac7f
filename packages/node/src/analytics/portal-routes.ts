// The portal's research routes, for a professional's session at this node (issue 17, finding 5):
// each party's assessor signs an analysis agreement with her own key, and an analyst starts a run
// and follows it. Who may do what is the region file's: a role that may author `agreement`
// statements signs, one that may author `analysis.run` statements runs.
//
//   POST /analytics/keys {publicKey}            → 201 {keyId}   binds her device's Ed25519 key
//                                                               on this node's log (as carers')
//   POST /analytics/agreement-drafts
//        {agreement, keyId, validUntil?}        → 200 {statement}  the statement she signs: the
//                                                  agreement's terms on the log, or new terms for
//                                                  the IBD-coach study with the region's parties
//   POST /analytics/agreement-signatures
//        {envelope}                             → 201 {index}   her signed agreement, on this log
//   POST /analytics/agreements/:agreement/runs  → 202 {run}     a run in the background; GET
//                                                               /analytics/runs shows its phase
//
// Errors are OperationOutcomes: 401 without a session, 403 for a role without the right, 409
// when the key is not hers or this organisation signed already, 422 what the region refuses.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireProfessional, type SessionStore } from '@ketenlog/auth';
import {
  fromBase64,
  keyIdOf,
  signStatement,
  STATEMENT_VERSION,
  type Statement,
  type StatementKind,
} from '@ketenlog/logbook';
import { agreementStatus, keyStatus, mayAuthor, partyOfKey } from '@ketenlog/region';
import { digestOf, ibdCoachSpec, validThrough } from '@ketenlog/analytics';
import { coordinateRun } from './run-coordinator.ts';
import { RESEARCH_PURPOSE, refuse, regionStudyParties, type RunContext } from './runs.ts';
import { problem } from '@ketenlog/problem';

export const KEYS_PATH = '/analytics/keys';
export const AGREEMENT_DRAFTS_PATH = '/analytics/agreement-drafts';
export const AGREEMENT_SIGNATURES_PATH = '/analytics/agreement-signatures';

const AGREEMENT_ID = '^[a-z0-9][a-z0-9-]{2,63}$';
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const str = (pattern: string) => ({ type: 'string', pattern });

export function registerPortalRoutes(app: FastifyInstance, ctx: RunContext, sessions: SessionStore): void {
  const { region, organisation, statementKey } = ctx.membership;

  /** The session's professional, if her role here may author `kind` statements. */
  const actor = async (request: FastifyRequest, reply: FastifyReply, kind: StatementKind) => {
    const who = await requireProfessional(sessions, request, reply, ctx.now().getTime(), ctx.self);
    if (!who) return undefined;
    if (!mayAuthor(region, who.actingAs.role, kind)) {
      void refuse(reply, problem(403, 'forbidden', `a ${who.actingAs.role} may not sign ${kind} statements`));
      return undefined;
    }
    return who;
  };
  /** Her own active key at this organisation, or a 409. */
  const herKey = (keyId: string, professional: string): void => {
    const party = partyOfKey(region, ctx.logbook.state.keys, keyId);
    if (
      party?.kind !== 'professional' ||
      party.id !== professional ||
      party.organisation.ura !== organisation.ura ||
      keyStatus(ctx.logbook.state.keys, keyId) !== 'active'
    )
      throw problem(409, 'conflict', `key ${keyId} is not an active key of ${professional} here`);
  };

  app.post<{ Body: { publicKey: string } }>(
    KEYS_PATH,
    {
      schema: {
        body: {
          type: 'object',
          required: ['publicKey'],
          additionalProperties: false,
          properties: { publicKey: str('^[A-Za-z0-9+/]{43}=$') },
        },
      },
    },
    async (request, reply) => {
      const who = await actor(request, reply, 'agreement');
      if (!who) return reply;
      try {
        const { publicKey } = request.body;
        const keyId = keyIdOf('Ed25519', fromBase64(publicKey)!);
        const statement: Statement = {
          kind: 'key',
          v: STATEMENT_VERSION,
          author: statementKey.keyId,
          iat: Math.floor(ctx.now().getTime() / 1000),
          body: {
            action: 'bind',
            keyId,
            alg: 'Ed25519',
            publicKey,
            holder: who.professional,
            role: who.actingAs.role,
            organisation: ctx.self,
          },
        };
        const logged = await ctx.logbook.append(signStatement(statement, statementKey.secretKey));
        if (!logged.ok) throw problem(422, 'business-rule', logged.problem.text);
        return reply.code(201).send({ keyId });
      } catch (error) {
        return refuse(reply, error);
      }
    },
  );

  app.post<{ Body: { agreement: string; keyId: string; validUntil?: string } }>(
    AGREEMENT_DRAFTS_PATH,
    {
      schema: {
        body: {
          type: 'object',
          required: ['agreement', 'keyId'],
          additionalProperties: false,
          properties: {
            agreement: str(AGREEMENT_ID),
            keyId: str('^[0-9a-f]{32}$'),
            validUntil: str(DATE),
          },
        },
      },
    },
    async (request, reply) => {
      const who = await actor(request, reply, 'agreement');
      if (!who) return reply;
      try {
        const { agreement, keyId, validUntil } = request.body;
        herKey(keyId, who.professional);
        const status = agreementStatus(ctx.logbook.state, agreement);
        if (status?.signedBy.includes(ctx.self))
          throw problem(409, 'duplicate', `${organisation.name} signed agreement ${agreement} already`);
        let body;
        if (status) {
          if (!status.terms.parties.includes(ctx.self))
            throw problem(403, 'forbidden', `${organisation.name} is not a party to agreement ${agreement}`);
          const { parties, purpose, specHash, validUntil: until } = status.terms;
          body = {
            agreement,
            parties: [...parties],
            purpose,
            specHash,
            ...(until ? { validUntil: until } : {}),
          };
        } else {
          const parties = regionStudyParties(region);
          if (!parties || !Object.values(parties).includes(ctx.self))
            throw problem(403, 'forbidden', `${organisation.name} is not a party to the region's study`);
          if (validUntil !== undefined && !(validThrough(validUntil) > ctx.now().getTime()))
            throw problem(400, 'value', `validUntil ${validUntil} lies in the past`);
          body = {
            agreement,
            parties: Object.values(parties),
            purpose: RESEARCH_PURPOSE,
            specHash: digestOf(ibdCoachSpec(parties)),
            ...(validUntil ? { validUntil } : {}),
          };
        }
        const statement = {
          kind: 'agreement',
          v: STATEMENT_VERSION,
          author: keyId,
          iat: Math.floor(ctx.now().getTime() / 1000),
          body,
        };
        return reply.send({ statement });
      } catch (error) {
        return refuse(reply, error);
      }
    },
  );

  app.post<{ Body: { envelope: unknown } }>(
    AGREEMENT_SIGNATURES_PATH,
    {
      schema: {
        body: {
          type: 'object',
          required: ['envelope'],
          additionalProperties: false,
          properties: { envelope: { type: 'object' } },
        },
      },
    },
    async (request, reply) => {
      const who = await actor(request, reply, 'agreement');
      if (!who) return reply;
      try {
        const envelope = request.body.envelope as {
          statement?: { kind?: unknown };
          signatures?: { keyId?: unknown }[];
        };
        if (envelope.statement?.kind !== 'agreement')
          throw problem(400, 'invalid', 'the envelope holds no agreement statement');
        for (const s of Array.isArray(envelope.signatures) ? envelope.signatures : [])
          herKey(String(s.keyId), who.professional);
        const logged = await ctx.logbook.submit(envelope);
        if (!logged.ok)
          throw problem(
            logged.problem.status,
            logged.problem.code === 'structure' ? 'invalid' : 'business-rule',
            logged.problem.text,
          );
        return reply.code(201).send({ index: logged.value.index });
      } catch (error) {
        return refuse(reply, error);
      }
    },
  );

  app.post<{ Params: { agreement: string } }>(
    '/analytics/agreements/:agreement/runs',
    {
      schema: {
        params: {
          type: 'object',
          required: ['agreement'],
          properties: { agreement: str(AGREEMENT_ID) },
        },
      },
    },
    async (request, reply) => {
      const who = await actor(request, reply, 'analysis.run');
      if (!who) return reply;
      const { agreement } = request.params;
      try {
        // Refused at once when the agreement does not allow a run (not signed by all, expired).
        ctx.authorize(agreement, ctx.self);
      } catch (error) {
        return refuse(reply, error);
      }
      const id = randomUUID();
      const progress = { agreement, startedAt: ctx.now(), phase: 'preparing' as const };
      ctx.progress.set(id, { ...progress });
      void coordinateRun(ctx, id, agreement, ctx.self, (phase) => {
        const p = ctx.progress.get(id);
        if (p) p.phase = phase;
      })
        .catch(async (error: unknown) => {
          // The journal notes how it ended, also when it ended before its computation started.
          const entry = (await ctx.journal.list()).find((e) => e.id === id);
          if (!entry)
            await ctx.journal.started({
              id,
              agreement,
              coordinator: ctx.self,
              startedAt: progress.startedAt,
              recordsLeftOut: {},
            });
          if (entry?.status !== 'failed') await ctx.journal.failed(id, ctx.now(), (error as Error).message);
        })
        .catch(() => undefined)
        .finally(() => ctx.progress.delete(id));
      return reply.code(202).send({ run: id });
    },
  );
}
