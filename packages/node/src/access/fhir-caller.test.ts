// A verified opaque token's answer is reused for a moment — never beyond the token's expiry, never
// for a token that failed, never across nodes — so that a busy system does not cost a store lookup
// per request.
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { resolveFhirCaller, VERIFIED_TOKEN_MS, type CredentialResolvers } from './fhir-caller.ts';

const request = (token: string) =>
  ({
    headers: { authorization: `Bearer ${token}` },
    socket: { remoteAddress: '127.0.0.1' },
  }) as FastifyRequest;

/** A node whose store knows one system token, expiring at `expiresAt`; counts the lookups. */
function node(expiresAt: number | undefined, clock: { now: number }) {
  const asked: string[] = [];
  const resolvers: CredentialResolvers = {
    organisation: 'ura:1',
    now: () => clock.now,
    systemTokens: async (token) => {
      asked.push(token);
      if (token !== 'good-token' || (expiresAt !== undefined && expiresAt <= clock.now)) return undefined;
      return { clientId: 'epd', scope: 'system/*.rs', ...(expiresAt !== undefined ? { expiresAt } : {}) };
    },
  };
  return { resolvers, asked };
}

describe('verified tokens', () => {
  it('asks the store once for a token used many times within a moment, and the caller is the same', async () => {
    const clock = { now: 1_000_000 };
    const { resolvers, asked } = node(clock.now + 600_000, clock);
    const first = await resolveFhirCaller(request('good-token'), resolvers);
    for (let i = 0; i < 50; i++) {
      clock.now += 10;
      expect(await resolveFhirCaller(request('good-token'), resolvers)).toEqual(first);
    }
    expect(first).toEqual({
      ok: true,
      caller: { kind: 'system', access: { clientId: 'epd', scope: 'system/*.rs' } },
    });
    expect(asked).toEqual(['good-token']);
  });

  it('asks again after VERIFIED_TOKEN_MS, so a revoked token stops working within it', async () => {
    const clock = { now: 1_000_000 };
    let revoked = false;
    const { resolvers, asked } = node(clock.now + 600_000, clock);
    const inner = resolvers.systemTokens!;
    const revocable = {
      ...resolvers,
      systemTokens: async (t: string) => (revoked ? (asked.push(t), undefined) : inner(t)),
    };
    expect((await resolveFhirCaller(request('good-token'), revocable)).ok).toBe(true);
    revoked = true;
    clock.now += VERIFIED_TOKEN_MS;
    const after = await resolveFhirCaller(request('good-token'), revocable);
    expect(after).toMatchObject({ ok: false, status: 401, invalidToken: true });
    expect(asked).toHaveLength(2);
  });

  it('never reuses an answer past the token’s own expiry', async () => {
    const clock = { now: 1_000_000 };
    const { resolvers, asked } = node(clock.now + 500, clock);
    expect((await resolveFhirCaller(request('good-token'), resolvers)).ok).toBe(true);
    clock.now += 500;
    expect(await resolveFhirCaller(request('good-token'), resolvers)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(asked).toHaveLength(2);
  });

  it('does not remember a refusal, nor an answer without an expiry, nor across nodes', async () => {
    const clock = { now: 1_000_000 };
    const a = node(undefined, clock);
    await resolveFhirCaller(request('good-token'), a.resolvers);
    await resolveFhirCaller(request('good-token'), a.resolvers);
    await resolveFhirCaller(request('bad-token'), a.resolvers);
    await resolveFhirCaller(request('bad-token'), a.resolvers);
    expect(a.asked).toEqual(['good-token', 'good-token', 'bad-token', 'bad-token']);

    const b = node(clock.now + 600_000, clock);
    const c = node(clock.now + 600_000, clock);
    await resolveFhirCaller(request('good-token'), b.resolvers);
    await resolveFhirCaller(request('good-token'), c.resolvers);
    expect([b.asked, c.asked]).toEqual([['good-token'], ['good-token']]);
  });
});
