// The adversarial authorisation suite: every kind of identity × every route family × spellings of
// the path, at a region member holding two clients — Maria, who logs in, and Tessa Anders, whom
// nobody in the table may see except the organisation's own staff and systems. It asserts what no
// answer may carry: another person's name or BSN beyond what the caller may see, and a 5xx. The
// consent decisions themselves (node tokens × consent states) are the authorisation matrix's
// (exchange/authorization-matrix.test.ts); here the node token has no consent and sees nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueNodeToken, type Principal } from '@ketenlog/auth';
import { BSN_SYSTEM, isValidBsn } from '@ketenlog/fhir';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import { baseOf, clientRecords, put, startExchangeRegion } from '../exchange/testing.ts';
import { systemAuthorization } from '../region/demo-system.ts';
import { demoPgoAccessToken, enrolAndLogIn } from '../auth/testing.ts';
import { rawRequest } from './testing.ts';
import { MARIA_BSN } from '../demo/population.ts';

const KRAAMZORG = '11110001';
const HOSPITAL = '11110003';
/** A valid test BSN that no demo person has. */
const ANDERS_BSN = Array.from({ length: 2000 }, (_, i) => String(999_930_000 + i)).find(isValidBsn)!;
const MARIA = new RegExp(`Maria|${MARIA_BSN}`);
const ANDERS = new RegExp(`Anders|Tessa|${ANDERS_BSN}`);

let region: RunningRegion;
let kraamzorg: RunningNode;
let base: string;
let mariaHolder: string;
let mariaSession: string;
let appToken: string;

/** What an identity may see at Kraamzorg De Wieg. */
type Sees = 'nothing' | 'maria' | 'everyone';

interface Identity {
  readonly name: string;
  readonly sees: Sees;
  /** Fresh headers for one request (node tokens are used once). */
  headers(): Promise<Record<string, string>>;
}

const session = async (principal: Principal) => {
  const { id } = await kraamzorg.auth!.sessions.create(principal, Date.now());
  return { cookie: `ketenlog_session=${id}` };
};

const IDENTITIES: Identity[] = [
  { name: 'anonymous (loopback)', sees: 'nothing', headers: async () => ({}) },
  { name: 'a stray bearer token', sees: 'nothing', headers: async () => ({ authorization: 'Bearer x' }) },
  { name: 'a JWT-shaped string', sees: 'nothing', headers: async () => ({ authorization: 'Bearer a.b.c' }) },
  {
    name: 'an unsigned JWT (alg none)',
    sees: 'nothing',
    headers: async () => ({
      authorization: `Bearer ${Buffer.from('{"alg":"none","kid":"x"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`,
    }),
  },
  {
    name: 'basic credentials',
    sees: 'nothing',
    headers: async () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }),
  },
  {
    name: 'an unknown session',
    sees: 'nothing',
    headers: async () => ({ cookie: 'ketenlog_session=forged' }),
  },
  {
    name: 'an enrolling session (identity checked, no passkey yet)',
    sees: 'nothing',
    headers: async () => session({ kind: 'enrolling', holder: mariaHolder, role: 'client' }),
  },
  {
    name: 'a representative acting for no one',
    sees: 'nothing',
    headers: async () => session({ kind: 'representative', holder: 'sam', credentialId: 'c' }),
  },
  {
    name: 'a professional who chose no organisation',
    sees: 'nothing',
    headers: async () => session({ kind: 'professional', id: 'pro:x', method: 'passkey' }),
  },
  {
    name: 'a professional acting for another organisation',
    sees: 'nothing',
    headers: async () =>
      session({
        kind: 'professional',
        id: 'pro:x',
        method: 'passkey',
        actingAs: { organisation: `ura:${HOSPITAL}`, role: 'medisch-specialist' },
      }),
  },
  {
    name: 'a node token of another member without her consent',
    sees: 'nothing',
    headers: async () => {
      const { keyId, secretKey } = region.node(HOSPITAL).membership!.statementKey;
      const token = await issueNodeToken(
        { keyId, secretKey },
        { organisation: HOSPITAL, audience: base, role: 'node', purpose: 'treatment' },
      );
      return { authorization: `Bearer ${token}` };
    },
  },
  { name: 'Maria (client session)', sees: 'maria', headers: async () => ({ cookie: mariaSession }) },
  {
    name: "Maria's patient app (SMART token)",
    sees: 'maria',
    headers: async () => ({ authorization: `Bearer ${appToken}` }),
  },
  {
    // Her delegation is not on the logbook (nor one of her consents): the record stays closed.
    name: 'a representative acting for Maria without a delegation on the logbook',
    sees: 'nothing',
    headers: async () =>
      session({
        kind: 'representative',
        holder: 'sam',
        credentialId: 'c',
        actingFor: { client: mariaHolder, delegation: 'd-1' },
      }),
  },
  {
    name: 'a professional of this organisation',
    sees: 'everyone',
    headers: async () =>
      session({
        kind: 'professional',
        id: 'pro:anna-jansen',
        method: 'passkey',
        actingAs: { organisation: `ura:${KRAAMZORG}`, role: 'kraamverzorgende' },
      }),
  },
  {
    name: "the organisation's own system",
    sees: 'everyone',
    headers: async () => ({ authorization: await systemAuthorization(kraamzorg) }),
  },
];

