import Fastify, { type FastifyInstance } from 'fastify';
import { generate } from 'otplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryEphemeralStore,
  freshPostgresSchema,
  SqlEphemeralStore,
  testDatabases,
  type Db,
} from '@ketenlog/storage';
import { withStoredTotpSteps } from './accounts-file.ts';
import { LoginRateLimiter } from '../passkeys/login-rate-limit.ts';
import { SessionStore } from '../passkeys/session.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { InMemoryProfessionalDirectory, type ProfessionalAccount } from './professional-directory.ts';
import { professionalRoutes, requireProfessional } from './routes.ts';
import { checkTotp, newTotpSecret, totpUri } from './totp.ts';
import { AccountLockout } from './lockout.ts';

const T0 = 1_790_000_000_000;

/** Anna, a maternity carer with a password and a TOTP secret. */
const anna = (passwordHash: string, totpSecret: string): ProfessionalAccount => ({
  id: 'pro:anna-jansen',
  name: 'Anna Jansen',
  memberships: [{ organisation: 'ura:11110001', role: 'kraamverzorgende' }],
  passwordHash,
  totpSecret,
});

describe('passwords', () => {
  it('verifies the password it hashed, and nothing else', async () => {
    const hash = await hashPassword('kraamzorg-demo');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('kraamzorg-demo', hash)).toBe(true);
    expect(await verifyPassword('kraamzorg-demo ', hash)).toBe(false);
    expect(await hashPassword('kraamzorg-demo')).not.toBe(hash);
  });

  it('refuses malformed or unsupported hashes instead of throwing', async () => {
    const hash = await hashPassword('x');
    for (const bad of [
      '',
      'plain',
      hash.replace('scrypt', 'md5'),
      hash.replace('$32768$', '$1000$'),
      `${hash}$x`,
    ])
      expect(await verifyPassword('x', bad)).toBe(false);
  });
});

describe('TOTP', () => {
  it('accepts the current code once, with one step of drift, and refuses a replay', async () => {
    const secret = newTotpSecret();
    expect(totpUri(secret, 'pro:anna-jansen')).toMatch(/^otpauth:\/\/totp\/Ketenlog:/);
    const code = await generate({ secret, epoch: T0 / 1000 });
    const first = await checkTotp(secret, code, T0);
    expect(first.valid).toBe(true);
    expect((await checkTotp(secret, code, T0 + 30_000)).valid).toBe(true);
    expect((await checkTotp(secret, code, T0 + 120_000)).valid).toBe(false);
    expect((await checkTotp(secret, code, T0, first.valid ? first.timeStep : undefined)).valid).toBe(false);
    expect((await checkTotp(secret, '12345', T0)).valid).toBe(false);
  });
});

