// The analytics component on its own, without a node: its routes over a logbook, study inputs and
// sessions a test supplies (the interfaces of ports.ts), on a bare Fastify server with the one
// error handler. The runs themselves, across three nodes, are the node's test
// (packages/node/src/analytics/node-analytics.test.ts).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionStore, type Principal } from '@ketenlog/auth';
import type { SignedStatement } from '@ketenlog/logbook';
import { fail, installErrorHandlers, ok } from '@ketenlog/problem';
import { createRegionState } from '@ketenlog/region';
import { testRegion } from '@ketenlog/region/testing';
import { MemoryEphemeralStore, openSqlite, type Db } from '@ketenlog/storage';
import { openAnalytics, type Analytics } from './analytics.ts';
import type { AnalyticsLogbook, Logged } from './ports.ts';

const region = testRegion();
const hospital = region.ziekenhuis;

let db: Db;
let app: FastifyInstance;
let analytics: Analytics;
let sessions: SessionStore;
let appended: SignedStatement[];
let answer: Logged;

beforeEach(async () => {
  db = await openSqlite(':memory:');
  sessions = new SessionStore(new MemoryEphemeralStore());
  appended = [];
  answer = ok({ index: 7 });
  const logbook: AnalyticsLogbook = {
    state: createRegionState(region.config),
    append: async (envelope) => (appended.push(envelope), answer),
    submit: async () => answer,
    syncMirrors: async () => undefined,
  };
  analytics = await openAnalytics({
    db,
    member: {
      region: region.config,
      organisation: hospital.organisation,
      origin: hospital.log.origin,
      statementKey: { keyId: hospital.key.keyId, secretKey: hospital.key.secret },
    },
    logbook,
    inputs: { read: () => Promise.reject(new Error('no study inputs in this test')) },
    fetch: () => Promise.reject(new Error('no other nodes in this test')),
    log: { warn: () => undefined },
    sessions,
  });
  app = Fastify();
  installErrorHandlers(app);
  await app.register(analytics.register);
});
afterEach(async () => {
  await app.close();
  await analytics.close();
  await db.close();
});

const cookieOf = async (principal: Principal) =>
  `ketenlog_session=${(await sessions.create(principal, Date.now())).id}`;
const analyst = () =>
  cookieOf({
    kind: 'professional',
    id: 'pro:eva-mulder',
    method: 'passkey',
    actingAs: { organisation: hospital.ref, role: 'analist' },
  });

describe('the analytics component', () => {
  it("serves the analyst's page from the logbook it is given, to a professional here only", async () => {
    const page = await app.inject({ url: '/analytics/agreements', headers: { cookie: await analyst() } });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json()).toMatchObject({
      agreements: [],
      you: { organisation: hospital.ref, maySign: true, mayRun: true },
    });
    expect(
      (await app.inject({ url: '/analytics/runs', headers: { cookie: await analyst() } })).json(),
    ).toEqual({ runs: [] });
    const anonymous = await app.inject({ url: '/analytics/agreements' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const client = await cookieOf({ kind: 'client', holder: 'pMaria-0000000000000001', credentialId: 'c' });
    expect((await app.inject({ url: '/analytics/runs', headers: { cookie: client } })).statusCode).toBe(403);
  });

  it("binds an assessor's key by a statement its node signs, and answers the logbook's refusal as it is", async () => {
    const publicKey = Buffer.alloc(32, 5).toString('base64');
    const bound = await app.inject({
      method: 'POST',
      url: '/analytics/keys',
      headers: { cookie: await analyst() },
      payload: { publicKey },
    });
    expect(bound.statusCode, bound.body).toBe(201);
    expect(appended).toHaveLength(1);
    expect(appended[0]!.statement).toMatchObject({
      kind: 'key',
      author: hospital.key.keyId,
      body: {
        action: 'bind',
        publicKey,
        holder: 'pro:eva-mulder',
        role: 'analist',
        organisation: hospital.ref,
      },
    });
    answer = fail(422, 'business-rule', 'key already bound');
    const refused = await app.inject({
      method: 'POST',
      url: '/analytics/keys',
      headers: { cookie: await analyst() },
      payload: { publicKey },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'business-rule', diagnostics: 'key already bound' }],
    });
  });

  it('asks a node token of every node-to-node step, and knows no run it did not prepare', async () => {
    for (const url of [
      '/analytics/runs',
      '/analytics/v1/peer-runs/prepare',
      '/analytics/v1/peer-runs/cosign',
    ]) {
      const response = await app.inject({ method: 'POST', url, payload: {} });
      expect(response.statusCode, url).toBe(401);
    }
    const message = await app.inject({
      method: 'POST',
      url: '/mpc/v1/message',
      headers: {
        'content-type': 'application/octet-stream',
        'x-ketenlog-mpc': Buffer.from(JSON.stringify({ specHash: 'unknown' })).toString('base64url'),
      },
      payload: Buffer.alloc(8),
    });
    expect(message.statusCode).toBe(404);
    expect(message.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});
