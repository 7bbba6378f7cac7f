import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@ketenlog/storage';
import { cookieFrom } from '../passkeys/session.ts';
import {
  createAuthorizationServer,
  loadOrCreateDemoSigningKeys,
  migrateOidcStore,
  oidcRoutes,
} from './index.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

async function startNode(db: Db, port: number): Promise<{ app: FastifyInstance; base: string }> {
  const base = `http://127.0.0.1:${port}`;
  await migrateOidcStore(db);
  const provider = createAuthorizationServer({
    issuer: `${base}/oidc`,
    mountPath: '/oidc',
    db,
    signingKeys: await loadOrCreateDemoSigningKeys(db),
    cookieKeys: ['test-cookie-key-0123456789abcdef0123456789'],
    clients: [
      {
        client_id: 'pgo-app',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${base}/cb`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: 'lab-system',
        client_secret: 'lab-system-secret-0123456789',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    accountClaims: async (id) => (id.startsWith('pseudo:') ? {} : undefined),
  });
  const app = Fastify();
  await app.register(oidcRoutes, {
    provider,
    mountPath: '/oidc',
    resolveAccount: async (request) => cookieFrom(request.headers.cookie, 'demo_user'),
    loginUrl: (returnTo) => `/login?return=${encodeURIComponent(returnTo)}`,
  });
  await app.listen({ port, host: '127.0.0.1' });
  return { app, base };
}

class Jar {
  readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
  header(extra = ''): string {
    return [...[...this.cookies].map(([k, v]) => `${k}=${v}`), extra].filter(Boolean).join('; ');
  }
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

async function authorize(base: string, verifier: string, user: string | undefined): Promise<Response> {
  const jar = new Jar();
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const params = new URLSearchParams({
    client_id: 'pgo-app',
    response_type: 'code',
    scope: 'openid offline_access',
    redirect_uri: `${base}/cb`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st4te',
    prompt: 'consent',
  });
  let url = `${base}/oidc/auth?${params}`;
  for (let hop = 0; hop < 6; hop++) {
    const cookie = jar.header(user ? `demo_user=${user}` : '');
    let response = await fetch(url, { redirect: 'manual', headers: { cookie } });
    jar.take(response);
    if (response.status === 200 && (await response.clone().text()).includes('Toestaan')) {
      // The consent page: the user allows what the app asks for.
      response = await fetch(`${url}/decision`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'decision=allow',
      });
      jar.take(response);
    }
    const location = response.headers.get('location');
    if (!location || location.startsWith(`${base}/cb`)) return response;
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

async function token(base: string, body: Record<string, string>, auth?: string): Promise<Response> {
  return fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}),
    },
    body: new URLSearchParams(body),
  });
}

describe('authorization server', () => {
  it('serves discovery under the issuer with PKCE S256 only', async () => {
    const db = await openDatabase(':memory:');
    const node = await startNode(db, await freePort());
    apps.push(node.app);
    const response = await fetch(`${node.base}/oidc/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const meta = (await response.json()) as Record<string, unknown>;
    expect(meta['issuer']).toBe(`${node.base}/oidc`);
    expect(meta['token_endpoint']).toBe(`${node.base}/oidc/token`);
    expect(meta['code_challenge_methods_supported']).toEqual(['S256']);
    expect(meta['grant_types_supported']).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    expect(meta['revocation_endpoint']).toBe(`${node.base}/oidc/token/revocation`);
  });

  it('asks the logged-in user before it grants anything, and an app she refuses gets access_denied', async () => {
    const db = await openDatabase(':memory:');
    const node = await startNode(db, await freePort());
    apps.push(node.app);
    const jar = new Jar();
    const params = new URLSearchParams({
      client_id: 'pgo-app',
      response_type: 'code',
      scope: 'openid offline_access',
      redirect_uri: `${node.base}/cb`,
      code_challenge: b64url(
        createHash('sha256')
          .update(b64url(randomBytes(32)))
          .digest(),
      ),
      code_challenge_method: 'S256',
      state: 'st4te',
      prompt: 'consent',
    });
    let url = `${node.base}/oidc/auth?${params}`;
    let page: Response | undefined;
    for (let hop = 0; hop < 6 && !page; hop++) {
      const response = await fetch(url, {
        redirect: 'manual',
        headers: { cookie: jar.header('demo_user=pseudo:abc') },
      });
      jar.take(response);
      const location = response.headers.get('location');
      if (location) url = new URL(location, url).href;
      else page = response;
    }
    const html = await page!.text();
    expect(html).toContain('vraagt toegang');
    expect(html).toContain('toegang houden als u niet ingelogd bent');
    const refused = await fetch(`${url}/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: jar.header('demo_user=pseudo:abc'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'decision=deny',
    });
    jar.take(refused);
    let next = new URL(refused.headers.get('location')!, url).href;
    for (let hop = 0; hop < 4 && !next.startsWith(`${node.base}/cb`); hop++) {
      const response = await fetch(next, {
        redirect: 'manual',
        headers: { cookie: jar.header('demo_user=pseudo:abc') },
      });
      next = new URL(response.headers.get('location')!, next).href;
    }
    expect(new URL(next).searchParams.get('error')).toBe('access_denied');
    expect(new URL(next).searchParams.get('code')).toBeNull();
  });

  it('shows the Dutch login page when nobody is logged in', async () => {
    const db = await openDatabase(':memory:');
    const node = await startNode(db, await freePort());
    apps.push(node.app);
    const response = await authorize(node.base, b64url(randomBytes(32)), undefined);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Inloggen');
  });

  it('runs code + PKCE, refresh, revocation; refuses a wrong verifier, a reused code and a revoked token; survives restart', async () => {
    const db = await openDatabase(':memory:');
    const port = await freePort();
    let node = await startNode(db, port);
    apps.push(node.app);
    const verifier = b64url(randomBytes(32));
    const redirect = await authorize(node.base, verifier, 'pseudo:abc');
    const location = new URL(redirect.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('st4te');
    const code = location.searchParams.get('code')!;
    expect(code).toBeTruthy();
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${node.base}/cb`,
      client_id: 'pgo-app',
    };

    const wrong = await token(node.base, { ...exchange, code_verifier: b64url(randomBytes(32)) });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');

    const ok = await token(node.base, { ...exchange, code_verifier: verifier });
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as Record<string, string>;
    expect(tokens['access_token']).toBeTruthy();
    expect(tokens['id_token']).toBeTruthy();
    expect(tokens['refresh_token']).toBeTruthy();

    const me = await fetch(`${node.base}/oidc/me`, {
      headers: { authorization: `Bearer ${tokens['access_token']}` },
    });
    const meBody = await me.text();
    expect(JSON.parse(meBody), meBody).toMatchObject({ sub: 'pseudo:abc' });

    // Restart on the same database: the refresh token still works.
    await apps.pop()!.close();
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the client see its sockets close
    node = await startNode(db, port);
    apps.push(node.app);
    const refreshed = await token(node.base, {
      grant_type: 'refresh_token',
      refresh_token: tokens['refresh_token']!,
      client_id: 'pgo-app',
    });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as Record<string, string>;
    const refreshToken = next['refresh_token'] ?? tokens['refresh_token']!;

    const revoke = await fetch(`${node.base}/oidc/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, client_id: 'pgo-app' }),
    });
    expect(revoke.status).toBe(200);
    const afterRevoke = await token(node.base, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: 'pgo-app',
    });
    expect(afterRevoke.status).toBe(400);
  });

  it('refuses a reused code and then revokes what that code issued', async () => {
    const db = await openDatabase(':memory:');
    const node = await startNode(db, await freePort());
    apps.push(node.app);
    const verifier = b64url(randomBytes(32));
    const redirect = await authorize(node.base, verifier, 'pseudo:abc');
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${node.base}/cb`,
      client_id: 'pgo-app',
      code_verifier: verifier,
    };
    const first = await token(node.base, exchange);
    expect(first.status).toBe(200);
    const accessToken = ((await first.json()) as { access_token: string }).access_token;
    const reused = await token(node.base, exchange);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: string }).error).toBe('invalid_grant');
    const me = await fetch(`${node.base}/oidc/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(401);
  });

  it('issues client_credentials tokens to systems and revokes them', async () => {
    const db = await openDatabase(':memory:');
    const node = await startNode(db, await freePort());
    apps.push(node.app);
    const bad = await token(node.base, { grant_type: 'client_credentials' }, 'lab-system:wrong');
    expect(bad.status).toBe(401);
    const ok = await token(
      node.base,
      { grant_type: 'client_credentials' },
      'lab-system:lab-system-secret-0123456789',
    );
    expect(ok.status).toBe(200);
    const accessToken = ((await ok.json()) as { access_token: string }).access_token;
    const introspect = async () =>
      (await (
        await fetch(`${node.base}/oidc/token/introspection`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from('lab-system:lab-system-secret-0123456789').toString('base64')}`,
          },
          body: new URLSearchParams({ token: accessToken }),
        })
      ).json()) as { active: boolean };
    expect((await introspect()).active).toBe(true);
    const revoke = await fetch(`${node.base}/oidc/token/revocation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('lab-system:lab-system-secret-0123456789').toString('base64')}`,
      },
      body: new URLSearchParams({ token: accessToken }),
    });
    expect(revoke.status).toBe(200);
    expect((await introspect()).active).toBe(false);
  });
});
