// The fuzz test's inputs (fuzz.test.ts): deterministic from a seed — a small PRNG for test data,
// not for anything secret — over every route family of a member node: JSON bodies (shaped, garbled,
// huge, deeply nested, of the wrong type or content type), FHIR paths (odd percent-encodings, dot
// segments, `;` parameters, case variants, trailing slashes), search parameters (chains, includes,
// modifiers, long lists), batch and transaction Bundles, bearer tokens (bogus JWTs, real node
// tokens with odd claims), cookies and headers. Test data only: the PRNG is for replay, not secrets.
import { KIND_INDEX } from '@ketenlog/logbook';

/** The region's seeded PRNG (mulberry32): the same seed, the same inputs. */
export { seededRandom as prng } from '@ketenlog/region/testing';

export interface FuzzInput {
  readonly method: string;
  /** As sent on the request line: not normalised. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface FuzzContext {
  /** Ids that exist at the node (so some requests get past "not found"). */
  readonly patients: readonly string[];
  readonly pseudonym: string;
  /** Session cookies of real logins (client, professional). */
  readonly cookies: readonly string[];
  /** A real node token from the node's own key, with claims overridden. */
  readonly nodeToken: (over: Record<string, unknown>) => Promise<string>;
  /** Another member's base URL (a token for the wrong audience). */
  readonly otherAudience: string;
}

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const int = (random: Random, max: number) => Math.floor(random() * max);

/** The JSON routes of a member node (POST/PUT), with a body of roughly the right shape. */
const JSON_ROUTES: readonly (readonly [string, string, () => unknown])[] = [
  ['POST', '/logbook/statements', () => ({ statement: { kind: KIND_INDEX }, signatures: [] })],
  ['POST', '/logbook/statements?wait=100', () => ({})],
  ['POST', '/logbook/notify', () => ({})],
  ['POST', '/witness/add-checkpoint', () => 'old 0\n\n'],
  ['POST', '/auth/demo-digid', () => ({ bsn: '999911120' })],
  ['POST', '/auth/delegations', () => ({ representative: 'x', scope: ['read'] })],
  ['POST', '/auth/delegations/invites', () => ({ name: 'x' })],
  ['POST', '/auth/delegations/invites/accept', () => ({ code: 'x' })],
  ['POST', '/auth/passkeys/registration/options', () => ({})],
  ['POST', '/auth/passkeys/registration/verify', () => ({ id: 'x', response: {} })],
  ['POST', '/auth/passkeys/authentication/options', () => ({})],
  ['POST', '/auth/passkeys/authentication/verify', () => ({ id: 'x', response: {} })],
  ['POST', '/auth/passkeys/statements/options', () => ({ drafts: [] })],
  ['POST', '/auth/passkeys/statements/sign', () => ({ assertion: {} })],
  ['POST', '/auth/professionals/login', () => ({ id: 'pro:karin-dewit', password: 'x', totp: '000000' })],
  ['POST', '/auth/professionals/passkeys/registration/options', () => ({})],
  ['POST', '/auth/professionals/passkeys/registration/verify', () => ({})],
  ['POST', '/auth/professionals/acting-as', () => ({ organisation: '11110001' })],
  ['POST', '/auth/logout', () => ({})],
  ['POST', '/auth/acting-for', () => ({ client: 'x' })],
  ['POST', '/analytics/runs', () => ({ agreement: 'x' })],
  ['POST', '/analytics/v1/peer-runs/prepare', () => ({ run: 'x' })],
  ['POST', '/analytics/v1/peer-runs/start', () => ({ run: 'x' })],
  ['POST', '/analytics/v1/peer-runs/cosign', () => ({ run: 'x' })],
  ['POST', '/mpc/v1/message', () => ({ run: 'x', from: 'a', to: 'b', payload: '' })],
  [
    'POST',
    '/carelog/indications',
    () => ({
      indication: 'ind-1',
      subject: 'pMaria-0000000000000001',
      birthDate: '2026-01-01',
      carePackage: 'basis',
      days: 8,
      carers: ['pro:anna-jansen'],
    }),
  ],
  ['POST', '/carelog/indications/ind-1/reindications', () => ({ hours: 3, reason: 'overig' })],
  ['POST', '/carelog/indications/ind-1/entry-drafts', () => ({ date: '2026-01-02', start: '08:00' })],
  ['POST', '/carelog/entries', () => ({ envelope: {} })],
  ['POST', '/carelog/approval-drafts', () => ({ entry: 'x', signerKeyId: 'k', decision: 'approved' })],
  ['POST', '/carelog/approvals', () => ({ envelope: {} })],
  ['POST', '/carelog/carers/pro:anna-jansen/keys', () => ({ publicKey: 'x' })],
  ['POST', '/carelog/insurers/11110004/declarations', () => ({ entries: ['x'] })],
  ['PUT', '/carelog/insurers/11110004/declarations/d1/payment-status', () => ({ status: 'paid' })],
  ['POST', '/exchange/holder/erasure?pseudonym=pMaria-0000000000000001', () => ({})],
  ['POST', '/exchange/consent-drafts', () => ({ decision: 'grant', actor: { type: 'ziekenhuis' } })],
  ['POST', '/exchange/assisted-consents', () => ({ patient: 'maria-kz', decision: 'grant' })],
  ['POST', '/exchange/referrals', () => ({ patient: 'maria-kz', to: '11110003', reason: 'x' })],
  ['POST', '/exchange/referrals/notify', () => ({ id: 'x' })],
  ['POST', '/exchange/referrals/inbox/0/retry', () => ({})],
  ['POST', '/exchange/erasure', () => ({ confirm: 'nee' })],
  ['POST', '/exchange/index/reconcile', () => ({})],
  ['POST', '/fhir/Patient', () => ({ resourceType: 'Patient', name: [{ family: 'x' }] })],
  ['POST', '/fhir/Observation/_search', () => 'code=8867-4'],
  ['PUT', '/fhir/Patient/fuzz-1', () => ({ resourceType: 'Patient', id: 'fuzz-1' })],
  ['POST', '/fhir', () => ({ resourceType: 'Bundle', type: 'batch', entry: [] })],
  ['POST', '/oidc/token', () => 'grant_type=client_credentials'],
  ['POST', '/oidc/reg', () => ({ redirect_uris: ['https://x'] })],
];

