import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProblemError } from '../outcome.ts';
import { fixtureSearchIndex } from '../repository/search-index.fixture.ts';
import { SqlFhirRepository } from '../repository/sql-repository.ts';
import { resolveReferences } from './references.ts';

const BASE = 'http://127.0.0.1:8080/fhir';
const PATIENT_URN = 'urn:uuid:8f0c4c57-8a4b-4d6c-9f0a-3b1d2e4f5a60';

const patient: Patient = {
  resourceType: 'Patient',
  identifier: [{ system: 'urn:example:mrn', value: 'A' }],
  generalPractitioner: [{ reference: 'Practitioner/gp-1' }],
};
const observation = (subject: string): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'weight' },
  subject: { reference: subject },
  hasMember: [{ reference: subject }],
});

async function count(db: Db, table: string): Promise<number> {
  return Number((await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
}

describe.each(testDatabases())('bundles on $name', ({ open }) => {
  let db: Db;
  let repo: SqlFhirRepository;
  beforeEach(async () => {
    db = await open();
    repo = await SqlFhirRepository.open(db, fixtureSearchIndex());
  });
  afterEach(async () => db.close());

  it('writes a large transaction in multi-row statements and a second one replaces versions and index rows', async () => {
    const N = 650;
    const put = (i: number, value: string): NonNullable<Bundle['entry']>[number] => ({
      resource: {
        resourceType: 'Patient',
        id: `bulk-${i}`,
        identifier: [{ system: 'urn:example:mrn', value }],
      },
      request: { method: 'PUT', url: `Patient/bulk-${i}` },
    });
    const first: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: Array.from({ length: N }, (_, i) => put(i, `old-${i}`)),
    };
    const created = await repo.processBundle(first, BASE);
    expect(created.entry?.every((e) => e.response?.status === '201 Created')).toBe(true);

    const second: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        ...Array.from({ length: N - 1 }, (_, i) => put(i, `new-${i}`)),
        { request: { method: 'DELETE', url: `Patient/bulk-${N - 1}` } },
      ],
    };
    const updated = await repo.processBundle(second, BASE);
    expect(updated.entry?.[0]?.response?.etag).toBe('W/"2"');
    expect(await count(db, 'resources')).toBe(N);
    expect(await count(db, 'resource_versions')).toBe(2 * N);
    expect((await repo.read<Patient>('Patient', 'bulk-7')).identifier?.[0]?.value).toBe('new-7');
    const search = async (value: string) =>
      (await repo.search({ resourceType: 'Patient', params: [['identifier', value]], baseUrl: BASE })).entry
        ?.length ?? 0;
    expect(await search('old-7')).toBe(0);
    expect(await search('new-7')).toBe(1);
    expect(await search(`old-${N - 1}`)).toBe(0);
    await expect(repo.read('Patient', `bulk-${N - 1}`)).rejects.toThrow(/deleted/);
  });

  it('commits a transaction and resolves urn:uuid references to the assigned ids', async () => {
    await repo.update({ resourceType: 'Patient', id: 'old' });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        // The observation comes first and refers to the patient created later in the bundle.
        {
          fullUrl: 'urn:uuid:obs',
          resource: observation(PATIENT_URN),
          request: { method: 'POST', url: 'Observation' },
        },
        { fullUrl: PATIENT_URN, resource: patient, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'DELETE', url: 'Patient/old' } },
        {
          resource: { resourceType: 'Patient', id: 'p2', active: true },
          request: { method: 'PUT', url: 'Patient/p2' },
        },
        { request: { method: 'GET', url: 'Patient/p2' } },
      ],
    };
    const response = await repo.processBundle(bundle, BASE);
    expect(response.type).toBe('transaction-response');
    expect(response.entry?.map((e) => e.response?.status)).toEqual([
      '201 Created',
      '201 Created',
      '204 No Content',
      '201 Created',
      '200 OK',
    ]);
    const patientId = response.entry?.[1]?.resource?.id;
    const stored = await repo.read<Observation>('Observation', response.entry?.[0]?.resource?.id as string);
    expect(stored.subject?.reference).toBe(`Patient/${patientId}`);
    expect(stored.hasMember?.[0]?.reference).toBe(`Patient/${patientId}`);
    expect(response.entry?.[0]?.response?.location).toMatch(/^Observation\/[0-9a-f-]{36}\/_history\/1$/);
    expect((await repo.read<Patient>('Patient', 'p2')).active).toBe(true);
    expect(await repo.everything(patientId as string, BASE)).toMatchObject({ total: 2 });
    await expect(repo.read('Patient', 'old')).rejects.toMatchObject({ status: 410 });
  });

  it('rolls a failing transaction back completely and names the failing entry', async () => {
    const { resource: existing } = await repo.create<Patient>({ resourceType: 'Patient', active: false });
    const { resource: doomed } = await repo.create<Patient>({ resourceType: 'Patient', active: false });
    const before = {
      resources: await count(db, 'resources'),
      versions: await count(db, 'resource_versions'),
      tokens: await count(db, 'sp_token'),
    };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: PATIENT_URN, resource: patient, request: { method: 'POST', url: 'Patient' } },
        { resource: observation(PATIENT_URN), request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'DELETE', url: `Patient/${doomed.id}` } },
        {
          resource: { ...existing, active: true },
          request: { method: 'PUT', url: `Patient/${existing.id}`, ifMatch: 'W/"7"' },
        },
      ],
    };
    const error = await repo.processBundle(bundle, BASE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).status).toBe(412);
    expect((error as ProblemError).outcome.issue?.[0]?.diagnostics).toMatch(/^Bundle\.entry\[3\]/);
    expect({
      resources: await count(db, 'resources'),
      versions: await count(db, 'resource_versions'),
      tokens: await count(db, 'sp_token'),
    }).toEqual(before);
    expect((await repo.read<Patient>('Patient', existing.id as string)).active).toBe(false);
    expect((await repo.read<Patient>('Patient', doomed.id as string)).active).toBe(false);
  });

  it('reuses a matching resource for a conditional create inside a transaction', async () => {
    const { resource: existing } = await repo.create(patient);
    const response = await repo.processBundle(
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: PATIENT_URN,
            resource: patient,
            request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:example:mrn|A' },
          },
          { resource: observation(PATIENT_URN), request: { method: 'POST', url: 'Observation' } },
        ],
      },
      BASE,
    );
    expect(response.entry?.[0]?.response?.status).toBe('200 OK');
    expect(response.entry?.[0]?.resource?.id).toBe(existing.id);
    expect((response.entry?.[1]?.resource as Observation).subject?.reference).toBe(`Patient/${existing.id}`);
    expect(await count(db, 'resources')).toBe(2);
  });

  it('rejects a transaction that touches the same resource twice, writing nothing', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', id: 'x' }, request: { method: 'PUT', url: 'Patient/x' } },
        { request: { method: 'DELETE', url: 'Patient/x' } },
      ],
    };
    await expect(repo.processBundle(bundle, BASE)).rejects.toMatchObject({ status: 400 });
    expect(await count(db, 'resources')).toBe(0);
  });

  it('processes batch entries independently and reports a bad entry as an OperationOutcome', async () => {
    const response = await repo.processBundle(
      {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: patient, request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Patient/does-not-exist' } },
          {
            resource: { resourceType: 'Patient', id: 'bad id' },
            request: { method: 'PUT', url: 'Patient/bad id' },
          },
          { request: { method: 'PATCH' as never, url: 'Patient/x' } },
          {
            resource: { resourceType: 'Patient', id: 'b1' },
            request: { method: 'PUT', url: `${BASE}/Patient/b1` },
          },
          { request: { method: 'GET', url: 'Patient?identifier=A' } },
        ],
      },
      BASE,
    );
    expect(response.type).toBe('batch-response');
    expect(response.entry?.map((e) => e.response?.status)).toEqual([
      '201 Created',
      '404',
      '400',
      '400',
      '201 Created',
      '200 OK',
    ]);
    expect(response.entry?.[1]?.response?.outcome?.resourceType).toBe('OperationOutcome');
    expect((response.entry?.[5]?.resource as Bundle).entry).toHaveLength(1);
    expect(await count(db, 'resources')).toBe(2);
  });

  it('rejects a bundle that is neither batch nor transaction with 400', async () => {
    await expect(
      repo.processBundle({ resourceType: 'Bundle', type: 'collection' }, BASE),
    ).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      repo.processBundle(
        {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [{ request: { method: 'POST', url: 'Patient' } }],
        },
        BASE,
      ),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('resolveReferences', () => {
  it('rewrites only reference fields that name an assigned fullUrl, without touching the input', () => {
    const input = {
      subject: { reference: 'urn:uuid:a' },
      note: [{ text: 'urn:uuid:a' }],
      other: { reference: 'urn:uuid:b' },
    };
    const out = resolveReferences(input, new Map([['urn:uuid:a', 'Patient/1']]));
    expect(out).toEqual({
      subject: { reference: 'Patient/1' },
      note: [{ text: 'urn:uuid:a' }],
      other: { reference: 'urn:uuid:b' },
    });
    expect(input.subject.reference).toBe('urn:uuid:a');
  });
});
