// Test support: people logging in at a node over real HTTP, as their browsers would. A demo client
// enrols a passkey (Demo-DigiD, then a soft authenticator) and logs in with it; a demo
// professional logs in with password and TOTP.
import { generate } from 'otplib';
import { SoftAuthenticator } from '@ketenlog/auth/testing';
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
