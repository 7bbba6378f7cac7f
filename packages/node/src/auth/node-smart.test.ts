// Patient apps at a region member, over real HTTP: a client logged in with her passkey lets the
// demo PGO in through the node's authorization server (code + PKCE), the app reads only her own
// data and adds a self-reported measurement; bad tokens are refused; refresh and revocation work.
// Then the same in Chromium with the official fhirclient build, through the node's demo PGO pages.
import { randomBytes } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVENANCE_SYSTEM } from '@ketenlog/auth';
import { CHROMIUM_ARGS, ensureChromium } from '../../../../test/chromium.ts';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import { DEMO_PGO_SCOPES } from './demo-pgo.ts';
import { DEMO_PGO_CLIENT_ID, DEMO_PGO_PATH } from './node-smart.ts';
import { authorizeDemoPgo, enrolAndLogIn } from './testing.ts';

let region: RunningRegion;
let kraamzorg: RunningNode;
let base: string;
let session: string;
let browser: Browser | undefined;

beforeAll(async () => {
  region = await startRegion({
    // Kraamzorg De Wieg, the hospital, the insurer and the RSO, whose pseudonym service names clients.
    ...(await demoRegionOnFreePorts({ uras: ['11110001', '11110003', '11110004', '11110010'], quorum: 2 })),
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  kraamzorg = region.node('11110001');
  base = kraamzorg.membership!.organisation.node.baseUrl.replace(/\/$/, '');
  await kraamzorg.repository.create({
    resourceType: 'Patient',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990019' }],
    name: [{ family: 'de Vries', given: ['Maria'] }],
  });
  session = (await enrolAndLogIn(base)).session;
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await region?.close();
});

/** The node as a browser reaches it: a loopback node as localhost (passkeys refuse IP addresses). */
const browserBase = (): string => base.replace('127.0.0.1', 'localhost');

const authorize = (cookie: string, scope = DEMO_PGO_SCOPES) => authorizeDemoPgo(base, cookie, scope);

async function token(params: Record<string, string>): Promise<Response> {
  return fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: DEMO_PGO_CLIENT_ID, ...params }),
  });
}