/** GET routes (their query strings fuzzed). */
const GET_ROUTES: readonly string[] = [
  '/healthz',
  '/readyz',
  '/metrics',
  '/logbook/status',
  '/logbook/receipts/0',
  '/logbook/receipts/-1',
  '/logbook/receipts/99999999999999999999',
  '/logs/statements/checkpoint',
  '/logs/statements/tile/0/000',
  '/logs/statements/tile/entries/000',
  '/witness/evidence',
  '/auth/session',
  '/auth/delegations',
  '/auth/delegations/invites',
  '/auth/passkeys',
  '/auth/passkeys/enrol',
  '/auth/passkeys/enrol/callback',
  '/auth/demo-digid',
  '/analytics/runs',
  '/analytics/agreements',
  '/.well-known/openid-configuration',
  '/oidc/jwks',
  '/oidc/auth',
  '/oidc/interaction/x',
  '/fhir/metadata',
  '/fhir/.well-known/smart-configuration',
  '/carelog/indications',
  '/carelog/indications/ind-1',
  '/carelog/indications/ind-1/budget',
  '/carelog/indications/ind-1/entries.csv',
  '/carelog/indications/ind-1/fhir',
  '/carelog/insurers/11110004/entries',
  '/carelog/insurers/11110004/entries/fhir',
  '/carelog/insurers/11110004/declarations',
  '/carelog/insurers/11110004/declarations.csv',
  '/carelog/insurers/11110004/declarations/d1/fhir',
  '/carelog/carers/pro:anna-jansen',
  '/carelog/carers/pro:anna-jansen/entries.csv',
  '/exchange/holder/patients',
  '/exchange/holder/export',
  '/exchange/holder/break-the-glass/00',
  '/exchange/overview',
  '/exchange/consents',
  '/exchange/consent-preview',
  '/exchange/consent-status',
  '/exchange/access-trail',
  '/exchange/records',
  '/exchange/referrals/inbox',
  '/exchange/export',
  '/portal/api/region-keys',
  '/apps/pgo/launch',
];

