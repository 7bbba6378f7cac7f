// The OIDC identity check against a small upstream on loopback that issues ES256 ID tokens the way
// a DigiD broker does (BSN in `sub`, level of assurance in `acr`).
import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcIdentityProvider, discoverUpstream } from './oidc-identity-provider.ts';

const CLIENT_ID = 'kraamzorg-node';
const CLIENT_SECRET = 'demo-secret';
const ACR = {
  'urn:digid:midden': 'substantial',
  'urn:digid:basis': 'low',
} as const;

interface Grant {
  readonly nonce: string;
  readonly challenge: string;
  readonly redirectUri: string;
}

/** Settings the next authorization takes: which person logs in, at which level. */
const next = { sub: '999911120', acr: 'urn:digid:midden', audience: CLIENT_ID };

async function upstream(): Promise<{ app: FastifyInstance; issuer: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, Grant>();
  const app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  let issuer = '';
  app.get('/.well-known/openid-configuration', async () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
  }));
  app.get('/jwks', async () => ({ keys: [jwk] }));
  app.get('/authorize', async (request, reply) => {
    const q = request.query as Record<string, string>;
    const code = randomBytes(16).toString('base64url');
    codes.set(code, { nonce: q.nonce, challenge: q.code_challenge, redirectUri: q.redirect_uri });
    return reply.redirect(`${q.redirect_uri}?${new URLSearchParams({ code, state: q.state, iss: issuer })}`);
  });
  app.post('/token', async (request, reply) => {
    const form = request.body as Record<string, string>;
    // RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
    const [id, secret] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(':')
      .map((part) => decodeURIComponent(part));
    const grant = codes.get(form.code);
    codes.delete(form.code);
    const verifierHash = createHash('sha256')
      .update(form.code_verifier ?? '')
      .digest('base64url');
    if (
      id !== CLIENT_ID ||
      secret !== CLIENT_SECRET ||
      !grant ||
      grant.challenge !== verifierHash ||
      grant.redirectUri !== form.redirect_uri
    )
      return reply.code(400).send({ error: 'invalid_grant' });
    const idToken = await new SignJWT({ nonce: grant.nonce, acr: next.acr })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject(next.sub)
      .setAudience(next.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey as CryptoKey);
    return { access_token: 'opaque', token_type: 'Bearer', expires_in: 60, id_token: idToken };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  issuer = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return { app, issuer };
}

describe('OidcIdentityProvider', () => {
  let server: FastifyInstance;
  let provider: OidcIdentityProvider;

  beforeAll(async () => {
    const { app, issuer } = await upstream();
    server = app;
    provider = new OidcIdentityProvider({
      id: 'digid-broker',
      label: 'DigiD',
      configuration: await discoverUpstream(new URL(issuer), CLIENT_ID, CLIENT_SECRET, true),
      publicBaseUrl: 'https://kraamzorg.example',
      assuranceOf: (acr) => (acr === undefined ? undefined : ACR[acr as keyof typeof ACR]),
    });
  });
  afterAll(async () => server?.close());

  /** Runs the browser's part: follow the authorization URL to the callback's query. */
  async function login(state: string): Promise<Record<string, string>> {
    const { redirectTo } = await provider.start(state, '/auth/passkeys/enrol/callback');
    const url = new URL(redirectTo);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(
      'https://kraamzorg.example/auth/passkeys/enrol/callback',
    );
    const response = await fetch(url, { redirect: 'manual' });
    return Object.fromEntries(new URL(response.headers.get('location') as string).searchParams);
  }

  it('verifies the person with PKCE, state and nonce, and reads the BSN and assurance', async () => {
    Object.assign(next, { sub: '999911120', acr: 'urn:digid:midden', audience: CLIENT_ID });
    const query = await login('state-1');
    expect(await provider.complete(query)).toEqual({
      bsn: '999911120',
      assurance: 'substantial',
      provider: 'digid-broker',
    });
    expect(await provider.complete(query)).toBeUndefined(); // a state completes once
  });

  it('refuses a login below the minimum assurance, a token for another client, and an unknown state', async () => {
    Object.assign(next, { acr: 'urn:digid:basis' });
    expect(await provider.complete(await login('state-2'))).toBeUndefined();
    Object.assign(next, { acr: 'urn:digid:midden', audience: 'someone-else' });
    expect(await provider.complete(await login('state-3'))).toBeUndefined();
    Object.assign(next, { audience: CLIENT_ID, sub: 'not-a-bsn' });
    expect(await provider.complete(await login('state-4'))).toBeUndefined();
    Object.assign(next, { sub: '999911120' });
    const query = await login('state-5');
    expect(await provider.complete({ ...query, state: 'state-unknown' })).toBeUndefined();
    expect(await provider.complete({ ...query, code: 'forged' })).toBeUndefined(); // the state is spent, too
  });
});