const batch = (type: 'batch' | 'transaction') =>
  JSON.stringify({
    resourceType: 'Bundle',
    type,
    entry: [
      { request: { method: 'GET', url: 'Patient?name=anders' } },
      { request: { method: 'GET', url: 'Patient/anders' } },
    ],
  });

/** Route families × spellings: [method, target, body?]. */
const REQUESTS: Array<[string, string, string?]> = [
  ['GET', '/fhir/Patient/anders'],
  ['GET', '/fhir/Patient/maria'],
  ['GET', '/fhir/Patient'],
  ['GET', '/fhir/Patient?name=anders'],
  ['GET', '/fhir/Patient?identifier=' + encodeURIComponent(`${BSN_SYSTEM}|${ANDERS_BSN}`)],
  ['GET', '/fhir/Patient?_id=anders'],
  ['GET', '/fhir/Observation?patient=anders'],
  ['GET', '/fhir/Observation?subject:Patient.name=anders'],
  ['GET', '/fhir/Observation?_include=Observation:performer'],
  ['GET', '/fhir/Observation?patient=maria&_include=Observation:performer'],
  [
    'GET',
    '/fhir/Observation?patient=maria&_include:iterate=Observation:performer&_include=Observation:has-member',
  ],
  ['GET', '/fhir/Patient?_id=maria&_revinclude=Observation:performer'],
  ['GET', '/fhir/Patient?_revinclude:iterate=Observation:subject'],
  ['GET', '/fhir/Patient?_has:Observation:patient:code=8867-4'],
  ['GET', '/fhir/Observation?_count=1'],
  ['GET', '/fhir/Patient/anders/_history'],
  ['GET', '/fhir/Patient/anders/_history/1'],
  ['GET', '/fhir/Patient/_history'],
  ['GET', '/fhir/_history'],
  ['GET', '/fhir?_type=Patient'],
  ['GET', '/fhir/Patient/anders/$everything'],
  ['GET', '/fhir/Patient/maria/$everything'],
  ['GET', '/fhir/Patient/anders/Observation'],
  ['POST', '/fhir/Patient/_search', 'name=anders'],
  ['POST', '/fhir', batch('batch')],
  ['POST', '/fhir/', batch('transaction')],
  [
    'PUT',
    '/fhir/Patient/anders',
    JSON.stringify({ resourceType: 'Patient', id: 'anders', name: [{ family: 'Overwritten' }] }),
  ],
  ['DELETE', '/fhir/Patient/anders'],
  // Spellings.
  ['GET', '/%66hir/Patient/anders'],
  ['GET', '/fhi%72/Observation?patient=anders'],
  ['GET', '/fhir/Patient/anders/'],
  ['GET', '/FHIR/Patient/anders'],
  ['GET', '/fhir/Patient/anders/%24everything'],
  ['GET', '/fhir/./Patient/anders'],
  ['GET', '/fhir/x/../Patient/anders'],
  ['GET', '/fhir/Patient%2Fanders'],
  ['GET', '/fhir//Patient/anders'],
  ['GET', '/fhir;p=1/Patient/anders'],
  // The other route families.
  ['GET', '/exchange/records'],
  ['GET', '/exchange/export'],
  ['GET', '/exchange/consents'],
  ['GET', '/exchange/access-trail'],
  ['GET', '/exchange/overview?patient=anders'],
  ['GET', '/exchange/consent-status'],
  ['GET', '/exchange/holder/patients?pseudonym=AAAAAAAAAAAAAAAAAAAAAA'],
  ['GET', '/exchange/referrals/inbox'],
  ['POST', '/exchange/index/reconcile'],
  ['POST', '/exchange/people', JSON.stringify({ subjects: ['AAAAAAAAAAAAAAAAAAAAAA'] })],
  ['GET', '/exchange/me'],
  ['GET', '/carelog/indications'],
  ['GET', '/analytics/agreements'],
  ['GET', '/analytics/runs'],
  ['GET', '/auth/session'],
  ['GET', '/logbook/status'],
  ['GET', '/metrics'],
  ['GET', '/mcsd/Organization'],
  ['GET', '/mcsd/_history?_since=2000-01-01T00:00:00Z'],
  ['GET', '/nvi/List?source:identifier=x'],
  ['GET', '/national/addressing/status'],
];

