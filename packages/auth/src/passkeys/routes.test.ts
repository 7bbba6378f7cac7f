import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import {
  keyIdOf,
  statementHash,
  verifySignedStatement,
  type SignedStatement,
  type Statement,
} from '@ketenlog/logbook';
import { delegationInForce } from '@ketenlog/region';
import { SqlEphemeralStore, testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlChallengeStore } from './challenge-store.ts';
import type { PasskeyCredential } from './credential.ts';
import type { ActingFor } from './delegation.ts';
import { delegationRoutes } from './delegation-routes.ts';
import { DemoDigiD } from './demo-digid.ts';
import { demoDigidRoutes } from './demo-digid-routes.ts';
import { staticPersonDirectory } from './identity-check.ts';
import { LoginRateLimiter } from './login-rate-limit.ts';
import { PasskeyService, webauthnSignatureOf } from './passkey-service.ts';
import { passkeyRoutes, safeReturnTo } from './routes.ts';
import { SessionStore } from './session.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';
import { SqlCredentialRepository } from './sql-credential-repository.ts';
import { SqlDelegationRepository } from './sql-delegation-repository.ts';
import { challengeOf, createWebAuthnVerify } from './statement-assertion.ts';
import { demoWitness, type DemoWitness } from './demo-witness.ts';

const ORIGIN = 'https://kraamzorg.example';
const RP = { rpId: 'kraamzorg.example', origins: [ORIGIN] };
const MARIA = 'pMaria-0000000000000001';
const PARTNER = 'rep:partner-of-maria';
const PERSONS = [
  { bsn: '999911120', name: 'Maria de Vries' },
  { bsn: '999912343', name: 'Partner van Maria' },
  { bsn: '999913335', name: 'Onbekend hier' },
];
const T0 = 1_790_000_000_000;
const DAY = 86_400_000;
const APPROVAL = {
  kind: 'carelog.approval',
  body: { entry: Buffer.alloc(32, 7).toString('base64'), decision: 'approved' },
};

const cookieOf = (response: LightMyRequestResponse) => String(response.headers['set-cookie']).split(';')[0];

