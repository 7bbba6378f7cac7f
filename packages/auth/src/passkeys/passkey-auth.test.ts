import Fastify, { type FastifyInstance } from 'fastify';
import { SqlEphemeralStore, testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryProfessionalDirectory } from '../professionals/professional-directory.ts';
import { DEMO_DIGID_LABEL, DemoDigiD } from './demo-digid.ts';
import { DEMO_PERSONS, demoPersonDirectory } from './demo-persons.ts';
import { LoginRateLimiter } from './login-rate-limit.ts';
import { registerPasskeyAuth } from './passkey-auth.ts';

describe('registerPasskeyAuth', () => {
  let db: Db;
  let app: FastifyInstance;

  beforeEach(async () => {
    db = await testDatabases()[0]!.open();
    app = Fastify();
    const ephemeral = await SqlEphemeralStore.open(db);
    await registerPasskeyAuth(app, '/auth', {
      db,
      ephemeral,
      relyingParty: { rpId: 'localhost', origins: ['http://localhost:8101'] },
      organisation: 'ura:11110001',
      organisationName: 'Kraamzorg De Wieg',
      identity: new DemoDigiD(DEMO_PERSONS, ephemeral, '/auth/demo-digid'),
      persons: demoPersonDirectory(),
      professionals: new InMemoryProfessionalDirectory([]),
      limiter: new LoginRateLimiter(ephemeral, { limit: 2, windowMs: 60_000 }),
      bindKey: async () => {},
      submitStatement: async () => null,
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await db.close();
  });

  it('mounts the page, the demo identity page, and the delegation and professional routes', async () => {
    const page = await app.inject({ url: '/auth/passkeys' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(DEMO_DIGID_LABEL);
    expect((await app.inject({ url: '/auth/passkeys/browser.js' })).body).toContain('SimpleWebAuthnBrowser');
    const demo = await app.inject({ url: '/auth/demo-digid?state=s&callback=/auth/passkeys/enrol/callback' });
    expect(demo.body).toContain('Maria de Vries (cliënt)');
    expect((await app.inject({ url: '/auth/delegations' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/auth/professionals/acting-as', payload: {} })).statusCode,
    ).toBe(401);
  });

  it('counts password and passkey logins from one address against one limit', async () => {
    const login = { id: 'pro:x', password: 'x', totp: '000000' };
    expect(
      (await app.inject({ method: 'POST', url: '/auth/professionals/login', payload: login })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/auth/passkeys/authentication/options' })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/auth/passkeys/authentication/options' })).statusCode,
    ).toBe(429);
  });
});
