import type { Observation, Patient } from '@medplum/fhirtypes';
import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { assert, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProblemError } from '../outcome.ts';
import { fixtureSearchIndex } from './search-index.fixture.ts';
import { SqlFhirRepository } from './sql-repository.ts';

const BASE = 'http://127.0.0.1:8080/fhir';

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error.status;
    throw error;
  }
  throw new Error('expected a ProblemError');
}

const patient = (value: string): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:example:mrn', value }],
  name: [{ family: 'Jansen' }],
});

describe.each(testDatabases())('SqlFhirRepository on $name', ({ open }) => {
  let db: Db;
  let repo: SqlFhirRepository;
  beforeEach(async () => {
    db = await open();
    repo = await SqlFhirRepository.open(db, fixtureSearchIndex());
  });
  afterEach(async () => db.close());

  it('creates a resource with a server-assigned id and version 1, and reads it back', async () => {
    const { resource, created } = await repo.create({ ...patient('1'), id: 'client-chosen' });
    expect(created).toBe(true);
    expect(resource.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(resource.meta?.versionId).toBe('1');
    expect(Date.parse(resource.meta?.lastUpdated as string)).toBeGreaterThan(0);
    expect(await repo.read('Patient', resource.id as string)).toEqual(resource);
  });

  it('updates to a new version and keeps every version readable with vread', async () => {
    const { resource } = await repo.create(patient('1'));
    const { resource: v2 } = await repo.update({ ...resource, active: true });
    expect(v2.meta?.versionId).toBe('2');
    expect((await repo.read<Patient>('Patient', resource.id as string)).active).toBe(true);
    expect((await repo.vread<Patient>('Patient', resource.id as string, '1')).active).toBeUndefined();
    expect(await statusOf(repo.vread('Patient', resource.id as string, '3'))).toBe(404);
    expect(await statusOf(repo.vread('Patient', resource.id as string, 'x'))).toBe(404);
  });

  it('creates a resource on update when the id is new', async () => {
    const { resource } = await repo.update({ ...patient('1'), id: 'pat-1' });
    expect(resource.meta?.versionId).toBe('1');
    expect((await repo.read('Patient', 'pat-1')).id).toBe('pat-1');
  });

  it('refuses an update whose If-Match names another version with 412', async () => {
    const { resource } = await repo.create(patient('1'));
    expect(await statusOf(repo.update({ ...resource, active: true }, { ifMatch: '2' }))).toBe(412);
    expect(await statusOf(repo.update({ ...patient('2'), id: 'nope' }, { ifMatch: '1' }))).toBe(412);
    const { resource: v2 } = await repo.update({ ...resource, active: true }, { ifMatch: '1' });
    expect(v2.meta?.versionId).toBe('2');
  });

  it('answers 404 for an unknown resource and 410 for a deleted one', async () => {
    expect(await statusOf(repo.read('Patient', 'unknown'))).toBe(404);
    const { resource } = await repo.create(patient('1'));
    await repo.delete('Patient', resource.id as string);
    expect(await statusOf(repo.read('Patient', resource.id as string))).toBe(410);
    expect(await statusOf(repo.vread('Patient', resource.id as string, '2'))).toBe(410);
    // Deleting again, or deleting what never existed, is an idempotent no-op.
    await repo.delete('Patient', resource.id as string);
    await repo.delete('Patient', 'never-there');
    const history = await repo.history('Patient', resource.id, [], BASE);
    expect(history.entry).toHaveLength(2);
  });

  it('rejects invalid ids and missing or odd resource types with 400', async () => {
    expect(await statusOf(repo.read('Patient', 'has space'))).toBe(400);
    expect(await statusOf(repo.read('Patient', 'x'.repeat(65)))).toBe(400);
    expect(await statusOf(repo.update({ ...patient('1'), id: 'a/b' }))).toBe(400);
    expect(await statusOf(repo.update(patient('1')))).toBe(400);
    expect(await statusOf(repo.create({ name: 'x' } as never))).toBe(400);
    expect(await statusOf(repo.create({ resourceType: 'not a type' } as never))).toBe(400);
    expect(await statusOf(repo.read('patient; DROP TABLE resources', '1'))).toBe(400);
  });

  it('creates conditionally: a new resource for no match, the existing one for one match, 412 for several', async () => {
    const first = await repo.create(patient('A'), { ifNoneExist: 'identifier=urn:example:mrn|A' });
    expect(first.created).toBe(true);
    const again = await repo.create(patient('A'), { ifNoneExist: 'identifier=urn:example:mrn|A' });
    expect(again.created).toBe(false);
    expect(again.resource.id).toBe(first.resource.id);
    await repo.create(patient('A'));
    expect(await statusOf(repo.create(patient('A'), { ifNoneExist: 'identifier=A' }))).toBe(412);
  });

  it('keeps the search index in step with writes and removes it on delete', async () => {
    const { resource } = await repo.create(patient('A'));
    const find = async (value: string) =>
      (await repo.search({ resourceType: 'Patient', params: [['identifier', value]], baseUrl: BASE }))
        .entry ?? [];
    expect(await find('A')).toHaveLength(1);
    await repo.update({ ...resource, identifier: [{ system: 'urn:example:mrn', value: 'B' }] });
    expect(await find('A')).toHaveLength(0);
    expect(await find('B')).toHaveLength(1);
    await repo.delete('Patient', resource.id as string);
    expect(await find('B')).toHaveLength(0);
    const [count] = await db.all<{ n: number }>('SELECT count(*) AS n FROM sp_token');
    assert(count);
    expect(Number(count.n)).toBe(0);
  });

  it('expunges a resource with every version and index row, and leaves others alone', async () => {
    const { resource } = await repo.create(patient('A'));
    await repo.update({ ...resource, identifier: [{ system: 'urn:example:mrn', value: 'B' }] });
    const other = await repo.create(patient('C'));
    await repo.expunge('Patient', resource.id as string);
    expect(await statusOf(repo.read('Patient', resource.id as string))).toBe(404);
    expect(await statusOf(repo.vread('Patient', resource.id as string, '1'))).toBe(404);
    expect(await statusOf(repo.history('Patient', resource.id, [], BASE))).toBe(404);
    const [count] = await db.all<{ n: number }>('SELECT count(*) AS n FROM sp_token WHERE resource_id = ?', [
      resource.id as string,
    ]);
    assert(count);
    expect(Number(count.n)).toBe(0);
    expect((await repo.read('Patient', other.resource.id as string)).id).toBe(other.resource.id);
    await repo.expunge('Patient', 'never-there');
  });

  it('lists instance and type history newest first, with _count and _since', async () => {
    const { resource: a } = await repo.create(patient('A'));
    await repo.update({ ...a, active: true });
    await new Promise((r) => setTimeout(r, 5));
    const cut = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const { resource: b } = await repo.create(patient('B'));
    await repo.delete('Patient', a.id as string);

    const instance = await repo.history('Patient', a.id, [], BASE);
    expect(instance.type).toBe('history');
    expect(instance.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'PUT', 'POST']);
    expect(instance.entry?.[1]?.response?.etag).toBe('W/"2"');
    expect(instance.entry?.[1]?.fullUrl).toBe(`${BASE}/Patient/${a.id}`);
    expect(instance.entry?.[0]?.resource).toBeUndefined();

    const type = await repo.history('Patient', undefined, [], BASE);
    expect(type.entry).toHaveLength(4);
    expect((await repo.history('Patient', undefined, [['_count', '2']], BASE)).entry).toHaveLength(2);
    const since = await repo.history('Patient', undefined, [['_since', cut]], BASE);
    expect(since.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'POST']);
    expect(since.entry?.[1]?.resource?.id).toBe(b.id);

    expect(await statusOf(repo.history('Patient', 'unknown', [], BASE))).toBe(404);
    expect(await statusOf(repo.history('Patient', undefined, [['_since', 'yesterday']], BASE))).toBe(400);
    expect(await statusOf(repo.history('Patient', undefined, [['_count', '-1']], BASE))).toBe(400);
  });

  it('returns a patient and everything that refers to it for $everything', async () => {
    const { resource: p } = await repo.create(patient('A'));
    const { resource: other } = await repo.create(patient('B'));
    const observation = (subject: string): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'weight' },
      subject: { reference: subject },
    });
    const { resource: mine } = await repo.create(observation(`Patient/${p.id}`));
    await repo.create(observation(`Patient/${other.id}`));
    const { resource: removed } = await repo.create(observation(`Patient/${p.id}`));
    await repo.delete('Observation', removed.id as string);

    const bundle = await repo.everything(p.id as string, BASE);
    expect(bundle.type).toBe('searchset');
    expect(bundle.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`)).toEqual([
      `Patient/${p.id}`,
      `Observation/${mine.id}`,
    ]);
    expect(await statusOf(repo.everything('unknown', BASE))).toBe(404);
  });
});
