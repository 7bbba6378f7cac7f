// Test support: a demo client enrols a passkey at a node (Demo-DigiD, then a soft authenticator)
// and logs in with it, as a browser would, over the node's routes.
import type { LightMyRequestResponse } from 'fastify';
import { SoftAuthenticator } from '@ketenlog/auth/testing';
import type { RunningNode } from '../server.ts';

export const cookieOf = (response: LightMyRequestResponse): string =>
  String(response.headers['set-cookie']).split(';')[0]!;

export interface LoggedInClient {
  /** The `ketenlog_session=...` cookie of her passkey login. */
  readonly session: string;
  readonly authenticator: SoftAuthenticator;
  /** Her passkey's key id on the logbook. */
  readonly keyId: string;
  /** The node's answer to the enrolment (the test may inspect it). */
  readonly enrolled: LightMyRequestResponse;
}

/** Enrols demo person `person` (index in the Demo-DigiD list) with a new passkey, then logs her in. */
export async function enrolAndLogIn(node: RunningNode, person = 0): Promise<LoggedInClient> {
  const app = node.app;
  const origin = new URL(node.fhirBase).origin.replace('127.0.0.1', 'localhost');
  const start = await app.inject({ url: '/auth/passkeys/enrol' });
  const page = new URL(start.headers.location as string, origin);
  const chosen = await app.inject({
    method: 'POST',
    url: '/auth/demo-digid',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      state: page.searchParams.get('state')!,
      callback: page.searchParams.get('callback')!,
      person: String(person),
    }).toString(),
  });
  const checked = await app.inject({
    url: chosen.headers.location as string,
    headers: { cookie: cookieOf(start) },
  });
  const enrolling = cookieOf(checked);
  const post = (url: string, payload: unknown, cookie: string) =>
    app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as object });
  const authenticator = new SoftAuthenticator(origin);
  const options = (await post('/auth/passkeys/registration/options', {}, enrolling)).json();
  const enrolled = await post('/auth/passkeys/registration/verify', authenticator.create(options), enrolling);
  const login = await post(
    '/auth/passkeys/authentication/verify',
    authenticator.get((await post('/auth/passkeys/authentication/options', {}, '')).json()),
    '',
  );
  if (login.statusCode !== 200) throw new Error(`passkey login failed: ${login.statusCode} ${login.body}`);
  return { session: cookieOf(login), authenticator, keyId: enrolled.json().keyId as string, enrolled };
}
