import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVENANCE_SYSTEM } from './index.ts';
import { startSmartTestNode as startNode } from './test-node.ts';

async function launch(base: string, scope: string): Promise<Record<string, string>> {
  const verifier = randomBytes(32).toString('base64url');
  const cookies = new Map<string, string>();
  const params = new URLSearchParams({
    client_id: 'pgo-app',
    response_type: 'code',
    scope,
    redirect_uri: `${base}/app/`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 's',
    aud: `${base}/fhir`,
    prompt: 'consent',
  });
  let url = `${base}/oidc/auth?${params}`;
  for (;;) {
    const cookie = [...[...cookies].map(([k, v]) => `${k}=${v}`), 'demo_user=pseudo:anna'].join('; ');
    let response = await fetch(url, { redirect: 'manual', headers: { cookie } });
    if (
      response.status === 200 &&
      url.includes('/interaction/') &&
      (await response.clone().text()).includes('Toestaan')
    ) {
      // The consent page: she allows what the app asks for.
      response = await fetch(`${url}/decision`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'decision=allow',
      });
    }
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`no redirect: ${response.status}`);
    url = new URL(location, url).href;
    if (url.startsWith(`${base}/app/`)) break;
  }
  const code = new URL(url).searchParams.get('code')!;
  const response = await fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${base}/app/`,
      client_id: 'pgo-app',
      code_verifier: verifier,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string>;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

describe('SMART App Launch', () => {
  it('publishes smart-configuration at the FHIR base', async () => {
    const node = await startNode();
    apps.push(node.app);
    const response = await fetch(`${node.base}/fhir/.well-known/smart-configuration`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body['token_endpoint']).toBe(`${node.base}/oidc/token`);
    expect(body['capabilities']).toContain('launch-standalone');
    expect(body['code_challenge_methods_supported']).toEqual(['S256']);
  });

  it('standalone launch: patient in the token response, own compartment only, self-measurements tagged', async () => {
    const node = await startNode();
    apps.push(node.app);
    const tokens = await launch(
      node.base,
      'launch/patient openid fhirUser offline_access patient/*.rs patient/Observation.c',
    );
    expect(tokens['patient']).toBe('anna');
    expect(tokens['scope']).toContain('patient/*.rs');
    expect(tokens['refresh_token']).toBeTruthy();
    const auth = { authorization: `Bearer ${tokens['access_token']}` };

    expect((await fetch(`${node.base}/fhir/Patient/anna`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${node.base}/fhir/Patient/bert`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${node.base}/fhir/Observation/o1`, { headers: auth })).status).toBe(200);
    const other = await fetch(`${node.base}/fhir/Observation/o2`, { headers: auth });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    expect((await fetch(`${node.base}/fhir/Observation?patient=anna`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${node.base}/fhir/Observation?patient=bert`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${node.base}/fhir/Observation`, { headers: auth })).status).toBe(403);
    expect(
      (await fetch(`${node.base}/fhir/Observation?patient=anna&patient=bert`, { headers: auth })).status,
    ).toBe(403);
    expect((await fetch(`${node.base}/fhir/Observation/o1`)).status).toBe(401);
    expect(
      (await fetch(`${node.base}/fhir/Observation/o1`, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);

    const post = (body: unknown) =>
      fetch(`${node.base}/fhir/Observation`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(body),
      });
    const measurement = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
      subject: { reference: 'Patient/anna' },
      valueQuantity: { value: 72.5, unit: 'kg' },
      meta: { tag: [{ system: PROVENANCE_SYSTEM, code: 'clinician' }] },
    };
    const created = await post(measurement);
    expect(created.status).toBe(201);
    const stored = (await created.json()) as { meta: { tag: { system: string; code: string }[] } };
    expect(stored.meta.tag).toEqual([
      expect.objectContaining({ system: PROVENANCE_SYSTEM, code: 'self-reported' }),
    ]);
    expect((await post({ ...measurement, subject: { reference: 'Patient/bert' } })).status).toBe(403);
    const condition = await fetch(`${node.base}/fhir/Condition`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Condition', subject: { reference: 'Patient/anna' } }),
    });
    expect(condition.status).toBe(403);
  });

  it('a read-only launch cannot create', async () => {
    const node = await startNode();
    apps.push(node.app);
    const tokens = await launch(node.base, 'launch/patient openid patient/*.rs');
    const response = await fetch(`${node.base}/fhir/Observation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['access_token']}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Observation', subject: { reference: 'Patient/anna' } }),
    });
    expect(response.status).toBe(403);
  });
});