function withoutLinks(body: string): string {
  try {
    const { link: _link, ...rest } = JSON.parse(body) as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return body;
  }
}

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, HOSPITAL], { logLevel: 'fatal' });
  kraamzorg = region.node(KRAAMZORG);
  base = baseOf(kraamzorg);
  for (const resource of [
    ...clientRecords('maria', MARIA_BSN, 'vital-signs', 2),
    {
      resourceType: 'Patient',
      id: 'anders',
      identifier: [{ system: BSN_SYSTEM, value: ANDERS_BSN }],
      name: [{ family: 'Anders', given: ['Tessa'] }],
    },
    ...clientRecords('anders', ANDERS_BSN, 'vital-signs', 2).slice(1),
    // Maria's record pointing at another client: what an include could drag along.
    {
      resourceType: 'Observation',
      id: 'maria-points-elsewhere',
      status: 'final',
      code: { text: 'Kraambezoek' },
      subject: { reference: 'Patient/maria' },
      performer: [{ reference: 'Patient/anders' }],
      hasMember: [{ reference: 'Observation/anders-vital-signs-0' }],
    },
  ])
    await put(kraamzorg, resource as { resourceType: string; id: string });
  const maria = await enrolAndLogIn(base);
  mariaHolder = maria.holder;
  mariaSession = maria.session;
  appToken = await demoPgoAccessToken(base, mariaSession);
}, 120_000);
afterAll(async () => region?.close());

describe('the adversarial authorisation suite: no identity sees more than it may, on any route, in any spelling', () => {
  for (const identity of IDENTITIES)
    it(`${identity.name}`, async () => {
      for (const [method, target, body] of REQUESTS) {
        // The organisation's own staff may change records; the others' attempts are what is tested.
        if (identity.sees === 'everyone' && (method === 'PUT' || method === 'DELETE')) continue;
        const headers = await identity.headers();
        if (body)
          headers['content-type'] = body.startsWith('{')
            ? 'application/fhir+json'
            : 'application/x-www-form-urlencoded';
        const response = await rawRequest(base, method, target, headers, body);
        const what = `${identity.name}: ${method} ${target} → ${response.status}`;
        expect(response.status, what).toBeLessThan(500);
        // A search Bundle's links echo the caller's own query (a name or BSN she typed herself).
        const disclosed = withoutLinks(response.body);
        if (identity.sees !== 'everyone') expect(disclosed, what).not.toMatch(ANDERS);
        if (identity.sees === 'nothing') expect(disclosed, what).not.toMatch(MARIA);
        if (response.status >= 400) {
          expect(response.body, what).not.toMatch(ANDERS);
          expect(response.body, what).not.toMatch(MARIA);
          if (target.includes('fhir') || target.startsWith('/exchange'))
            expect(JSON.parse(response.body), what).toMatchObject({ resourceType: 'OperationOutcome' });
        }
      }
    }, 60_000);

  it('nothing any of them tried changed or removed a stored record', async () => {
    const response = await rawRequest(base, 'GET', '/fhir/Patient/anders', {
      authorization: await systemAuthorization(kraamzorg),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ name: [{ family: 'Anders' }] });
  });
});
