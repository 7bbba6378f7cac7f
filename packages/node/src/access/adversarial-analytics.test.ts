// The adversarial suite for the research routes a person calls from the portal (/analytics/*: the
// analyst's page, an assessor's key, agreement drafts and signatures, a run from a session), at the
// hospital of a region: one test per class of caller or input. Every refusal is an
// OperationOutcome with the status its class deserves, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@ketenlog/auth';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import { rawRequest } from './testing.ts';

const HOSPITAL = '11110003';
const INSURER = '11110004';
const RSO = '11110010';
const PUBLIC_KEY = Buffer.alloc(32, 7).toString('base64');
const KEY_ID = '0123456789abcdef0123456789abcdef';

let region: RunningRegion;
let hospital: RunningNode;
let base: string;

beforeAll(async () => {
  region = await startRegion({
    ...(await demoRegionOnFreePorts({ uras: [HOSPITAL, INSURER, RSO], quorum: 2 })),
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  hospital = region.node(HOSPITAL);
  base = hospital.membership!.organisation.node.baseUrl;
}, 120_000);
afterAll(async () => region?.close());

/** The research routes a person calls, each with a body it would accept. */
const ROUTES: Array<[method: string, path: string, body?: object]> = [
  ['GET', '/analytics/agreements'],
  ['GET', '/analytics/runs'],
  ['POST', '/analytics/keys', { publicKey: PUBLIC_KEY }],
  ['POST', '/analytics/agreement-drafts', { agreement: 'ibd-coach-2026', keyId: KEY_ID }],
  [
    'POST',
    '/analytics/agreement-signatures',
    { envelope: { statement: { kind: 'agreement' }, signatures: [{ keyId: KEY_ID }] } },
  ],
  ['POST', '/analytics/agreements/ibd-coach-2026/runs'],
];
const WRITES = ROUTES.filter(([method]) => method === 'POST');

const cookieOf = async (principal: Principal): Promise<string> => {
  const { id } = await hospital.auth!.sessions.create(principal, Date.now());
  return `ketenlog_session=${id}`;
};
const professional = (organisation: string, role: string): Promise<string> =>
  cookieOf({
    kind: 'professional',
    id: 'pro:eva-mulder',
    method: 'passkey',
    actingAs: { organisation: `ura:${organisation}`, role },
  });

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: object | string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
  const response = await rawRequest(
    base,
    method,
    path,
    text === undefined ? headers : { 'content-type': 'application/json', ...headers },
    text,
  );
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    parsed = { unparsed: response.body };
  }
  return { status: response.status, body: parsed };
}

/** Every route in `routes` answers `status` with an OperationOutcome for these headers. */
async function expectRefused(
  routes: typeof ROUTES,
  headers: Record<string, string>,
  status: number,
  who: string,
): Promise<void> {
  for (const [method, path, body] of routes) {
    const answer = await call(method, path, headers, body);
    const what = `${who}: ${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`;
    expect(answer.status, what).toBe(status);
    expect(answer.body, what).toMatchObject({ resourceType: 'OperationOutcome' });
  }
}

