// Test support: people logging in at a node over real HTTP, as their browsers would. A demo client
// enrols a passkey (Demo-DigiD, then a soft authenticator) and logs in with it; a demo
// professional logs in with password and TOTP.
import { generate } from 'otplib';
import { createHash, randomBytes } from 'node:crypto';
import { SoftAuthenticator } from '@ketenlog/auth/testing';
import { DEMO_PGO_SCOPES } from './demo-pgo.ts';
import { DEMO_PGO_CLIENT_ID, DEMO_PGO_PATH } from './node-smart.ts';
import { demoCredentialsOf } from './node-auth.ts';

/** The `name=value` part of a response's first Set-Cookie header. */
export const cookieOf = (response: { headers: { get(name: string): string | null } }): string =>
  (response.headers.get('set-cookie') ?? '').split(';')[0]!;

export interface LoggedInClient {
  /** The `ketenlog_session=...` cookie of her passkey login. */
  readonly session: string;
  readonly authenticator: SoftAuthenticator;
  /** Her passkey's key id on the logbook. */
  readonly keyId: string;
  /** Her holder identity at the node (her region pseudonym where the region has a pseudonym service). */
  readonly holder: string;
}

async function post(url: string, body: unknown, cookie = ''): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

/**
 * Enrols demo person `person` (index in the Demo-DigiD list) with a new passkey at the node at
 * `base`, then logs her in. `origin` is the node's WebAuthn origin (its region base URL) when the
 * test reaches it by another address.
 */
export async function enrolAndLogIn(base: string, person = 0, origin = base): Promise<LoggedInClient> {
  const start = await fetch(`${base}/auth/passkeys/enrol`, { redirect: 'manual' });
  const page = new URL(start.headers.get('location')!, base);
  const chosen = await fetch(`${base}/auth/demo-digid`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      state: page.searchParams.get('state')!,
      callback: page.searchParams.get('callback')!,
      person: String(person),
    }).toString(),
  });
  const checked = await fetch(new URL(chosen.headers.get('location')!, base), {
    redirect: 'manual',
    headers: { cookie: cookieOf(start) },
  });
  const enrolling = cookieOf(checked);
  const authenticator = new SoftAuthenticator(origin.replace('127.0.0.1', 'localhost'));
  const options = await (await post(`${base}/auth/passkeys/registration/options`, {}, enrolling)).json();
  const enrolled = await post(
    `${base}/auth/passkeys/registration/verify`,
    authenticator.create(options),
    enrolling,
  );
  if (enrolled.status !== 200)
    throw new Error(`enrolment failed: ${enrolled.status} ${await enrolled.text()}`);
  const { keyId } = (await enrolled.json()) as { keyId: string };
  const challenge = await (await post(`${base}/auth/passkeys/authentication/options`, {})).json();
  const login = await post(`${base}/auth/passkeys/authentication/verify`, authenticator.get(challenge));
  if (login.status !== 200) throw new Error(`passkey login failed: ${login.status} ${await login.text()}`);
  const session = cookieOf(login);
  const me = (await (await fetch(`${base}/auth/session`, { headers: { cookie: session } })).json()) as {
    principal: { holder: string };
  };
  return { session, authenticator, keyId, holder: me.principal.holder };
}

/** Logs a demo professional in at the node at `base` with her demo password and TOTP; her session cookie. */
export async function logInProfessional(base: string, id: string): Promise<string> {
  const { password, totpSecret } = demoCredentialsOf(id);
  const login = await post(`${base}/auth/professionals/login`, {
    id,
    password,
    totp: await generate({ secret: totpSecret }),
  });
  if (login.status !== 200) throw new Error(`login of ${id} failed: ${login.status} ${await login.text()}`);
  return cookieOf(login);
}

/** A minimal cookie jar: every cookie the node set, sent back on each request. */
class Jar {
  readonly #cookies = new Map<string, string>();
  constructor(initial: string) {
    this.#take(initial);
  }
  #take(pair: string): void {
    const [name, ...value] = pair.split(';')[0]!.split('=');
    if (name) this.#cookies.set(name.trim(), value.join('='));
  }
  take(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) this.#take(cookie);
  }
  get header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows the authorization request through the node's login and consent to the app's redirect. */
export async function authorizeDemoPgo(
  base: string,
  cookie: string,
  scope = DEMO_PGO_SCOPES,
): Promise<{ code?: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const jar = new Jar(cookie);
  let url: string | undefined =
    `${base}/oidc/auth?` +
    new URLSearchParams({
      client_id: DEMO_PGO_CLIENT_ID,
      response_type: 'code',
      redirect_uri: `${base}${DEMO_PGO_PATH}`,
      scope,
      state: randomBytes(8).toString('hex'),
      aud: `${base}/fhir`,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
  for (let hop = 0; url && hop < 10; hop++) {
    if (url.startsWith(`${base}${DEMO_PGO_PATH}`)) {
      return { code: new URL(url).searchParams.get('code') ?? undefined, verifier };
    }
    let response: Response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header } });
    jar.take(response);
    if (
      response.status === 200 &&
      url.includes('/interaction/') &&
      (await response.clone().text()).includes('Toestaan')
    ) {
      // The consent page: she allows what the app asks for.
      response = await fetch(`${url}/decision`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'decision=allow',
      });
      jar.take(response);
    }
    const location = response.headers.get('location');
    url = location ? new URL(location, url).toString() : undefined;
  }
  return { verifier };
}

/** The demo PGO's token request for an authorization code (extra headers, e.g. MedMij's). */
export function demoPgoTokenRequest(
  base: string,
  code: string,
  verifier: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${base}${DEMO_PGO_PATH}`,
      client_id: DEMO_PGO_CLIENT_ID,
      code_verifier: verifier,
    }),
  });
}

/** An access token of the demo PGO for the client whose session cookie is given (code + PKCE). */
export async function demoPgoAccessToken(
  base: string,
  cookie: string,
  scope = DEMO_PGO_SCOPES,
): Promise<string> {
  const { code, verifier } = await authorizeDemoPgo(base, cookie, scope);
  if (!code) throw new Error('the demo PGO got no authorization code');
  const response = await demoPgoTokenRequest(base, code, verifier);
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no access token: ${response.status}`);
  return body.access_token;
}