describe.each(testDatabases())('login limits on $name', ({ open }) => {
  it('the rate limiter refuses past the limit until the window ends, per key', async () => {
    const db = await open();
    const limiter = new LoginRateLimiter(await SqlEphemeralStore.open(db), { limit: 2, windowMs: 60_000 });
    expect((await limiter.take(['ip:a'], T0)).allowed).toBe(true);
    expect((await limiter.take(['ip:a'], T0 + 1)).allowed).toBe(true);
    expect(await limiter.take(['ip:a'], T0 + 2)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect((await limiter.take(['ip:b'], T0 + 2)).allowed).toBe(true);
    expect((await limiter.take(['ip:a'], T0 + 60_000)).allowed).toBe(true);
    await limiter.take(['ip:a'], T0 + 60_001);
    expect((await limiter.take(['ip:a'], T0 + 60_002)).allowed).toBe(false);
    await limiter.reset('ip:a');
    expect((await limiter.take(['ip:a'], T0 + 60_003)).allowed).toBe(true);
    expect(() => new LoginRateLimiter(new MemoryEphemeralStore(), { limit: 0, windowMs: 1 })).toThrow(
      RangeError,
    );
    await db.close();
  });

  it('the lock-out locks after failures in a row however slow they come, and a success clears the count', async () => {
    const db = await open();
    const lockout = new AccountLockout(await SqlEphemeralStore.open(db), {
      maxFailures: 3,
      lockMs: 15 * 60_000,
    });
    await lockout.failed('pro:a', T0);
    await lockout.failed('pro:a', T0 + 3_600_000);
    await lockout.succeeded('pro:a');
    for (let i = 0; i < 3; i++) await lockout.failed('pro:a', T0 + 7_200_000 + i * 600_000);
    const lockedAt = T0 + 7_200_000 + 1_200_000;
    expect(await lockout.lockedFor('pro:a', lockedAt)).toBe(900);
    expect(await lockout.lockedFor('pro:b', lockedAt)).toBe(0);
    expect(await lockout.lockedFor('pro:a', lockedAt + 900_000)).toBe(0);
    await lockout.failed('pro:a', lockedAt + 900_000); // a new run of failures starts from one
    expect(await lockout.lockedFor('pro:a', lockedAt + 900_000)).toBe(0);
    await db.close();
  });
});

describe('professional login routes', () => {
  let app: FastifyInstance;
  let now: number;
  let sessions: SessionStore;
  const secret = newTotpSecret();
  const code = (at = now) => generate({ secret, epoch: Math.floor(at / 1000) });

  beforeEach(async () => {
    now = T0;
    const passwordHash = await hashPassword('geheim-demo');
    const accounts: ProfessionalAccount[] = [
      anna(passwordHash, secret),
      {
        id: 'pro:carla-bakker',
        name: 'Carla Bakker',
        memberships: [
          { organisation: 'ura:11110003', role: 'medisch-specialist' },
          { organisation: 'ura:11110001', role: 'administratie' },
        ],
        passwordHash,
        totpSecret: secret,
      },
      { id: 'pro:passkey-only', name: 'P', memberships: [] },
    ];
    const ephemeral = new MemoryEphemeralStore();
    sessions = new SessionStore(ephemeral);
    app = Fastify();
    await app.register(professionalRoutes, {
      prefix: '/auth',
      sessions,
      ephemeral,
      directory: new InMemoryProfessionalDirectory(accounts),
      limiter: new LoginRateLimiter(ephemeral, { limit: 6, windowMs: 60_000 }),
      lockout: new AccountLockout(ephemeral, { maxFailures: 8, lockMs: 15 * 60_000 }),
      secureCookies: false,
      now: () => now,
    });
    app.get('/kraamzorg/werk', async (request, reply) => {
      const actor = await requireProfessional(sessions, request, reply, now, 'ura:11110001');
      return actor ? { actor } : reply;
    });
    await app.ready();
  });
  afterEach(async () => app.close());

  const login = (id: string, password: string, totp: string) =>
    app.inject({ method: 'POST', url: '/auth/professionals/login', payload: { id, password, totp } });
  const cookieOf = (response: { headers: Record<string, unknown> }) =>
    String(response.headers['set-cookie']).split(';')[0];

  it('logs in with password and TOTP and acts for her only organisation and role', async () => {
    const response = await login('pro:anna-jansen', 'geheim-demo', await code());
    expect(response.statusCode).toBe(200);
    expect(response.json().actingAs).toEqual({ organisation: 'ura:11110001', role: 'kraamverzorgende' });
    expect(String(response.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const work = await app.inject({ url: '/kraamzorg/werk', headers: { cookie: cookieOf(response) } });
    expect(work.json().actor).toEqual({
      professional: 'pro:anna-jansen',
      actingAs: { organisation: 'ura:11110001', role: 'kraamverzorgende' },
    });
  });

  it('refuses a wrong password, a wrong or replayed code and an account without a password alike', async () => {
    const totp = await code();
    expect((await login('pro:anna-jansen', 'fout', totp)).statusCode).toBe(401);
    expect((await login('pro:anna-jansen', 'geheim-demo', '000000')).statusCode).toBe(401);
    expect((await login('pro:anna-jansen', 'geheim-demo', totp)).statusCode).toBe(200);
    now += 1_000;
    const replay = await login('pro:anna-jansen', 'geheim-demo', totp);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
    expect((await login('pro:passkey-only', 'geheim-demo', totp)).statusCode).toBe(401);
    expect((await login('pro:nobody', 'geheim-demo', totp)).statusCode).toBe(401);
  });

  it('answers 429 with Retry-After past the login limit, even with the right password', async () => {
    for (let i = 0; i < 6; i++)
      expect((await login('pro:anna-jansen', 'fout', '000000')).statusCode).toBe(401);
    const limited = await login('pro:anna-jansen', 'geheim-demo', await code());
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.json().issue[0].code).toBe('throttled');
    now += 60_000;
    expect((await login('pro:anna-jansen', 'geheim-demo', await code())).statusCode).toBe(200);
  });

  it('locks the account after failed logins in a row, even at a pace under the rate limit', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await login('pro:anna-jansen', 'fout', '000000')).statusCode).toBe(401);
      now += 20_000;
    }
    const locked = await login('pro:anna-jansen', 'geheim-demo', await code());
    expect(locked.statusCode).toBe(429);
    expect(locked.json().issue[0].diagnostics).toMatch(/account locked/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(700);
    now += 15 * 60_000;
    expect((await login('pro:anna-jansen', 'geheim-demo', await code())).statusCode).toBe(200);
  });

  it('with several memberships acts for none until she chooses one; she cannot choose one she lacks', async () => {
    const response = await login('pro:carla-bakker', 'geheim-demo', await code());
    expect(response.json().actingAs).toBeNull();
    const cookie = cookieOf(response);
    const before = await app.inject({ url: '/kraamzorg/werk', headers: { cookie } });
    expect(before.statusCode).toBe(403);

    const actAs = (organisation: string, role: string) =>
      app.inject({
        method: 'POST',
        url: '/auth/professionals/acting-as',
        headers: { cookie },
        payload: { organisation, role },
      });
    expect((await actAs('ura:11110001', 'medisch-specialist')).statusCode).toBe(403);
    expect((await actAs('ura:11110003', 'medisch-specialist')).statusCode).toBe(200);
    const elsewhere = await app.inject({ url: '/kraamzorg/werk', headers: { cookie } });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().issue[0].diagnostics).toMatch(/you act for ura:11110003, not ura:11110001/);

    expect((await actAs('ura:11110001', 'administratie')).statusCode).toBe(200);
    const switched = await app.inject({ url: '/kraamzorg/werk', headers: { cookie } });
    expect(switched.json().actor.actingAs).toEqual({ organisation: 'ura:11110001', role: 'administratie' });
  });

  it('refuses acting-as and guarded routes without a professional session', async () => {
    const anonymous = await app.inject({
      method: 'POST',
      url: '/auth/professionals/acting-as',
      payload: { organisation: 'ura:11110001', role: 'kraamverzorgende' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect((await app.inject({ url: '/kraamzorg/werk' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/auth/professionals/login', payload: {} })).statusCode,
    ).toBe(400);
  });
});

describe('professional login at two processes of one node on one PostgreSQL database', () => {
  const secret = newTotpSecret();
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let dbs: Db[];
  let apps: FastifyInstance[];
  let now = T0;

  beforeEach(async () => {
    now = T0;
    schema = await freshPostgresSchema();
    dbs = await Promise.all([schema.open(), schema.open()]);
    const passwordHash = await hashPassword('geheim-demo');
    const accounts = [anna(passwordHash, secret)];
    apps = await Promise.all(
      dbs.map(async (db) => {
        const ephemeral = await SqlEphemeralStore.open(db);
        const app = Fastify();
        await app.register(professionalRoutes, {
          prefix: '/auth',
          sessions: new SessionStore(ephemeral),
          ephemeral,
          directory: await withStoredTotpSteps(new InMemoryProfessionalDirectory(accounts), db),
          lockout: new AccountLockout(ephemeral, { maxFailures: 3, lockMs: 15 * 60_000 }),
          secureCookies: false,
          now: () => now,
        });
        await app.ready();
        return app;
      }),
    );
  });
  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(dbs.map((db) => db.close()));
    await schema.drop();
  });

  const login = (at: number, password: string, totp: string) =>
    apps[at]!.inject({
      method: 'POST',
      url: '/auth/professionals/login',
      payload: { id: 'pro:anna-jansen', password, totp },
    });

  it('counts failed logins at both processes toward one lock-out, however slowly they come', async () => {
    for (const at of [0, 1, 0]) {
      now += 3_600_000;
      expect((await login(at, 'fout', '000000')).statusCode).toBe(401);
    }
    const locked = await login(1, 'geheim-demo', await generate({ secret, epoch: now / 1000 }));
    expect(locked.statusCode).toBe(429);
    expect(locked.json().issue[0].diagnostics).toMatch(/account locked/);
  });

  it('spends a TOTP code at both processes once it logged in at one', async () => {
    const totp = await generate({ secret, epoch: now / 1000 });
    expect((await login(0, 'geheim-demo', totp)).statusCode).toBe(200);
    expect((await login(1, 'geheim-demo', totp)).statusCode).toBe(401);
  });
});