describe.each(testDatabases())('passkey routes on $name', ({ open }) => {
  let db: Db;
  let app: FastifyInstance;
  let now: number;
  let bound: PasskeyCredential[];
  let submitted: { envelope: SignedStatement; actingFor: ActingFor | undefined }[];
  let witness: DemoWitness;
  let failBinding: boolean;

  beforeEach(async () => {
    db = await open();
    now = T0;
    bound = [];
    submitted = [];
    witness = demoWitness([RP]);
    failBinding = false;
    const service = new PasskeyService({
      relyingParty: RP,
      rpName: 'Kraamzorg De Wieg',
      organisation: 'ura:11110001',
      credentials: await SqlCredentialRepository.open(db),
      challenges: new SqlChallengeStore(db),
      now: () => now,
    });
    const ephemeral = await SqlEphemeralStore.open(db);
    const digid = new DemoDigiD(PERSONS, ephemeral, '/auth/demo-digid');
    const sessions = new SessionStore(ephemeral);
    const delegations = await SqlDelegationRepository.open(db);
    app = Fastify();
    await app.register(delegationRoutes, { prefix: '/auth', sessions, delegations, now: () => now });
    await app.register(demoDigidRoutes, { prefix: '/auth', digid });
    await app.register(passkeyRoutes, {
      prefix: '/auth',
      service,
      sessions,
      ephemeral,
      identity: digid,
      persons: staticPersonDirectory({
        '999911120': { holder: MARIA, role: 'client' },
        '999912343': { holder: PARTNER, role: 'delegate' },
      }),
      delegations,
      organisationName: 'Kraamzorg De Wieg',
      limiter: new LoginRateLimiter(ephemeral, { limit: 8, windowMs: 60_000 }),
      now: () => now,
      bindKey: async (credential) => {
        if (failBinding) throw new Error('log unavailable');
        bound.push(credential);
        await witness.bindKey(credential);
      },
      submitStatement: async (envelope, actingFor) => {
        submitted.push({ envelope, actingFor });
        return witness.submitStatement(envelope);
      },
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await db.close();
  });

  /** The identity check through the demo stand-in; returns the enrolling session's cookie. */
  async function identityCheck(person: number, query = ''): Promise<LightMyRequestResponse> {
    const start = await app.inject({ url: `/auth/passkeys/enrol${query}` });
    expect(start.statusCode).toBe(302);
    const stateCookie = cookieOf(start);
    const page = new URL(start.headers.location as string, ORIGIN);
    const form = new URLSearchParams({
      state: page.searchParams.get('state') as string,
      callback: page.searchParams.get('callback') as string,
      person: String(person),
    });
    const chosen = await app.inject({
      method: 'POST',
      url: '/auth/demo-digid',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(chosen.statusCode).toBe(302);
    return app.inject({ url: chosen.headers.location as string, headers: { cookie: stateCookie } });
  }

  async function enrolAndLogIn(person: number) {
    const cookie = cookieOf(await identityCheck(person));
    const authenticator = new SoftAuthenticator(ORIGIN);
    const post = (url: string, payload: unknown, cookieHeader = cookie) =>
      app.inject({ method: 'POST', url, headers: { cookie: cookieHeader }, payload: payload as object });
    const options = (await post('/auth/passkeys/registration/options', {})).json();
    const enrolled = await post('/auth/passkeys/registration/verify', authenticator.create(options));
    expect(enrolled.statusCode).toBe(200);
    const login = await post(
      '/auth/passkeys/authentication/verify',
      authenticator.get((await post('/auth/passkeys/authentication/options', {}, '')).json()),
      '',
    );
    expect(login.statusCode).toBe(200);
    const session = cookieOf(login);
    return {
      authenticator,
      keyId: enrolled.json().keyId as string,
      post: (url: string, payload: unknown) => post(url, payload, session),
      get: (url: string) => app.inject({ url, headers: { cookie: session } }),
      del: (url: string) => app.inject({ method: 'DELETE', url, headers: { cookie: session } }),
    };
  }

  async function sign(who: Awaited<ReturnType<typeof enrolAndLogIn>>, draft: unknown) {
    const begun = await who.post('/auth/passkeys/statements/options', { draft });
    if (begun.statusCode !== 200) return begun;
    const { statement, options } = begun.json();
    return who.post('/auth/passkeys/statements/sign', {
      statement,
      response: who.authenticator.get(options),
    });
  }

  it('shows the demo stand-in as not DigiD, and refuses an identity check with a foreign state', async () => {
    const start = await app.inject({ url: '/auth/passkeys/enrol' });
    const page = await app.inject({ url: start.headers.location as string });
    expect(page.body).toContain('Demo-DigiD — geen echte DigiD');
    expect(page.body).toContain('Er wordt niet met DigiD ingelogd');
    const code = await app.inject({
      method: 'POST',
      url: '/auth/demo-digid',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        state: 'x',
        callback: '/auth/passkeys/enrol/callback',
        person: '0',
      }).toString(),
    });
    const foreign = await app.inject({
      url: code.headers.location as string,
      headers: { cookie: cookieOf(start) },
    });
    expect(foreign.statusCode).toBe(400);
    const open = await app.inject({ url: '/auth/demo-digid?state=x&callback=//evil.example/' });
    expect(open.statusCode).toBe(400);
  });

  it('returns to a path on this node after enrolment, never to another site', async () => {
    const back = await identityCheck(0, '?returnTo=%2Fportal%2F');
    expect(back.headers.location).toBe('/auth/passkeys?returnTo=%2Fportal%2F');
    for (const foreign of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'portal']) {
      const answer = await identityCheck(0, `?returnTo=${encodeURIComponent(foreign)}`);
      expect(answer.headers.location).toBe('/auth/passkeys');
    }
    expect(safeReturnTo('/portal/uren')).toBe('/portal/uren');
  });

  it('enrols only a person known at the organisation, and binds her key on enrolment', async () => {
    expect((await identityCheck(2)).statusCode).toBe(403);
    const noCheck = await app.inject({
      method: 'POST',
      url: '/auth/passkeys/registration/options',
      payload: {},
    });
    expect(noCheck.statusCode).toBe(401);
    const maria = await enrolAndLogIn(0);
    expect(bound.map((c) => [c.holder, c.role, c.keyId])).toEqual([[MARIA, 'client', maria.keyId]]);
    expect(keyIdOf('webauthn-es256', bound[0]!.publicKey)).toBe(maria.keyId);
    expect((await maria.get('/auth/session')).json().principal).toMatchObject({
      kind: 'client',
      holder: MARIA,
    });
  });

  it('takes a new passkey back when the logbook cannot bind it', async () => {
    failBinding = true;
    const cookie = cookieOf(await identityCheck(0));
    const post = (url: string, payload: object) =>
      app.inject({ method: 'POST', url, headers: { cookie }, payload });
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = (await post('/auth/passkeys/registration/options', {})).json();
    const refused = await post('/auth/passkeys/registration/verify', authenticator.create(options));
    expect(refused.statusCode).toBe(503);
    const login = await app.inject({
      method: 'POST',
      url: '/auth/passkeys/authentication/verify',
      payload: authenticator.get(
        (await app.inject({ method: 'POST', url: '/auth/passkeys/authentication/options' })).json(),
      ),
    });
    expect(login.json().issue[0].diagnostics).toMatch(/revoked/);
  });

  it('signs a client statement with her passkey and hands it on; another client is not hers to sign for', async () => {
    const maria = await enrolAndLogIn(0);
    const signed = await sign(maria, APPROVAL);
    expect(signed.statusCode).toBe(200);
    expect(signed.json().receipt).toEqual({ ok: false, reason: expect.stringMatching(/unknown entry/) });
    const { envelope } = signed.json() as { envelope: SignedStatement };
    const keys = () => ({ alg: 'webauthn-es256' as const, publicKey: bound[0]!.publicKey });
    expect(verifySignedStatement(envelope, keys, createWebAuthnVerify([RP])).ok).toBe(true);
    expect(submitted[0]?.actingFor).toBeUndefined();
    const foreign = await sign(maria, { ...APPROVAL, subject: 'pOther-000000000000001' });
    expect(foreign.statusCode).toBe(403);
    const notAClientKind = await sign(maria, {
      kind: 'index',
      body: { holder: 'ura:11110001', category: 'x' },
    });
    expect(notAClientKind.statusCode).toBe(403);
    const { statement, options } = (
      await maria.post('/auth/passkeys/statements/options', { draft: APPROVAL })
    ).json();
    const backDated = { ...statement, iat: statement.iat - 3600 };
    const refused = await maria.post('/auth/passkeys/statements/sign', {
      statement: backDated,
      response: maria.authenticator.get({ ...options, challenge: challengeOf(statementHash(backDated)) }),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().issue[0].diagnostics).toMatch(/not dated now/);
  });

  it('lets a representative act for the client within the delegation, and not a moment after revocation', async () => {
    const maria = await enrolAndLogIn(0);
    const partner = await enrolAndLogIn(1);
    expect((await partner.get('/auth/session')).json().principal.kind).toBe('representative');
    expect((await sign(partner, { ...APPROVAL, subject: MARIA })).statusCode).toBe(401);

    const refused = await maria.post('/auth/delegations', {
      representative: PARTNER,
      kinds: ['access'],
      validUntil: T0 + DAY,
    });
    expect(refused.statusCode).toBe(400);
    const granted = await maria.post('/auth/delegations', {
      representative: PARTNER,
      kinds: ['carelog.approval'],
      validUntil: T0 + 7 * DAY,
    });
    expect(granted.statusCode).toBe(201);
    const delegation = granted.json().delegation.id as string;
    expect((await partner.get('/auth/delegations')).json().held.map((d: { id: string }) => d.id)).toEqual([
      delegation,
    ]);

    expect((await partner.post('/auth/acting-for', { delegation: 'nope' })).statusCode).toBe(403);
    expect((await partner.post('/auth/acting-for', { delegation })).json()).toEqual({
      actingFor: MARIA,
      delegation,
    });
    const approved = await sign(partner, APPROVAL);
    expect(approved.statusCode).toBe(200);
    expect(approved.json().envelope.statement).toMatchObject({ subject: MARIA, author: partner.keyId });
    expect(approved.json().actingFor).toEqual({ actor: PARTNER, actingFor: MARIA, delegation });
    expect(submitted.at(-1)?.actingFor).toEqual({ actor: PARTNER, actingFor: MARIA, delegation });
    // Consent was not delegated.
    expect(
      (await sign(partner, { kind: 'consent', body: { decision: 'objection', category: 'ggz' } })).statusCode,
    ).toBe(403);

    // Revocation between asking for options and signing still stops the signature.
    const begun = (await partner.post('/auth/passkeys/statements/options', { draft: APPROVAL })).json();
    expect((await maria.del(`/auth/delegations/${delegation}`)).statusCode).toBe(200);
    const late = await partner.post('/auth/passkeys/statements/sign', {
      statement: begun.statement,
      response: partner.authenticator.get(begun.options),
    });
    expect(late.statusCode).toBe(401);
    expect((await partner.post('/auth/acting-for', { delegation })).statusCode).toBe(403);
    expect((await maria.del(`/auth/delegations/${delegation}`)).statusCode).toBe(409);
    expect((await partner.del(`/auth/delegations/${delegation}`)).statusCode).toBe(401);
  });

  it('puts the delegation on the logbook: the witness accepts her representative until the client revokes it', async () => {
    const maria = await enrolAndLogIn(0);
    const partner = await enrolAndLogIn(1);
    expect(witness.size()).toBe(2); // both passkeys bound
    const granted = (
      await maria.post('/auth/delegations', {
        representative: PARTNER,
        kinds: ['consent'],
        validUntil: T0 + DAY,
      })
    ).json();
    const [grantDraft] = granted.drafts;
    expect((await sign(maria, grantDraft)).json().receipt).toEqual({ ok: true });
    const held = (await partner.get('/auth/delegations')).json().held[0];
    expect(held.logbookGrants).toHaveLength(1);
    expect(delegationInForce(witness.policy.state.consents, MARIA, PARTNER, 'consent')).toBe(true);

    await partner.post('/auth/acting-for', { delegation: held.id });
    const objection = await sign(partner, {
      kind: 'consent',
      body: { decision: 'objection', category: 'ggz' },
    });
    expect(objection.json().receipt).toEqual({ ok: true });
    expect(objection.json().actingFor).toEqual({ actor: PARTNER, actingFor: MARIA, delegation: held.id });

    const revoked = (await maria.del(`/auth/delegations/${held.id}`)).json();
    expect(revoked.drafts).toEqual([
      { kind: 'consent', subject: MARIA, body: { decision: 'revocation', revokes: held.logbookGrants[0] } },
    ]);
    expect((await sign(maria, revoked.drafts[0])).json().receipt).toEqual({ ok: true });
    expect(delegationInForce(witness.policy.state.consents, MARIA, PARTNER, 'consent')).toBe(false);
    // A statement her passkey signs outside the node is refused by the witness now.
    const statement: Statement = {
      ...(objection.json().envelope as SignedStatement).statement,
      iat: Math.floor(T0 / 1000) + 60,
    };
    const response = partner.authenticator.get({
      rpId: RP.rpId,
      challenge: challengeOf(statementHash(statement)),
    });
    const verdict = witness.append({ statement, signatures: [webauthnSignatureOf(partner.keyId, response)] });
    expect(verdict).toEqual({ ok: false, reason: expect.stringMatching(/no delegation in force/) });
  });

  it('ends a delegation when its period ends', async () => {
    const maria = await enrolAndLogIn(0);
    const partner = await enrolAndLogIn(1);
    const { delegation } = (
      await maria.post('/auth/delegations', {
        representative: PARTNER,
        kinds: ['carelog.approval'],
        validUntil: T0 + 10 * 60_000,
      })
    ).json();
    await partner.post('/auth/acting-for', { delegation: delegation.id });
    expect((await sign(partner, APPROVAL)).statusCode).toBe(200);
    now = T0 + 10 * 60_000;
    expect((await sign(partner, APPROVAL)).statusCode).toBe(403);
  });

  it('answers 429 with Retry-After when passkey logins come too fast', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++)
      statuses.push(
        (await app.inject({ method: 'POST', url: '/auth/passkeys/authentication/options' })).statusCode,
      );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    const limited = await app.inject({
      method: 'POST',
      url: '/auth/passkeys/authentication/verify',
      payload: {},
    });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
