import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { SqlFhirRepository } from '../repository/sql-repository.ts';
import { SearchParameterRegistry } from '../search/definitions.ts';
import { FhirSearchIndex } from '../search/search-index.ts';
import { parseFhirXml } from '../xml/parse-fhir-xml.ts';
import { importPaths } from './import-paths.ts';

const EXAMPLES = fileURLToPath(
  new URL('../../../../../shared/fixtures/nl-core-r4/examples/', import.meta.url),
);
const BASE = 'http://127.0.0.1:8080/fhir';

const patient = (id: string | undefined, family: string): Patient => ({
  resourceType: 'Patient',
  ...(id === undefined ? {} : { id }),
  name: [{ family }],
});

let definitions: FhirDefinitions;
let index: FhirSearchIndex;
beforeAll(() => {
  definitions = FhirDefinitions.load();
  index = new FhirSearchIndex(SearchParameterRegistry.load());
});

describe.each(testDatabases())('importPaths on $name', ({ open }) => {
  let db: Db;
  let repository: SqlFhirRepository;
  let folder: string;
  beforeEach(async () => {
    db = await open();
    repository = await SqlFhirRepository.open(db, index);
    folder = mkdtempSync(join(tmpdir(), 'ketenlog-import-'));
  });
  afterEach(async () => {
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const write = (name: string, content: unknown): string => {
    const path = join(folder, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  describe('the 271 nl-core examples', () => {
    it('all load, can be read back and searched, and a second run finds them all unchanged', async () => {
      const progress: [number, number][] = [];
      const first = await importPaths([EXAMPLES], {
        repository,
        definitions,
        onProgress: (done, total) => progress.push([done, total]),
      });
      expect(first).toEqual({ loaded: 271, unchanged: 0, rejected: [] });
      expect(progress[0]).toEqual([0, 271]);
      expect(progress.at(-1)).toEqual([271, 271]);

      const xml = readFileSync(join(EXAMPLES, 'nl-core-Patient-01.xml'), 'utf8');
      const { meta: _, ...expected } = parseFhirXml(xml, definitions);
      const stored = await repository.read<Patient>('Patient', 'nl-core-Patient-01');
      expect(stored).toMatchObject(expected);
      expect(stored.meta?.versionId).toBe('1');

      const search = async (params: [string, string][]): Promise<string[]> => {
        const bundle = await repository.search({ resourceType: 'Observation', params, baseUrl: BASE });
        return (bundle.entry ?? []).map((e) => e.resource?.id as string);
      };
      expect(
        await search([
          ['patient', 'Patient/nl-core-Patient-01'],
          ['code', 'http://loinc.org|85354-9'],
        ]),
      ).toEqual(['nl-core-BloodPressure-01']);
      expect(
        await search([
          ['code', '85354-9'],
          ['date', '2013-02-08'],
        ]),
      ).toEqual(['nl-core-BloodPressure-01']);

      const second = await importPaths([EXAMPLES], { repository, definitions });
      expect(second).toEqual({ loaded: 0, unchanged: 271, rejected: [] });
      const again = await repository.read<Observation>('Observation', 'nl-core-BloodPressure-01');
      expect(again.meta?.versionId).toBe('1');
    });
  });

  it('rejects a malformed file with its reason and loads the rest', async () => {
    const good = write('good.json', patient('good', 'Jansen'));
    write('broken.json', '{"resourceType": "Patient", "id": ');
    write('broken.xml', '<Patient xmlns="http://hl7.org/fhir"><id value="x"/>');
    write('invalid.json', { resourceType: 'Patient', id: 'invalid', gender: 'unknown-gender' });
    write('notes.txt', 'not FHIR, and not looked at inside a folder');
    const summary = await importPaths([folder, join(folder, 'missing.json')], { repository, definitions });
    expect(summary.loaded).toBe(1);
    expect(summary.unchanged).toBe(0);
    const reasons = Object.fromEntries(
      summary.rejected.map((r) => [r.file.replace(`${folder}/`, ''), r.reason]),
    );
    expect(Object.keys(reasons).sort()).toEqual([
      'broken.json',
      'broken.xml',
      'invalid.json',
      'missing.json',
    ]);
    expect(reasons['broken.json']).toMatch(/^Malformed JSON/);
    expect(reasons['broken.xml']).toMatch(/^Malformed XML/);
    expect(reasons['invalid.json']).toMatch(/gender/);
    expect(reasons['missing.json']).toBe('no such file or folder');
    expect((await repository.read('Patient', 'good')).id).toBe('good');
    expect((await importPaths([good], { repository, definitions })).unchanged).toBe(1);
  });

  it('writes a new version when the content changed, and ignores a change in meta only', async () => {
    const file = write('p.json', patient('p', 'Jansen'));
    await importPaths([file], { repository, definitions });
    write('p.json', { ...patient('p', 'Jansen'), meta: { tag: [{ code: 'ignored' }] } });
    expect(await importPaths([file], { repository, definitions })).toEqual({
      loaded: 0,
      unchanged: 1,
      rejected: [],
    });
    write('p.json', patient('p', 'de Vries'));
    expect(await importPaths([file], { repository, definitions })).toEqual({
      loaded: 1,
      unchanged: 0,
      rejected: [],
    });
    const stored = await repository.read<Patient>('Patient', 'p');
    expect([stored.meta?.versionId, stored.name?.[0]?.family]).toEqual(['2', 'de Vries']);
  });

  it('creates resources without an id', async () => {
    write('anonymous.json', patient(undefined, 'Zonder-Id'));
    const summary = await importPaths([folder], { repository, definitions });
    expect(summary).toEqual({ loaded: 1, unchanged: 0, rejected: [] });
    const found = await repository.search({
      resourceType: 'Patient',
      params: [['name', 'Zonder-Id']],
      baseUrl: BASE,
    });
    expect(found.entry).toHaveLength(1);
  });

  it('loads a collection bundle entry by entry, rejecting only the entry that is invalid', async () => {
    const collection: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: patient('c1', 'Een') },
        { resource: { resourceType: 'Patient', id: 'c2', birthDate: 'yesterday' } as Patient },
        { resource: patient('c3', 'Drie') },
      ],
    };
    const summary = await importPaths([write('collection.json', collection)], { repository, definitions });
    expect(summary.loaded).toBe(2);
    expect(summary.rejected).toHaveLength(1);
    expect(summary.rejected[0]?.reason).toMatch(/^Bundle\.entry\[1\]: .*birthDate/);
    expect((await repository.read('Patient', 'c3')).id).toBe('c3');
  });

  it('processes a transaction bundle with its urn:uuid references, and finds its PUTs unchanged next time', async () => {
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:0a9f4c1e-3b7d-4e2a-9c55-1f0e8d7b6a01',
          resource: patient(undefined, 'Nieuw'),
          request: { method: 'POST', url: 'Patient', ifNoneExist: 'name=Nieuw' },
        },
        {
          resource: {
            resourceType: 'Observation',
            id: 'obs-1',
            status: 'final',
            code: { text: 'gewicht' },
            subject: { reference: 'urn:uuid:0a9f4c1e-3b7d-4e2a-9c55-1f0e8d7b6a01' },
          } as Observation,
          request: { method: 'PUT', url: 'Observation/obs-1' },
        },
        { resource: patient('t1', 'Transactie'), request: { method: 'PUT', url: 'Patient/t1' } },
      ],
    };
    const file = write('transaction.json', transaction);
    expect(await importPaths([file], { repository, definitions })).toEqual({
      loaded: 3,
      unchanged: 0,
      rejected: [],
    });
    const observation = await repository.read<Observation>('Observation', 'obs-1');
    expect(observation.subject?.reference).toMatch(/^Patient\/[0-9a-f-]{36}$/);
    // The PUT of obs-1 carries a urn: reference, so it is written again; the rest is unchanged.
    const second = await importPaths([file], { repository, definitions });
    expect(second).toEqual({ loaded: 1, unchanged: 2, rejected: [] });
    expect((await repository.read('Patient', 't1')).meta?.versionId).toBe('1');
  });

  it('reports each failing entry of a batch bundle and keeps the others', async () => {
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient('b1', 'Batch'), request: { method: 'PUT', url: 'Patient/b1' } },
        { resource: patient('b2', 'Batch'), request: { method: 'PUT', url: 'Patient/b2' }, fullUrl: 'x' },
        { resource: patient('b3', 'Batch'), request: { method: 'PUT', url: 'Patient/other' } },
      ],
    };
    const summary = await importPaths([write('batch.json', batch)], { repository, definitions });
    expect(summary.loaded).toBe(2);
    expect(summary.rejected).toEqual([
      { file: join(folder, 'batch.json'), reason: expect.stringMatching(/^Bundle\.entry\[2\]: /) },
    ]);
  });

  it('writes two versions of one resource met twice within a group, in file order', async () => {
    write('a.json', patient('twice', 'Eerst'));
    write('b.json', patient('twice', 'Daarna'));
    write(
      'c.ndjson',
      `${JSON.stringify(patient('n1', 'Regel'))}\n\n${JSON.stringify(patient('n2', 'Regel'))}\n`,
    );
    const summary = await importPaths([folder], { repository, definitions, groupSize: 100 });
    expect(summary).toEqual({ loaded: 4, unchanged: 0, rejected: [] });
    const stored = await repository.read<Patient>('Patient', 'twice');
    expect([stored.meta?.versionId, stored.name?.[0]?.family]).toEqual(['2', 'Daarna']);
    expect((await repository.read('Patient', 'n2')).id).toBe('n2');
  });
});
