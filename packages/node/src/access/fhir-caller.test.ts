// An opaque token is asked of the authorization server's store on every request: a revoked token
// stops opening the FHIR API at once, never a moment later.
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { resolveFhirCaller, type CredentialResolvers } from './fhir-caller.ts';

const request = (token: string) =>
  ({
    headers: { authorization: `Bearer ${token}` },
    socket: { remoteAddress: '127.0.0.1' },
  }) as FastifyRequest;

describe('verified tokens', () => {
  it('asks the store on every request, so a revoked token is refused at once', async () => {
    const asked: string[] = [];
    let revoked = false;
    const resolvers: CredentialResolvers = {
      organisation: 'ura:1',
      systemTokens: async (token) => {
        asked.push(token);
        return token === 'good-token' && !revoked
          ? { clientId: 'epd', scope: 'system/*.rs', expiresAt: Date.now() + 600_000 }
          : undefined;
      },
    };
    expect(await resolveFhirCaller(request('good-token'), resolvers)).toEqual({
      ok: true,
      caller: { kind: 'system', access: { clientId: 'epd', scope: 'system/*.rs' } },
    });
    revoked = true;
    expect(await resolveFhirCaller(request('good-token'), resolvers)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(asked).toEqual(['good-token', 'good-token']);
  });
});
