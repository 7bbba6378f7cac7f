import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { isValidBsn } from '@ketenlog/fhir';
import { loadFhirModel, startNode, type RunningNode } from './server.ts';
import { startNodeWithSystem } from './access/testing.ts';
import type { NodeConfig } from './config.ts';

const model = loadFhirModel();

function config(database: string, port = 0): NodeConfig {
  return {
    node: 'test',
    organisation: { ura: '00000009', name: 'Testpraktijk', type: 'huisarts' },
    listen: { host: '127.0.0.1', port },
    database,
    fhir: { source: 'local' },
    log: { level: 'fatal' },
    maxBodyBytes: 64 * 1024,
  };
}

const databases = [
  { name: 'sqlite', spec: () => join(mkdtempSync(join(tmpdir(), 'ketenlog-node-')), 'fhir.sqlite') },
  { name: 'postgres', spec: () => process.env.KETENLOG_TEST_PG! },
];

/**
 * Valid test BSNs (999 range, 11-proef) fresh for each run: the PostgreSQL suite shares one
 * database across runs, and one BSN names one person (PatientIdentityRepository).
 */
const bsns = (() => {
  const found = new Set<string>();
  while (found.size < 4) {
    const candidate = `999${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    if (isValidBsn(candidate)) found.add(candidate);
  }
  return [...found];
})();

const patient = (extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsns[0] }],
  name: [{ family: 'Visser', given: ['Fleur'] }],
  gender: 'female',
  birthDate: '1990-04-12',
  ...extra,
});

describe.each(databases)('a node on $name', ({ spec }) => {
  let node: RunningNode;
  let base: string;
  let authorization: string;
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/fhir+json', authorization, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const outcomeOf = async (res: Response): Promise<OperationOutcome> => {
    expect(res.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const body = (await res.json()) as OperationOutcome;
    expect(body.resourceType).toBe('OperationOutcome');
    return body;
  };
  const count = async (): Promise<number> => {
    const res = await send('GET', `/Patient?family=visser&_summary=count`);
    return ((await res.json()) as Bundle).total ?? -1;
  };

  beforeAll(async () => {
    ({ node, authorization } = await startNodeWithSystem(config(spec()), { model }));
    base = node.fhirBase;
  });
  afterAll(async () => node.close());

  it('creates, reads, updates with If-Match and keeps history over HTTP', async () => {
    const created = await send('POST', '/Patient', patient());
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/\/fhir\/Patient\/[\w-]+\/_history\/1$/);
    const p = (await created.json()) as Patient;
    const read = await send('GET', `/Patient/${p.id}`);
    expect(read.headers.get('etag')).toBe('W/"1"');
    const updated = await send('PUT', `/Patient/${p.id}`, { ...p, gender: 'other' }, { 'if-match': 'W/"1"' });
    expect(updated.status).toBe(200);
    const stale = await send('PUT', `/Patient/${p.id}`, { ...p, gender: 'male' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    await outcomeOf(stale);
    const history = (await (await send('GET', `/Patient/${p.id}/_history`)).json()) as Bundle;
    expect(history.entry).toHaveLength(2);
    const v1 = (await (await send('GET', `/Patient/${p.id}/_history/1`)).json()) as Patient;
    expect(v1.gender).toBe('female');
  });

  it('answers the CapabilityStatement with every resource type and its search parameters', async () => {
    const res = await send('GET', '/metadata');
    const cs = await res.json();
    expect(cs.resourceType).toBe('CapabilityStatement');
    const obs = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Observation');
    expect(obs.searchParam.map((p: { name: string }) => p.name)).toContain('code');
    expect(cs.rest[0].resource.length).toBeGreaterThan(140);
  });

  it('refuses malformed JSON, a wrong content type, an unknown type and invalid resources with 4xx, storing nothing', async () => {
    const before = await count();
    const cases: Array<[Response, number, RegExp]> = [
      [await send('POST', '/Patient', '{"resourceType": "Patient",'), 400, /Malformed JSON/],
      [
        await send('POST', '/Patient', 'Patient', { 'content-type': 'text/plain' }),
        415,
        /Unsupported content type/,
      ],
      [
        await send('POST', '/Patient', '<Patient/>', { 'content-type': 'application/fhir+xml' }),
        400,
        /FHIR namespace/,
      ],
      [await send('POST', '/Foo', { resourceType: 'Foo' }), 404, /Unknown resource type "Foo"/],
      [await send('POST', '/Patient', { resourceType: 'Observation' }), 400, /does not match/],
      [await send('POST', '/Patient', patient({ gender: 'vrouw' as 'female' })), 400, /Patient\.gender/],
      [
        await send(
          'POST',
          '/Patient',
          patient({ identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456789' }] }),
        ),
        400,
        /identifier/,
      ],
      [
        await send('POST', '/Patient', patient({ birthDate: 19900412 as unknown as string })),
        400,
        /birthDate/,
      ],
      [await send('POST', '/Patient', { ...patient(), name: [{ family: 'x'.repeat(70_000) }] }), 413, /.+/],
      [await send('GET', '/Patient?nonsense-param=1'), 400, /nonsense-param/],
      [await send('GET', '/Patient/does-not-exist'), 404, /.+/],
      [await send('PUT', '/Patient/abc', { ...patient(), id: 'xyz' }), 400, /does not match the URL id/],
      [await send('GET', '/no/such/route/here'), 404, /No route/],
    ];
    for (const [res, status, diagnostics] of cases) {
      expect(res.status).toBe(status);
      const oo = await outcomeOf(res);
      expect(oo.issue?.[0]?.diagnostics).toMatch(diagnostics);
    }
    expect(await count()).toBe(before);
  });

  it('runs a transaction bundle atomically and $everything returns the patient with her data', async () => {
    const tx: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:0a1b2c3d-0000-4000-8000-000000000001',
          resource: patient({
            identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsns[1] }],
            name: [{ family: 'Visser', given: ['Eva'] }],
          }),
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
            subject: { reference: 'urn:uuid:0a1b2c3d-0000-4000-8000-000000000001' },
            valueQuantity: { value: 70, unit: 'kg' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const res = await send('POST', '/', tx);
    expect(res.status).toBe(200);
    const out = (await res.json()) as Bundle;
    const pid = out.entry![0]!.response!.location!.split('/')[1];
    const all = (await (await send('GET', `/Patient/${pid}/$everything`)).json()) as Bundle;
    expect(all.entry?.map((e) => e.resource?.resourceType).sort()).toEqual(['Observation', 'Patient']);

    const before = await count();
    const failing = structuredClone(tx);
    failing.entry![1]!.request = { method: 'PUT', url: 'Observation/other-id' };
    const bad = await send('POST', '/', failing);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(await count()).toBe(before);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    const root = base.replace(/\/fhir$/, '');
    expect((await fetch(`${root}/healthz`)).status).toBe(200);
    expect((await fetch(`${root}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${root}/metrics`)).text();
    expect(metrics).toMatch(/ketenlog_http_requests_total\{method="GET",route="\/fhir\/:type\/:id"/);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
  });
});

describe('a node whose source of truth is another Ketenlog node (the adapter)', () => {
  let ehr: RunningNode;
  let adapter: RunningNode;
  let adapterAuthorization: string;
  beforeAll(async () => {
    // The existing EHR trusts its internal network (loopback here), as a legacy server would; the
    // adapter node in front of it still asks every caller for a credential.
    ehr = await startNode(
      {
        ...config(join(mkdtempSync(join(tmpdir(), 'ketenlog-ehr-')), 'fhir.sqlite')),
        trustedNetworks: ['127.0.0.0/8'],
      },
      { model },
    );
    ({ node: adapter, authorization: adapterAuthorization } = await startNodeWithSystem(
      {
        ...config(join(mkdtempSync(join(tmpdir(), 'ketenlog-adapter-')), 'state.sqlite')),
        node: 'adapter',
        fhir: { source: 'remote', url: ehr.fhirBase },
      },
      { model },
    ));
  });
  afterAll(async () => {
    await adapter.close();
    await ehr.close();
  });

  it('reads and searches at the existing server, with links on its own base, and copies nothing', async () => {
    const res = await fetch(`${ehr.fhirBase}/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(
        patient({
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsns[2] }],
          name: [{ family: 'Meijer', given: ['Anouk'] }],
        }),
      ),
    });
    expect(res.status).toBe(201);
    const stored = (await res.json()) as Patient;

    const read = await fetch(`${adapter.fhirBase}/Patient/${stored.id}`, {
      headers: { authorization: adapterAuthorization },
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as Patient).name?.[0]?.family).toBe('Meijer');

    const search = await fetch(`${adapter.fhirBase}/Patient?family=meijer`, {
      headers: { authorization: adapterAuthorization },
    });
    const bundle = (await search.json()) as Bundle;
    expect(bundle.total).toBe(1);
    expect(bundle.entry?.[0]?.fullUrl).toBe(`${adapter.fhirBase}/Patient/${stored.id}`);
  });

  it('writes through to the existing server, and its errors come back as OperationOutcome', async () => {
    const created = await fetch(`${adapter.fhirBase}/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: adapterAuthorization },
      body: JSON.stringify(
        patient({
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsns[3] }],
          name: [{ family: 'Smit' }],
        }),
      ),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Patient;
    expect((await fetch(`${ehr.fhirBase}/Patient/${id}`)).status).toBe(200);

    const missing = await fetch(`${adapter.fhirBase}/Patient/no-such-patient`, {
      headers: { authorization: adapterAuthorization },
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
  });
});
