// Two node processes of one organisation on one PostgreSQL database, as behind a load balancer:
// whatever one process hands out (a session, a WebAuthn challenge, a spent TOTP code, a used node
// token, a failed login) holds at the other. Here the two "processes" are two node servers in one
// test process, each with its own database pool, sharing only the database.
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueNodeToken } from '@ketenlog/auth';
import { loadRegionConfig } from '@ketenlog/region';
import { freshPostgresSchema } from '@ketenlog/storage';
import { SoftAuthenticator } from '@ketenlog/auth/testing';
import { loadFhirModel, startNode, type RunningNode } from '../server.ts';
import { memberNodeConfig } from '../region/run-region.ts';
import { loadMembership } from '../region/membership.ts';
import { demoRegionOnFreePorts, freePorts } from '../region/testing.ts';
import { demoCredentialsOf } from './node-auth.ts';
import { cookieOf } from './testing.ts';

const KRAAMZORG = '11110001';
const HOSPITAL = '11110003';
const ANNA = 'pro:anna-jansen';

describe('two node processes of one organisation on one PostgreSQL database', () => {
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let a: RunningNode;
  let b: RunningNode;
  /** Where each process listens (both are the organisation's node at its one public address). */
  let atA: string;
  let atB: string;
  let files: Awaited<ReturnType<typeof demoRegionOnFreePorts>>;

  beforeAll(async () => {
    files = await demoRegionOnFreePorts({ uras: [KRAAMZORG, HOSPITAL], quorum: 1 });
    schema = await freshPostgresSchema();
    const database = `${schema.url}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    const organisation = loadRegionConfig(files.regionFile).organisations.find((o) => o.ura === KRAAMZORG)!;
    const config = {
      ...memberNodeConfig(organisation, { ...files, logLevel: 'fatal' }),
      database,
    };
    const model = loadFhirModel();
    a = await startNode(config, { model });
    const [portB] = await freePorts(1);
    b = await startNode({ ...config, listen: { ...config.listen, port: portB! } }, { model });
    atA = organisation.node.baseUrl.replace(/\/$/, '');
    atB = `http://127.0.0.1:${portB}`;
  });
  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    await schema?.drop();
  });

  const post = (base: string, path: string, body: unknown, cookie = '') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  const sessionAt = (base: string, cookie: string) => fetch(`${base}/auth/session`, { headers: { cookie } });
  const patientsAt = (base: string, cookie: string) =>
    fetch(`${base}/fhir/Patient?_count=1`, { headers: { cookie } });

  it('a login at one serves the other, its TOTP code is spent at both, and its logout holds at both', async () => {
    const { password, totpSecret } = demoCredentialsOf(ANNA);
    const totp = await generate({ secret: totpSecret });
    const login = await post(atA, '/auth/professionals/login', { id: ANNA, password, totp });
    expect(login.status).toBe(200);
    const cookie = cookieOf(login);
    expect(await (await sessionAt(atB, cookie)).json()).toMatchObject({
      principal: { kind: 'professional', id: ANNA },
    });
    expect((await patientsAt(atB, cookie)).status).toBe(200);

    const replayed = await post(atB, '/auth/professionals/login', { id: ANNA, password, totp });
    expect(replayed.status).toBe(401);
    expect((await replayed.json()).resourceType).toBe('OperationOutcome');

    expect((await post(atB, '/auth/logout', {}, cookie)).status).toBe(200);
    for (const base of [atA, atB]) {
      expect((await sessionAt(base, cookie)).status).toBe(401);
      const fhir = await patientsAt(base, cookie);
      expect(fhir.status).toBe(401);
      expect((await fhir.json()).resourceType).toBe('OperationOutcome');
    }
  });

  it('a WebAuthn challenge issued by one is answered at the other, once', async () => {
    // Anna logs in (a fresh TOTP step: the earlier one is spent) and enrols a passkey across both.
    const { password, totpSecret } = demoCredentialsOf(ANNA);
    const step = Math.floor(Date.now() / 30_000) + 1;
    const login = await post(atB, '/auth/professionals/login', {
      id: ANNA,
      password,
      totp: await generate({ secret: totpSecret, epoch: step * 30 }),
    });
    expect(login.status).toBe(200);
    const cookie = cookieOf(login);
    const authenticator = new SoftAuthenticator(atA.replace('127.0.0.1', 'localhost'));
    const registration = await (
      await post(atA, '/auth/professionals/passkeys/registration/options', {}, cookie)
    ).json();
    const enrolled = await post(
      atB,
      '/auth/professionals/passkeys/registration/verify',
      authenticator.create(registration),
      cookie,
    );
    expect(enrolled.status).toBe(200);

    const challenge = await (await post(atB, '/auth/passkeys/authentication/options', {})).json();
    const assertion = authenticator.get(challenge);
    const passkeyLogin = await post(atA, '/auth/passkeys/authentication/verify', assertion);
    expect(passkeyLogin.status).toBe(200);
    expect(await (await sessionAt(atB, cookieOf(passkeyLogin))).json()).toMatchObject({
      principal: { kind: 'professional', id: ANNA, method: 'passkey' },
    });
    const replay = await post(atB, '/auth/passkeys/authentication/verify', assertion);
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(replay.status).toBeLessThan(500);
    expect((await replay.json()).resourceType).toBe('OperationOutcome');
  });

  it('a node token accepted by one is refused as a replay by the other', async () => {
    const hospital = loadMembership(files.regionFile, files.secretsFile, HOSPITAL);
    const token = await issueNodeToken(hospital.statementKey, {
      organisation: HOSPITAL,
      audience: a.membership!.organisation.node.baseUrl,
      role: 'node',
      purpose: 'billing',
    });
    const notify = (base: string) =>
      fetch(`${base}/logbook/notify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await notify(atA)).status).toBe(202);
    const replay = await notify(atB);
    expect(replay.status).toBe(401);
    expect((await replay.json()).issue[0].diagnostics).toMatch(/replay/);
  });

  it('failed logins spread over both count against one limit', async () => {
    const attempt = (node: RunningNode, i: number) =>
      node.app.inject({
        method: 'POST',
        url: '/auth/professionals/login',
        // Another address each time: only the account's own count can stop it.
        remoteAddress: `10.20.0.${i}`,
        payload: { id: 'pro:nobody', password: 'wrong', totp: '000000' },
      });
    for (let i = 1; i <= 10; i++) expect((await attempt(i % 2 ? a : b, i)).statusCode).toBe(401);
    for (const [i, node] of [a, b].entries()) {
      const refused = await attempt(node, 11 + i);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
    }
  });
});
