import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { SqlEphemeralStore, testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DemoDigiD } from '../passkeys/demo-digid.ts';
import { staticPersonDirectory } from '../passkeys/identity-check.ts';
import { registerPasskeyAuth } from '../passkeys/passkey-auth.ts';
import { SessionStore } from '../passkeys/session.ts';
import { SoftAuthenticator } from '../passkeys/soft-authenticator.ts';
import { hashPassword } from './password.ts';
import { InMemoryProfessionalDirectory } from './professional-directory.ts';
import { newTotpSecret } from './totp.ts';

const ORIGIN = 'https://kraamzorg.example';
const cookieOf = (response: LightMyRequestResponse) => String(response.headers['set-cookie']).split(';')[0];

describe('a professional logging in with a passkey', () => {
  let db: Db;
  let app: FastifyInstance;
  const secret = newTotpSecret();

  beforeEach(async () => {
    db = await testDatabases()[0]!.open();
    const ephemeral = await SqlEphemeralStore.open(db);
    const sessions = new SessionStore(ephemeral);
    const directory = new InMemoryProfessionalDirectory([
      {
        id: 'pro:anna-jansen',
        name: 'Anna Jansen',
        memberships: [{ organisation: 'ura:11110001', role: 'kraamverzorgende' }],
        passwordHash: await hashPassword('geheim-demo'),
        totpSecret: secret,
      },
    ]);
    app = Fastify();
    await registerPasskeyAuth(app, '/auth', {
      db,
      ephemeral,
      sessions,
      relyingParty: { rpId: 'kraamzorg.example', origins: [ORIGIN] },
      organisation: 'ura:11110001',
      organisationName: 'Kraamzorg De Wieg',
      identity: new DemoDigiD([], ephemeral),
      persons: staticPersonDirectory({}),
      professionals: directory,
      bindKey: async () => {},
      submitStatement: async () => null,
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await db.close();
  });

  it('enrols a passkey after password + TOTP, then logs in with it alone, acting in her role', async () => {
    const authenticator = new SoftAuthenticator(ORIGIN);
    const post = (url: string, payload: object, cookie = '') =>
      app.inject({ method: 'POST', url, payload, headers: { cookie } });
    expect((await post('/auth/professionals/passkeys/registration/options', {})).statusCode).toBe(401);

    const login = await post('/auth/professionals/login', {
      id: 'pro:anna-jansen',
      password: 'geheim-demo',
      totp: await generate({ secret }),
    });
    const cookie = cookieOf(login);
    const options = (await post('/auth/professionals/passkeys/registration/options', {}, cookie)).json();
    const enrolled = await post(
      '/auth/professionals/passkeys/registration/verify',
      authenticator.create(options),
      cookie,
    );
    expect(enrolled.statusCode).toBe(200);
    await post('/auth/logout', {}, cookie);

    const passkeyLogin = await post(
      '/auth/passkeys/authentication/verify',
      authenticator.get((await post('/auth/passkeys/authentication/options', {})).json()),
    );
    expect(passkeyLogin.json().principal).toEqual({
      kind: 'professional',
      id: 'pro:anna-jansen',
      method: 'passkey',
      actingAs: { organisation: 'ura:11110001', role: 'kraamverzorgende' },
    });
    // A professional's passkey does not sign client statements.
    const session = cookieOf(passkeyLogin);
    const signing = await post(
      '/auth/passkeys/statements/options',
      { draft: { kind: 'consent', body: {} } },
      session,
    );
    expect(signing.statusCode).toBe(401);
  });
});