const TYPES = [
  'Patient',
  'Observation',
  'Condition',
  'Encounter',
  'MedicationStatement',
  'AllergyIntolerance',
  'Consent',
  'AuditEvent',
  'ServiceRequest',
  'Bundle',
  'Practitioner',
  'patient',
  'PATIENT',
  'Nonsense',
  '',
  '_history',
  'metadata',
  '$everything',
  '%50atient',
  'Pat%69ent',
];

const SEARCH_PARAMS = [
  'patient',
  'subject',
  'beneficiary',
  '_id',
  'code',
  'category',
  'date',
  'status',
  'identifier',
  'name',
  'family',
  'birthdate',
  '_count',
  '_offset',
  '_sort',
  '_summary',
  '_elements',
  '_include',
  '_revinclude',
  '_include:iterate',
  '_revinclude:iterate',
  '_has:Observation:patient:code',
  '_has:Observation:subject:_has:Condition:subject:code',
  'subject:Patient.identifier',
  'subject:Patient.name',
  'patient.identifier',
  'code:text',
  'code:not',
  'code:in',
  'code:below',
  'name:exact',
  'name:contains',
  'name:missing',
  'date:missing',
  '_lastUpdated',
  '_type',
  '_content',
  '_text',
  '_filter',
  '_query',
  '_format',
  '_pretty',
  'value-quantity',
  'component-code-value-quantity',
  'general-practitioner',
  'organization',
  '_tag',
  '_security',
  '_profile',
  '_source',
  'x',
  '',
];

const SEARCH_VALUES = [
  'maria-kz',
  'Patient/maria-kz',
  'Patient/someone-else',
  'maria-kz,someone-else',
  'http://loinc.org|8867-4',
  '8867-4',
  '|8867-4',
  'http://fhir.nl/fhir/NamingSystem/bsn|999911120',
  'ge2026-01-01',
  'lt2026-13-45',
  'eq2026',
  'sa2026-01-01T00:00:00Z',
  'ap',
  '2026-02-30',
  '-1',
  '0',
  '1',
  '9999999999999999999999',
  '1e400',
  'NaN',
  'true',
  'count',
  'data',
  'Observation:subject',
  'Observation:patient:Patient',
  '*',
  'Patient:*',
  'Observation:subject:Nonsense',
  '_lastUpdated,-_id',
  '-date',
  'name,-birthdate,_id',
  'id,meta,subject',
  'le1.5|http://unitsofmeasure.org|mg',
  'de Vries',
  "O'Brien",
  '"; DROP TABLE resources; --',
  '%',
  '%%',
  '%zz',
  '%00',
  '%C0%AF',
  '%E2%80%AE',
  '\u0000',
  '\u202e',
  '😀',
  '..',
  '../../etc/passwd',
  '',
];