describe('the adversarial suite for the research routes', () => {
  it('refuses anonymous callers and unknown sessions with 401', async () => {
    await expectRefused(ROUTES, {}, 401, 'anonymous');
    await expectRefused(ROUTES, { cookie: 'ketenlog_session=forged' }, 401, 'an unknown session');
    await expectRefused(ROUTES, { authorization: 'Bearer a.b.c' }, 401, 'a stray bearer token');
  });

  it('refuses a professional here whose role may not sign or run with 403', async () => {
    // Any professional here may read the analyst's page; signing and running are the region's roles'.
    const specialist = await professional(HOSPITAL, 'medisch-specialist');
    await expectRefused(WRITES, { cookie: specialist }, 403, 'a medical specialist');
    // An assessor signs agreements but does not run them.
    const assessor = await professional(HOSPITAL, 'privacyfunctionaris');
    await expectRefused(
      WRITES.filter(([, path]) => path.endsWith('/runs')),
      { cookie: assessor },
      403,
      'a privacy officer',
    );
  });

  it("refuses another organisation's professional, and one who chose no organisation, with 403", async () => {
    const insurerAnalyst = await professional(INSURER, 'analist');
    await expectRefused(ROUTES, { cookie: insurerAnalyst }, 403, "the insurer's analyst");
    const undecided = await cookieOf({ kind: 'professional', id: 'pro:eva-mulder', method: 'passkey' });
    await expectRefused(ROUTES, { cookie: undecided }, 403, 'a professional acting for no organisation');
  });

  it('refuses a client and her representative with 403', async () => {
    const client = await cookieOf({ kind: 'client', holder: 'pMaria-0000000000000001', credentialId: 'c' });
    await expectRefused(ROUTES, { cookie: client }, 403, 'a client');
    const representative = await cookieOf({
      kind: 'representative',
      holder: 'sam',
      credentialId: 'c',
      actingFor: { client: 'pMaria-0000000000000001', delegation: 'd-1' },
    });
    await expectRefused(ROUTES, { cookie: representative }, 403, 'a representative');
  });

  it('refuses malformed bodies with 400 and an OperationOutcome that does not quote them', async () => {
    const cookie = await professional(HOSPITAL, 'analist');
    const MALFORMED: Array<[path: string, body: string]> = [
      ['/analytics/keys', '{"publicKey": '],
      ['/analytics/keys', '[]'],
      ['/analytics/keys', '{}'],
      ['/analytics/keys', JSON.stringify({ publicKey: 'not-a-key' })],
      ['/analytics/keys', JSON.stringify({ publicKey: 12 })],
      ['/analytics/agreement-drafts', JSON.stringify({ agreement: 'ibd-coach-2026' })],
      ['/analytics/agreement-drafts', JSON.stringify({ agreement: 'Robert; DROP TABLE', keyId: KEY_ID })],
      ['/analytics/agreement-drafts', JSON.stringify({ agreement: 'x'.repeat(65), keyId: KEY_ID })],
      [
        '/analytics/agreement-drafts',
        JSON.stringify({ agreement: 'ibd-coach-2026', keyId: KEY_ID, validUntil: 'tomorrow' }),
      ],
      ['/analytics/agreement-drafts', JSON.stringify({ agreement: 'ibd-coach-2026', keyId: '../../etc' })],
      ['/analytics/agreement-signatures', JSON.stringify({ envelope: 'signed' })],
      ['/analytics/agreement-signatures', JSON.stringify({ envelope: { statement: { kind: 'consent' } } })],
      ['/analytics/agreement-signatures', JSON.stringify({ envelope: { statement: { kind: 'agreement' } } })],
      ['/analytics/agreement-signatures', JSON.stringify({})],
    ];
    for (const [path, body] of MALFORMED) {
      const answer = await call('POST', path, { cookie }, body);
      const what = `POST ${path} ${body} → ${answer.status} ${JSON.stringify(answer.body)}`;
      expect(answer.status, what).toBe(400);
      expect(answer.body, what).toMatchObject({ resourceType: 'OperationOutcome' });
      expect(JSON.stringify(answer.body), what).not.toContain('DROP TABLE');
    }
    // A field the route does not take is dropped, never obeyed: the key is hers, bound by her node.
    const smuggled = await call(
      'POST',
      '/analytics/keys',
      { cookie },
      { publicKey: Buffer.alloc(32, 9).toString('base64'), holder: 'pro:someone-else', role: 'node' },
    );
    expect(smuggled.status).toBe(201);
    const keyId = smuggled.body.keyId as string;
    await expect
      .poll(() => hospital.logbook!.state.keys.bindings.get(keyId), { timeout: 10_000 })
      .toMatchObject({ holder: 'pro:eva-mulder', role: 'analist', organisation: `ura:${HOSPITAL}` });
  });

  it('refuses hostile ids and paths with 400 or 404, never reaching a run', async () => {
    const cookie = await professional(HOSPITAL, 'analist');
    const HOSTILE: Array<[method: string, target: string, status: number]> = [
      ['POST', '/analytics/agreements/..%2F..%2Fetc%2Fpasswd/runs', 400],
      ['POST', '/analytics/agreements/IBD-COACH-2026/runs', 400],
      ['POST', `/analytics/agreements/${'a'.repeat(300)}/runs`, 400],
      ['POST', '/analytics/agreements/ibd%00coach/runs', 400],
      ['POST', '/analytics/agreements/%27%20OR%201%3D1/runs', 400],
      ['POST', '/analytics/agreements//runs', 400],
      ['POST', '/analytics/agreements/ibd-coach-2026/../../keys', 400],
      ['POST', '/analytics/agreements/ibd-coach-2026/runs/extra', 404],
      ['GET', '/analytics/runs/../../auth/session', 400],
      ['GET', '/analytics/agreements/ibd-coach-2026', 404],
      ['GET', '/analytics/%2e%2e/auth/session', 400],
      ['DELETE', '/analytics/runs', 404],
    ];
    for (const [method, target, status] of HOSTILE) {
      const answer = await call(method, target, { cookie });
      const what = `${method} ${target} → ${answer.status} ${JSON.stringify(answer.body)}`;
      expect(answer.status, what).toBe(status);
      expect(answer.body, what).toMatchObject({ resourceType: 'OperationOutcome' });
    }
    // A well-formed id of no agreement on the logbook is refused before any run starts.
    const unknown = await call('POST', '/analytics/agreements/no-such-agreement/runs', { cookie });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toMatchObject({ resourceType: 'OperationOutcome' });
    expect((await call('GET', '/analytics/runs', { cookie })).body).toEqual({ runs: [] });
  });
});
