// Test support: the test IdP (test-idp.ts) as a separate process, a client key pair for
// private_key_jwt, and a login through the IdP's page by plain HTTP (for tests without a browser).
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientMetadata, JWK } from 'oidc-provider';
import type { TestIdpConfig } from './test-idp.ts';

const SCRIPT = join(import.meta.dirname, 'test-idp.ts');

export interface RunningTestIdp {
  readonly issuer: string;
  /** Stops the process (the IdP is then down). */
  stop(): Promise<void>;
}

/** An EC P-256 key pair as JWKs: the private one for the node, the public one for the IdP. */
export function clientKeyPair(): {
  privateJwk: JsonWebKey & { kid: string };
  publicJwk: JsonWebKey & { kid: string };
} {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(8).toString('hex');
  return {
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JsonWebKey), kid },
    publicJwk: {
      ...(publicKey.export({ format: 'jwk' }) as JsonWebKey),
      kid,
      alg: 'ES256',
      use: 'sig',
    } as JsonWebKey & {
      kid: string;
    },
  };
}

/** A private_key_jwt client of the test IdP. */
export function testIdpClient(
  clientId: string,
  publicJwk: JsonWebKey,
  redirectUris: readonly string[],
): ClientMetadata {
  return {
    client_id: clientId,
    redirect_uris: [...redirectUris],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [publicJwk as JWK] },
  };
}

export async function startTestIdp(config: TestIdpConfig): Promise<RunningTestIdp> {
  const file = join(mkdtempSync(join(tmpdir(), 'ketenlog-idp-')), 'idp.json');
  writeFileSync(file, JSON.stringify(config));
  const child: ChildProcess = spawn(process.execPath, [SCRIPT, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve(ready[1]!);
    });
    child.once('exit', (code) => reject(new Error(`test IdP exited with ${code}: ${errors}`)));
  });
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Follows an authorization URL through the test IdP's login page as a browser would, logging in
 * as `login` at `acr`; returns the URL the IdP sends the browser back to (the callback).
 */
export async function logInAtTestIdp(authorizationUrl: string, login: string, acr = ''): Promise<URL> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      jar.set(name!.trim(), value.join('='));
    }
  };
  let url = new URL(authorizationUrl);
  const origin = url.origin;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
    keep(response);
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== origin) return next;
      url = next;
      continue;
    }
    const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    if (!interaction || response.status !== 200)
      throw new Error(`test IdP answered ${response.status} at ${url}`);
    const posted = await fetch(`${origin}/interaction/${interaction[1]}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
      body: new URLSearchParams({ login, acr }).toString(),
    });
    keep(posted);
    const back = posted.headers.get('location');
    if (!back) throw new Error(`test IdP refused the login: ${posted.status} ${await posted.text()}`);
    url = new URL(back, url);
    if (url.origin !== origin) return url;
  }
  throw new Error('too many redirects at the test IdP');
}