const fhir = (path: string, accessToken: string, init: RequestInit = {}) =>
  fetch(`${base}/fhir/${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/fhir+json',
      ...init.headers,
    },
  });

describe('SMART patient apps at a region member', () => {
  it('knows the client by her region pseudonym, not by a name of its own', async () => {
    const me = await fetch(`${base}/auth/session`, { headers: { cookie: session } });
    const { principal } = (await me.json()) as { principal: { kind: string; holder: string } };
    expect(principal.kind).toBe('client');
    const pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf('999990019');
    expect(principal.holder).toBe(pseudonym);
  });

  it('publishes OpenID and SMART discovery for the node', async () => {
    const discovery = await fetch(`${base}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    // As browsers reach a loopback node: on localhost, where her session cookie and passkey live.
    expect((await discovery.json()).issuer).toBe(`${browserBase()}/oidc`);
    const smart = await (await fetch(`${base}/fhir/.well-known/smart-configuration`)).json();
    expect(smart.code_challenge_methods_supported).toEqual(['S256']);
    expect(smart.capabilities).toContain('context-standalone-patient');
  });

  it('lets the app read her own data and add a self-reported measurement, nothing else', async () => {
    const { code, verifier } = await authorize(session);
    expect(code).toBeDefined();
    const granted = await token({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: `${base}${DEMO_PGO_PATH}`,
      code_verifier: verifier,
    });
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { access_token: string; refresh_token?: string; patient?: string };
    expect(body.patient).toBeDefined();
    expect(body.refresh_token).toBeDefined();
    const own = await fhir(`Patient/${body.patient}`, body.access_token);
    expect(own.status).toBe(200);
    expect((await own.json()).name[0].given).toEqual(['Maria']);

    // Someone else's record at the same node.
    const other = await kraamzorg.repository.create<Patient>({
      resourceType: 'Patient',
      name: [{ family: 'Ander' }],
    });
    const refused = await fhir(`Patient/${other.resource.id}`, body.access_token);
    expect(refused.status).toBe(403);
    expect((await refused.json()).resourceType).toBe('OperationOutcome');
    expect((await fhir(`Observation?patient=${other.resource.id}`, body.access_token)).status).toBe(403);

    const created = await fhir('Observation', body.access_token, {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
        subject: { reference: `Patient/${body.patient}` },
        valueQuantity: { value: 71.5, unit: 'kg' },
      }),
    });
    expect(created.status).toBe(201);
    const stored = (await created.json()) as {
      id: string;
      meta: { tag: { system: string; code: string }[] };
    };
    expect(stored.meta.tag).toContainEqual(
      expect.objectContaining({ system: PROVENANCE_SYSTEM, code: 'self-reported' }),
    );
    const mine = await (await fhir(`Observation?patient=${body.patient}`, body.access_token)).json();
    expect(mine.entry.map((e: { resource: { id: string } }) => e.resource.id)).toContain(stored.id);
    // An app may not write anything but a measurement about her.
    const condition = await fhir('Condition', body.access_token, {
      method: 'POST',
      body: JSON.stringify({ resourceType: 'Condition', subject: { reference: `Patient/${body.patient}` } }),
    });
    expect(condition.status).toBe(403);

    // Refresh, then revoke: the revoked token no longer opens anything.
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token! });
    expect(refreshed.status).toBe(200);
    const fresh = (await refreshed.json()) as { access_token: string };
    expect((await fhir(`Patient/${body.patient}`, fresh.access_token)).status).toBe(200);
    const revoked = await fetch(`${base}/oidc/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: DEMO_PGO_CLIENT_ID, token: fresh.access_token }),
    });
    expect(revoked.status).toBe(200);
    expect((await fhir(`Patient/${body.patient}`, fresh.access_token)).status).toBe(401);
  });

  it('refuses unknown tokens, codes without the PKCE verifier, and logins that are not a client', async () => {
    const unknown = await fhir('Patient', 'not-a-token-at-all');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('invalid_token');

    const { code } = await authorize(session);
    const noVerifier = await token({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: `${base}${DEMO_PGO_PATH}`,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(noVerifier.status).toBe(400);

    // Without her passkey session the node shows its login page instead of a code.
    const anonymous = await authorize('');
    expect(anonymous.code).toBeUndefined();
  });

  it('runs the demo PGO in Chromium with fhirclient: connect, see measurements, add a weight', async () => {
    browser = await chromium.launch({
      executablePath: ensureChromium(),
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP localhost 127.0.0.1'],
    });
    const context = await browser.newContext();
    try {
      // Her portal session, on localhost as the demo prints it: the app, its login and its consent
      // stay there (one host throughout: no CORS, and the session cookie is sent).
      const [name, value] = session.split('=') as [string, string];
      await context.addCookies([{ name, value, url: browserBase() }]);
      const page = await context.newPage();
      const hosts = new Set<string>();
      page.on('request', (r) => hosts.add(new URL(r.url()).host));
      await page.goto(`${browserBase()}${DEMO_PGO_PATH}launch`);
      await page.getByRole('heading', { name: /vraagt toegang/ }).waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Toestaan' }).click();
      await page.getByText('Verbonden als Maria de Vries.').waitFor({ timeout: 15_000 });
      await page.getByLabel('Gewicht (kg)').fill('70.2');
      await page.getByRole('button', { name: 'Meting toevoegen' }).click();
      await page.getByText('Meting opgeslagen.').waitFor({ timeout: 10_000 });
      await page.getByText('70.2 kg (zelf gemeten)').waitFor({ timeout: 10_000 });
      expect([...hosts]).toEqual([new URL(browserBase()).host]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