/** Percent-encodes characters of a path segment in the odd ways guards have tripped on. */
function oddlyEncoded(random: Random, segment: string): string {
  return [...segment]
    .map((c) => {
      const r = random();
      if (r < 0.12) return `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
      if (r < 0.15) return `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
      if (r < 0.17) return `%25${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
      if (r < 0.19) return c.toUpperCase();
      return c;
    })
    .join('');
}

const PATH_TRICKS = [
  (p: string) => p,
  (p: string) => `${p}/`,
  (p: string) => `${p}//`,
  (p: string) => p.replace('/fhir', '/fhir/.'),
  (p: string) => p.replace('/fhir', '/x/../fhir'),
  (p: string) => p.replace('/fhir', '/fhir/./'),
  (p: string) => p.replace('/fhir', '//fhir'),
  (p: string) => p.replace('/fhir', '/fhir;x=1'),
  (p: string) => p.replace('/fhir', '/FHIR'),
  (p: string) => p.replace('/fhir', '/%66hir'),
  (p: string) => p.replace('/fhir', '/fhi%72'),
  (p: string) => p.replace('/fhir', '/%2566hir'),
  (p: string) => p.replace('/fhir/', '/fhir%2F'),
  (p: string) => p.replace('/fhir/', '/fhir%2f'),
  (p: string) => p.replace('/fhir/', '/fhir\\'),
  (p: string) => p.replace('/fhir/', '/fhir/%2e%2e/fhir/'),
  (p: string) => p.replace('/fhir/', '/fhir/%2E/'),
  (p: string) => `${p}%00`,
  (p: string) => `${p}#frag`,
  (p: string) => `${p};jsessionid=1`,
];

function queryString(random: Random, long: boolean): string {
  const count = long ? 50 + int(random, 400) : int(random, 6);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = pick(random, SEARCH_PARAMS);
    const value = random() < 0.1 ? 'x'.repeat(int(random, 5000)) : pick(random, SEARCH_VALUES);
    const r = random();
    const encode = (s: string) =>
      r < 0.6 ? encodeURIComponent(s) : r < 0.8 ? s.replace(/ /g, '+') : oddlyEncoded(random, s);
    parts.push(random() < 0.05 ? encode(name) : `${encode(name)}=${encode(value)}`);
  }
  return parts.length ? `?${parts.join(random() < 0.05 ? ';' : '&')}` : random() < 0.1 ? '?' : '';
}

function fhirPath(random: Random, context: FuzzContext): string {
  const type = pick(random, TYPES);
  const id = random() < 0.6 ? pick(random, context.patients) : pick(random, SEARCH_VALUES);
  const shapes = [
    () => `/fhir/${type}`,
    () => `/fhir/${type}/${oddlyEncoded(random, id)}`,
    () => `/fhir/${type}/${id}/_history`,
    () => `/fhir/${type}/${id}/_history/${pick(random, ['1', '0', '-1', 'x', '99999999999'])}`,
    () => `/fhir/${type}/_history`,
    () => `/fhir/Patient/${id}/$everything`,
    () => `/fhir/Patient/${id}/%24everything`,
    () => `/fhir/Patient/${id}/${pick(random, ['$export', '$meta', '$validate', 'Observation', '$x'])}`,
    () => `/fhir/${type}/${id}/${type}/${id}`,
    () => '/fhir',
    () => '/fhir/',
    () => '/fhir/_history',
    () => '/fhir/metadata',
  ];
  const path = pick(random, PATH_TRICKS)(pick(random, shapes)());
  return `${path}${queryString(random, random() < 0.03)}`;
}

// ---- bodies ----

function randomJson(random: Random, depth = 0): unknown {
  const r = random();
  if (depth > 4 || r < 0.3)
    return pick(random, [
      null,
      true,
      false,
      0,
      -1,
      1.5e308,
      Number.MAX_SAFE_INTEGER + 2,
      '',
      'x',
      '2026-01-01',
      '__proto__',
      'constructor',
      'x'.repeat(int(random, 2000)),
      pick(random, SEARCH_VALUES),
    ]);
  if (r < 0.55) return Array.from({ length: int(random, 5) }, () => randomJson(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = int(random, 6); i > 0; i--)
    object[
      pick(random, [
        'resourceType',
        'id',
        'entry',
        'envelope',
        'statement',
        'body',
        'confirm',
        'patient',
        'subject',
        'decision',
        'status',
        'entries',
        'indication',
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        '',
      ])
    ] = randomJson(random, depth + 1);
  return object;
}

/** A body near the route's shape with one field or the whole replaced by something odd. */
function mutated(random: Random, shape: unknown): unknown {
  if (random() < 0.3 || shape === null || typeof shape !== 'object') return randomJson(random);
  const copy = { ...(shape as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const key = keys.length && random() < 0.8 ? pick(random, keys) : 'extra';
  if (random() < 0.2) delete copy[key];
  else copy[key] = randomJson(random);
  return copy;
}

function bundle(random: Random, context: FuzzContext): unknown {
  const entries = Array.from({ length: random() < 0.05 ? 200 + int(random, 800) : int(random, 6) }, () => {
    const method = pick(random, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'x', '']);
    const type = pick(random, TYPES);
    return {
      ...(random() < 0.5
        ? { fullUrl: pick(random, ['urn:uuid:1', 'urn:uuid:x', 'http://x/Patient/1', 'x']) }
        : {}),
      request: {
        method,
        url: pick(random, [
          `${type}`,
          `${type}/${pick(random, context.patients)}`,
          `${type}?${queryString(random, false).slice(1)}`,
          `Patient/${pick(random, context.patients)}/$everything`,
          `../${type}`,
          `/fhir/${type}`,
          'http://evil.example/fhir/Patient',
          '',
          '%2e%2e/Patient',
        ]),
        ...(random() < 0.2 ? { ifMatch: 'W/"1"', ifNoneExist: 'identifier=x' } : {}),
      },
      ...(random() < 0.7
        ? {
            resource:
              random() < 0.7
                ? {
                    resourceType: type,
                    id: random() < 0.5 ? 'fuzz-1' : undefined,
                    ...((randomJson(random) as object) ?? {}),
                  }
                : randomJson(random),
          }
        : {}),
    };
  });
  return {
    resourceType: 'Bundle',
    type: pick(random, ['batch', 'transaction', 'collection', 'searchset', 'history', 'x']),
    ...(random() < 0.9 ? { entry: entries } : { entry: randomJson(random) }),
  };
}

function garbled(random: Random, text: string): string {
  const r = random();
  if (r < 0.2) return text.slice(0, int(random, text.length + 1));
  if (r < 0.35) return text.replace(/[{}[\]",:]/, pick(random, ['', '}', '"', '\\', ',', '\u0000']));
  if (r < 0.45) return `\uFEFF${text}`;
  if (r < 0.55) return `${text}${text}`;
  if (r < 0.62) return '['.repeat(5000 + int(random, 50000)) + ']'.repeat(int(random, 10));
  if (r < 0.68) return `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`;
  if (r < 0.72) return `{"x":"${'\\u00'.repeat(100)}"}`;
  if (r < 0.76) return `{"x": 1e999999, "y": -0, "z": 0.${'1'.repeat(400)}}`;
  if (r < 0.8) return '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}';
  if (r < 0.85) return pick(random, ['null', 'true', '0', '""', '[]', '{}', '"x"', 'undefined', 'NaN']);
  if (r < 0.9) return '';
  return Buffer.from(Array.from({ length: int(random, 600) }, () => int(random, 256))).toString('latin1');
}

const CONTENT_TYPES = [
  'application/json',
  'application/fhir+json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=bogus',
  'application/json;;;',
  'APPLICATION/JSON',
  'application/fhir+xml',
  'application/xml',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jose',
  'application/*',
  '*/*',
  'json',
  '',
];

// ---- tokens and headers ----

const b64url = (value: string) => Buffer.from(value).toString('base64url');

async function bearer(random: Random, context: FuzzContext): Promise<string> {
  const r = random();
  const header = b64url(
    JSON.stringify(pick(random, [{ alg: 'none' }, { alg: 'EdDSA', kid: 'x' }, { alg: 'HS256' }, {}])),
  );
  if (r < 0.15) return `Bearer ${header}.${b64url(JSON.stringify(randomJson(random)))}.`;
  if (r < 0.25) return `Bearer ${pick(random, ['a.b.c', 'x', '', '..', 'a..b', 'a.b.c.d.e', '%00', 'null'])}`;
  if (r < 0.3) return `Bearer ${'A'.repeat(int(random, 6000))}.${'B'.repeat(100)}.${'C'.repeat(100)}`;
  if (r < 0.35)
    return pick(random, [
      'Basic eDp5',
      'bearer x.y.z',
      'Bearer',
      'Bearer  x.y.z',
      'Token x',
      'Bearer x.y.z, Bearer a.b.c',
    ]);
  if (r < 0.6)
    return `Bearer ${await context.nodeToken(
      pick(random, [
        {},
        { role: 'medisch-specialist', professional: 'pro:carla-bakker' },
        { role: 'client', professional: context.pseudonym, purpose: 'export' },
        { role: 'client', professional: context.pseudonym, purpose: 'erasure' },
        { purpose: 'nonsense' },
        { breakTheGlass: 'x'.repeat(int(random, 400)) },
        { audience: context.otherAudience },
        { organisation: '99999999' },
        { role: '' },
      ]),
    )}`;
  const token = await context.nodeToken({});
  const [h, p, s] = token.split('.');
  // A real token with one part tampered with.
  return `Bearer ${pick(random, [`${h}.${p}.${s!.slice(0, -2)}AA`, `${h}.${p}x.${s}`, `${h}.${b64url('{"iat":1e308}')}.${s}`, `${p}.${h}.${s}`])}`;
}

async function headers(
  random: Random,
  context: FuzzContext,
  withBody: boolean,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (random() < 0.5) out.authorization = await bearer(random, context);
  if (random() < 0.3)
    out.cookie =
      random() < 0.6
        ? pick(random, context.cookies)
        : pick(random, [
            'ketenlog_session=x',
            'ketenlog_session=',
            '=;=;',
            `ketenlog_session=${'a'.repeat(5000)}`,
            'a=b; a=c',
          ]);
  if (random() < 0.2)
    out.accept = pick(random, [
      'application/fhir+xml',
      'text/html',
      '*/*;q=x',
      'application/json',
      'image/png',
      '',
    ]);
  if (random() < 0.1)
    out['x-ketenlog-categories'] = pick(random, ['medication', 'gossip', ',,,', 'x'.repeat(3000), '']);
  if (random() < 0.1)
    out['x-forwarded-for'] = pick(random, ['127.0.0.1', '10.0.0.1', '::1', 'x', '1.2.3.4, 127.0.0.1']);
  if (random() < 0.05) out['x-forwarded-host'] = 'evil.example';
  if (random() < 0.05) out.origin = pick(random, ['https://evil.example', 'null', '']);
  if (random() < 0.05) out['if-none-match'] = pick(random, ['W/"1"', '*', 'x']);
  if (random() < 0.05) out['accept-encoding'] = pick(random, ['gzip', 'br', 'x', 'identity;q=0']);
  if (withBody) out['content-type'] = pick(random, CONTENT_TYPES);
  return out;
}

/**
 * A request-target as HTTP lets it be written: what is not a visible ASCII character (a space, a
 * control character, UTF-8) percent-encoded, everything else — odd encodings included — as is.
 */
const sendable = (path: string): string => path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

/** One fuzz input. */
export async function fuzzInput(random: Random, context: FuzzContext): Promise<FuzzInput> {
  const input = await anyInput(random, context);
  return { ...input, path: sendable(input.path) };
}

async function anyInput(random: Random, context: FuzzContext): Promise<FuzzInput> {
  const kind = random();
  if (kind < 0.35) {
    // A JSON route with a body near its shape, garbled, or of the wrong type.
    const [method, path, shape] = pick(random, JSON_ROUTES);
    const text = JSON.stringify(mutated(random, shape())) ?? 'null';
    const body = random() < 0.4 ? garbled(random, text) : text;
    const withType = await headers(random, context, true);
    if (random() < 0.7) withType['content-type'] = pick(random, CONTENT_TYPES.slice(0, 7));
    return {
      method,
      path: random() < 0.15 ? pick(random, PATH_TRICKS)(path) : path,
      headers: withType,
      body,
    };
  }
  if (kind < 0.45) {
    // A batch or transaction Bundle at the FHIR base.
    const text = JSON.stringify(bundle(random, context));
    return {
      method: 'POST',
      path: pick(random, PATH_TRICKS)('/fhir'),
      headers: { ...(await headers(random, context, true)), 'content-type': 'application/fhir+json' },
      body: random() < 0.2 ? garbled(random, text) : text,
    };
  }
  if (kind < 0.8) {
    // FHIR reads, searches, history, operations.
    const method = pick(random, [
      'GET',
      'GET',
      'GET',
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'PATCH',
      'OPTIONS',
    ]);
    const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const body = withBody
      ? random() < 0.5
        ? JSON.stringify({ resourceType: pick(random, TYPES), ...((randomJson(random) as object) ?? {}) })
        : garbled(random, '{"resourceType":"Patient"}')
      : undefined;
    return {
      method,
      path: fhirPath(random, context),
      headers: await headers(random, context, withBody),
      ...(body !== undefined ? { body } : {}),
    };
  }
  // The other GET routes, with fuzzed query strings and path spellings.
  const path = pick(random, GET_ROUTES);
  const spelled = random() < 0.3 ? `/${oddlyEncoded(random, path.slice(1))}` : path;
  const query =
    random() < 0.7
      ? queryString(random, random() < 0.02)
      : `?pseudonym=${encodeURIComponent(pick(random, [context.pseudonym, 'x', '', context.patients[0]!]))}&patient=${encodeURIComponent(pick(random, SEARCH_VALUES))}&breakTheGlass=${encodeURIComponent(pick(random, SEARCH_VALUES))}`;
  return {
    method: random() < 0.9 ? 'GET' : 'HEAD',
    path: `${spelled}${query}`,
    headers: await headers(random, context, false),
  };
}
