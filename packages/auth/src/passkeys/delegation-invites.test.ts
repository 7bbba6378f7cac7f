// Delegation invites on a real database (each of the test databases): a client invites, a
// representative accepts with the one-time code, the client sees whom to grant; a code works once,
// a wrong session, code or body gets an OperationOutcome.
import Fastify, { type FastifyInstance } from 'fastify';
import { MemoryEphemeralStore, testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { delegationInviteRoutes, INVITE_TTL_MS, type DelegationInvite } from './delegation-invites.ts';
import { SESSION_COOKIE, SessionStore } from './session.ts';

for (const database of testDatabases()) {
  describe(`delegation invites (${database.name})`, () => {
    let db: Db;
    let app: FastifyInstance;
    const start = 1_800_000_000_000;
    const until = start + 30 * 86_400_000;
    let clock = start;
    let sessions: SessionStore;
    let maria: { cookie: string };
    let sam: { cookie: string };
    const cookie = async (principal: Parameters<SessionStore['create']>[0]) => ({
      cookie: `${SESSION_COOKIE}=${(await sessions.create(principal, clock)).id}`,
    });

    beforeEach(async () => {
      clock = start;
      sessions = new SessionStore(new MemoryEphemeralStore());
      maria = await cookie({ kind: 'client', holder: 'pMaria', credentialId: 'c1' });
      sam = await cookie({ kind: 'representative', holder: 'rep:sam', credentialId: 'c2' });
      db = await database.open();
      app = Fastify();
      await app.register(delegationInviteRoutes, {
        prefix: '/auth',
        db,
        sessions,
        now: () => clock,
      });
      await app.ready();
    });
    afterEach(async () => {
      await app.close();
      await db.close();
    });

    const invite = (
      headers?: { cookie: string },
      payload: object = { kinds: ['consent'], validUntil: until },
    ) => app.inject({ method: 'POST', url: '/auth/delegations/invites', headers: headers ?? maria, payload });
    const list = async () =>
      (
        (await app.inject({ url: '/auth/delegations/invites', headers: maria })).json() as {
          invites: DelegationInvite[];
        }
      ).invites;
    const accept = (code: unknown, headers?: { cookie: string }) =>
      app.inject({
        method: 'POST',
        url: '/auth/delegations/invites/accept',
        headers: headers ?? sam,
        payload: { code },
      });

    it('invite, accept once with the code, the client sees the representative, then removes it', async () => {
      const made = await invite();
      expect(made.statusCode).toBe(201);
      const { id, code, expiresAt } = made.json() as { id: string; code: string; expiresAt: number };
      expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(expiresAt).toBe(clock + INVITE_TTL_MS);
      expect(await list()).toEqual([
        { id, kinds: ['consent'], validUntil: until, expiresAt, status: 'open' },
      ]);
      expect((await accept(code)).json()).toEqual({ id });
      expect((await accept(code)).statusCode).toBe(404);
      expect(await list()).toMatchObject([{ id, status: 'accepted', representative: 'rep:sam' }]);
      const removed = await app.inject({
        method: 'DELETE',
        url: `/auth/delegations/invites/${id}`,
        headers: maria,
      });
      expect(removed.json()).toEqual({ removed: id });
      expect(await list()).toEqual([]);
    });

    it('an expired code is refused and shows as expired', async () => {
      const { code } = (await invite()).json() as { code: string };
      clock += INVITE_TTL_MS;
      maria = await cookie({ kind: 'client', holder: 'pMaria', credentialId: 'c1' });
      sam = await cookie({ kind: 'representative', holder: 'rep:sam', credentialId: 'c2' });
      expect((await accept(code)).statusCode).toBe(404);
      expect(await list()).toMatchObject([{ status: 'expired' }]);
    });

    it('refuses the wrong session, body, code or invite with an OperationOutcome', async () => {
      const { code } = (await invite()).json() as { code: string };
      const answers = [
        [await invite(sam), 401],
        [await invite({ cookie: '' }), 401],
        [await invite(maria, { kinds: [], validUntil: until }), 400],
        [await invite(maria, { kinds: ['carelog.entry'], validUntil: until }), 400],
        [await invite(maria, { kinds: ['consent'], validUntil: clock - 1 }), 400],
        [await app.inject({ url: '/auth/delegations/invites', headers: sam }), 401],
        [await accept(code, maria), 401],
        [await accept(42), 400],
        [await accept('not-a-code'), 404],
        [await app.inject({ method: 'DELETE', url: '/auth/delegations/invites/nope', headers: maria }), 404],
        [await app.inject({ method: 'DELETE', url: '/auth/delegations/invites/nope', headers: sam }), 401],
      ] as const;
      for (const [answer, status] of answers) {
        expect(answer.statusCode).toBe(status);
        expect((answer.json() as { resourceType: string }).resourceType).toBe('OperationOutcome');
      }
    });
  });
}
