import type { Bundle, Resource } from '@medplum/fhirtypes';
import { testDatabases, type Db } from '@ketenlog/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '../outcome.ts';
import { SqlFhirRepository } from '../repository/sql-repository.ts';
import { SearchParameterRegistry } from './definitions.ts';
import { FhirSearchIndex } from './search-index.ts';

const BASE = 'http://127.0.0.1:8080/fhir';

/** Resources covering every parameter type; ids say what each one is for. */
const RESOURCES: Resource[] = [
  {
    resourceType: 'Patient',
    id: 'jan',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' }],
    name: [{ family: 'Jansen', given: ['Jan'] }],
    gender: 'male',
    birthDate: '1980-02-03',
    active: true,
    managingOrganization: { reference: 'Organization/zh' },
  },
  {
    resourceType: 'Patient',
    id: 'ella',
    name: [{ family: 'Çelik-Müller', given: ['Ëlla'] }],
    gender: 'female',
    birthDate: '1975',
    address: [{ city: 'Utrecht', postalCode: '3511AB' }],
  },
  {
    resourceType: 'Patient',
    id: 'janneke',
    name: [{ family: 'de Vries', given: ['Janneke'] }],
    gender: 'female',
  },
  { resourceType: 'Organization', id: 'zh', name: 'Ziekenhuis Noord' },
  ...observations(),
  {
    resourceType: 'Provenance',
    id: 'prov',
    target: [{ reference: 'Observation/o-day' }],
    recorded: '2020-03-15T12:00:00Z',
    agent: [{ who: { reference: 'Organization/zh' } }],
  },
  {
    resourceType: 'RiskAssessment',
    id: 'risk-low',
    status: 'final',
    subject: { reference: 'Patient/jan' },
    prediction: [{ probabilityDecimal: 0.1 }],
  },
  {
    resourceType: 'RiskAssessment',
    id: 'risk-high',
    status: 'final',
    subject: { reference: 'Patient/jan' },
    prediction: [{ probabilityDecimal: 0.8 }],
  },
  { resourceType: 'ValueSet', id: 'vs-a', status: 'active', url: 'http://example.org/fhir/ValueSet/a' },
  { resourceType: 'ValueSet', id: 'vs-b', status: 'active', url: 'http://example.org/fhir/ValueSet/a/b' },
  { resourceType: 'ValueSet', id: 'vs-c', status: 'active', url: 'http://other.org/ValueSet/c' },
];

/** Observations of Jan with effective dates at each precision, and a period and an open period. */
function observations(): Resource[] {
  const effective: Record<string, object> = {
    'o-day': { effectiveDateTime: '2020-03-15' },
    'o-month': { effectiveDateTime: '2020-03' },
    'o-instant': { effectiveDateTime: '2020-03-15T10:00:00Z' },
    'o-period': { effectivePeriod: { start: '2020-03-10', end: '2020-03-20' } },
    'o-open': { effectivePeriod: { start: '2020-04-01' } },
    'o-2019': { effectiveDateTime: '2019-12-31' },
    'o-2010': { effectiveDateTime: '2010-01-01' },
  };
  return Object.entries(effective).map(([id, value], i) => ({
    resourceType: 'Observation',
    id,
    status: i % 2 ? 'final' : 'amended',
    code: {
      coding: [
        {
          system: 'http://loinc.org',
          code: i < 3 ? '8480-6' : '2339-0',
          display: i < 3 ? 'Systolic' : 'Glucose',
        },
      ],
      text: i < 3 ? 'Bloeddruk' : 'Glucose',
    },
    subject: { reference: i === 6 ? 'Patient/ella' : 'Patient/jan' },
    valueQuantity: { value: 100 + i * 10, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    ...value,
  }));
}

const matchIds = (bundle: Bundle): string[] =>
  (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id as string);

describe.each(testDatabases())('FHIR search on $name', ({ open }) => {
  let db: Db;
  let index: FhirSearchIndex;

  const search = (resourceType: string, query: string): Promise<Bundle> =>
    index.search(db, { resourceType, params: [...new URLSearchParams(query)], baseUrl: BASE });
  const ids = async (resourceType: string, query: string): Promise<string[]> =>
    matchIds(await search(resourceType, query)).sort();
  const status = async (resourceType: string, query: string): Promise<number> => {
    try {
      await search(resourceType, query);
    } catch (error) {
      if (error instanceof ProblemError) return error.status;
      throw error;
    }
    return 200;
  };

  beforeAll(async () => {
    db = await open();
    index = new FhirSearchIndex(SearchParameterRegistry.load());
    const repository = await SqlFhirRepository.open(db, index);
    for (const resource of RESOURCES) await repository.update(resource);
    // A resource deleted after being indexed must not be found.
    await repository.update({ resourceType: 'Patient', id: 'gone', name: [{ family: 'Jansen' }] });
    await repository.delete('Patient', 'gone');
    // Fixed lastUpdated times for the _lastUpdated tests.
    await db.run('UPDATE resources SET last_updated = ? WHERE resource_type = ?', [
      Date.parse('2024-01-01T00:00:00Z'),
      'Patient',
    ]);
    await db.run('UPDATE resources SET last_updated = ? WHERE resource_type = ? AND id = ?', [
      Date.parse('2024-06-01T12:00:00Z'),
      'Patient',
      'ella',
    ]);
  });
  afterAll(async () => db.close());

  describe('string', () => {
    it('matches a prefix, ignoring case and accents', async () => {
      expect(await ids('Patient', 'name=jan')).toEqual(['jan', 'janneke']);
      expect(await ids('Patient', 'name=ELLA')).toEqual(['ella']);
      expect(await ids('Patient', 'family=celik')).toEqual(['ella']);
      expect(await ids('Patient', 'name=de v')).toEqual(['janneke']);
    });

    it('matches the whole value, case and accents included, with :exact', async () => {
      expect(await ids('Patient', 'family:exact=Jansen')).toEqual(['jan']);
      expect(await ids('Patient', 'family:exact=jansen')).toEqual([]);
      expect(await ids('Patient', 'family:exact=Çelik-Müller')).toEqual(['ella']);
    });

    it('matches anywhere in the value with :contains', async () => {
      expect(await ids('Patient', 'name:contains=ansen')).toEqual(['jan']);
      expect(await ids('Patient', 'name:contains=mull')).toEqual(['ella']);
      expect(await ids('Patient', 'name:contains=%')).toEqual([]);
    });

    it('ORs comma-separated values and ANDs repeated parameters', async () => {
      expect(await ids('Patient', 'family=jansen,de')).toEqual(['jan', 'janneke']);
      expect(await ids('Patient', 'name=jan&name=de')).toEqual(['janneke']);
    });

    it('searches address parts', async () => {
      expect(await ids('Patient', 'address-city=utrecht')).toEqual(['ella']);
      expect(await ids('Patient', 'address=3511')).toEqual(['ella']);
    });
  });

  describe('token', () => {
    it('matches system|code, code alone, |code and system|', async () => {
      expect(await ids('Patient', 'identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120')).toEqual([
        'jan',
      ]);
      expect(await ids('Patient', 'identifier=999911120')).toEqual(['jan']);
      expect(await ids('Patient', 'identifier=|999911120')).toEqual([]);
      expect(await ids('Patient', 'identifier=http://fhir.nl/fhir/NamingSystem/bsn|')).toEqual(['jan']);
      expect(await ids('Patient', 'gender=|female')).toEqual(['ella', 'janneke']);
      expect(await ids('Observation', 'code=http://loinc.org|8480-6')).toEqual([
        'o-day',
        'o-instant',
        'o-month',
      ]);
      expect(await ids('Observation', 'code=urn:other|8480-6')).toEqual([]);
    });

    it('matches display and text by prefix with :text', async () => {
      expect(await ids('Observation', 'code:text=bloed')).toEqual(['o-day', 'o-instant', 'o-month']);
      expect(await ids('Observation', 'code:text=systol')).toEqual(['o-day', 'o-instant', 'o-month']);
    });

    it('excludes matches, and keeps resources without the element, with :not', async () => {
      expect(await ids('Patient', 'gender:not=female')).toEqual(['jan']);
      expect(await ids('Patient', 'active:not=true')).toEqual(['ella', 'janneke']);
    });

    it('finds resources with or without a value with :missing', async () => {
      expect(await ids('Patient', 'birthdate:missing=true')).toEqual(['janneke']);
      expect(await ids('Patient', 'birthdate:missing=false')).toEqual(['ella', 'jan']);
    });
  });

  describe('date', () => {
    const cases: Array<[string, string[]]> = [
      ['2020-03-15', ['o-day', 'o-instant']],
      ['eq2020-03', ['o-day', 'o-instant', 'o-month', 'o-period']],
      ['ne2020-03', ['o-2010', 'o-2019', 'o-open']],
      ['gt2020-03-15', ['o-month', 'o-open', 'o-period']],
      ['lt2020-03-15', ['o-2010', 'o-2019', 'o-month', 'o-period']],
      ['ge2020-03-15', ['o-day', 'o-instant', 'o-month', 'o-open', 'o-period']],
      ['le2020-03-15', ['o-2010', 'o-2019', 'o-day', 'o-instant', 'o-month', 'o-period']],
      ['sa2020-03-15', ['o-open']],
      ['eb2020-03-15', ['o-2010', 'o-2019']],
      ['ap2020-03-15', ['o-2019', 'o-day', 'o-instant', 'o-month', 'o-open', 'o-period']],
      ['2020', ['o-day', 'o-instant', 'o-month', 'o-open', 'o-period'].filter((id) => id !== 'o-open')],
      ['2020-03-15T11:00:00%2B01:00', ['o-instant']],
      ['gt2020-03-15T10:00:00Z', ['o-day', 'o-month', 'o-open', 'o-period']],
    ];
    it.each(cases)('date=%s over dates, partial dates and periods', async (value, expected) => {
      expect(await ids('Observation', `date=${value}`)).toEqual(expected);
    });

    it('searches birthdate by year against a partial birth date', async () => {
      expect(await ids('Patient', 'birthdate=1975')).toEqual(['ella']);
      expect(await ids('Patient', 'birthdate=1980')).toEqual(['jan']);
      expect(await ids('Patient', 'birthdate=lt1980-01-01')).toEqual(['ella']);
    });

    it('searches _lastUpdated with prefixes', async () => {
      expect(await ids('Patient', '_lastUpdated=gt2024-03-01')).toEqual(['ella']);
      expect(await ids('Patient', '_lastUpdated=2024-01-01')).toEqual(['jan', 'janneke']);
      expect(await ids('Patient', '_lastUpdated=le2024-06-01T12:00:00Z')).toEqual(['ella', 'jan', 'janneke']);
    });
  });

  describe('reference', () => {
    it('matches Type/id, a bare id, an absolute url on this server and a :Type modifier', async () => {
      expect(await ids('Observation', 'subject=Patient/ella')).toEqual(['o-2010']);
      expect(await ids('Observation', 'patient=ella')).toEqual(['o-2010']);
      expect(await ids('Observation', `subject=${BASE}/Patient/ella`)).toEqual(['o-2010']);
      expect(await ids('Observation', 'subject:Patient=ella')).toEqual(['o-2010']);
      expect(await ids('Observation', 'subject:Group=ella')).toEqual([]);
    });

    it('follows one level of chaining', async () => {
      expect(await ids('Observation', 'subject:Patient.name=ella')).toEqual(['o-2010']);
      expect(await ids('Observation', 'patient.birthdate=1980&code=2339-0')).toEqual([
        'o-2019',
        'o-open',
        'o-period',
      ]);
      expect(await ids('Patient', 'organization.name=ziekenhuis')).toEqual(['jan']);
    });

    it('finds resources referred to by others with _has', async () => {
      expect(await ids('Patient', '_has:Observation:patient:code=8480-6')).toEqual(['jan']);
      expect(await ids('Patient', '_has:Observation:patient:date=2010')).toEqual(['ella']);
      expect(await ids('Patient', '_has:RiskAssessment:subject:probability=gt0.5')).toEqual(['jan']);
    });
  });

  describe('number, quantity and uri', () => {
    it('compares numbers with prefixes and the precision of the value', async () => {
      expect(await ids('RiskAssessment', 'probability=gt0.5')).toEqual(['risk-high']);
      expect(await ids('RiskAssessment', 'probability=0.1')).toEqual(['risk-low']);
      expect(await ids('RiskAssessment', 'probability=0.10')).toEqual(['risk-low']);
      expect(await ids('RiskAssessment', 'probability=le0.8')).toEqual(['risk-high', 'risk-low']);
      expect(await ids('RiskAssessment', 'probability=ne0.8')).toEqual(['risk-low']);
    });

    it('compares quantities with a system and code', async () => {
      expect(await ids('Observation', 'value-quantity=gt140|http://unitsofmeasure.org|mm[Hg]')).toEqual([
        'o-2010',
        'o-2019',
      ]);
      expect(await ids('Observation', 'value-quantity=110||mm[Hg]')).toEqual(['o-month']);
      expect(await ids('Observation', 'value-quantity=110|http://unitsofmeasure.org|kg')).toEqual([]);
      expect(await ids('Observation', 'value-quantity=ap110')).toEqual(['o-day', 'o-instant', 'o-month']);
    });

    it('matches uris exactly, below and above', async () => {
      expect(await ids('ValueSet', 'url=http://example.org/fhir/ValueSet/a')).toEqual(['vs-a']);
      expect(await ids('ValueSet', 'url:below=http://example.org/fhir')).toEqual(['vs-a', 'vs-b']);
      expect(await ids('ValueSet', 'url:above=http://example.org/fhir/ValueSet/a/b/c')).toEqual([
        'vs-a',
        'vs-b',
      ]);
    });
  });

  describe('results', () => {
    it('finds by _id and never returns deleted resources', async () => {
      expect(await ids('Patient', '_id=jan,ella,gone')).toEqual(['ella', 'jan']);
      expect(await ids('Patient', 'family=jansen')).toEqual(['jan']);
    });

    it('pages with _count, a total, and next/previous links', async () => {
      const first = await search('Observation', 'patient=jan&_count=2');
      expect(first.total).toBe(6);
      expect(matchIds(first)).toEqual(['o-2019', 'o-day']);
      const next = first.link?.find((l) => l.relation === 'next')?.url as string;
      expect(next).toBe(`${BASE}/Observation?patient=jan&_count=2&_offset=2`);
      expect(first.entry?.[0]?.fullUrl).toBe(`${BASE}/Observation/o-2019`);
      const last = await search('Observation', 'patient=jan&_count=2&_offset=4');
      expect(matchIds(last)).toEqual(['o-open', 'o-period']);
      expect(last.total).toBe(6);
      expect(last.link?.map((l) => l.relation)).toEqual(['self', 'previous']);
    });

    it('leaves the total out with _total=none and counts only with _summary=count', async () => {
      expect((await search('Observation', '_total=none')).total).toBeUndefined();
      const count = await search('Observation', 'patient=jan&_summary=count');
      expect(count.total).toBe(6);
      expect(count.entry).toBeUndefined();
    });

    it('sorts by string, date, number, _lastUpdated and _id, ascending and descending', async () => {
      expect(matchIds(await search('Patient', '_sort=family'))).toEqual(['ella', 'janneke', 'jan']);
      expect(matchIds(await search('Patient', '_sort=-family'))).toEqual(['jan', 'janneke', 'ella']);
      expect(matchIds(await search('Patient', '_sort=birthdate'))).toEqual(['ella', 'jan', 'janneke']);
      expect(matchIds(await search('Patient', '_sort=-birthdate'))).toEqual(['jan', 'ella', 'janneke']);
      expect(matchIds(await search('Patient', '_sort=-_lastUpdated,_id'))).toEqual([
        'ella',
        'jan',
        'janneke',
      ]);
      expect(matchIds(await search('RiskAssessment', '_sort=-probability'))).toEqual([
        'risk-high',
        'risk-low',
      ]);
      expect(matchIds(await search('Observation', '_sort=status,-_id&_count=3'))).toEqual([
        'o-open',
        'o-instant',
        'o-day',
      ]);
    });

    it('includes referenced resources, with :iterate following them further', async () => {
      const bundle = await search('Observation', '_id=o-day&_include=Observation:patient');
      expect(bundle.entry?.map((e) => [e.resource?.id, e.search?.mode])).toEqual([
        ['o-day', 'match'],
        ['jan', 'include'],
      ]);
      const iterated = await search(
        'Observation',
        '_id=o-day&_include=Observation:patient&_include:iterate=Patient:organization',
      );
      expect(iterated.entry?.map((e) => e.resource?.id)).toEqual(['o-day', 'jan', 'zh']);
      const all = await search('Observation', '_id=o-day&_include=*');
      expect(all.entry?.map((e) => e.resource?.id)).toEqual(['o-day', 'jan']);
    });

    it('includes referring resources with _revinclude', async () => {
      const bundle = await search('Observation', '_id=o-day,o-month&_revinclude=Provenance:target');
      expect(bundle.entry?.map((e) => [e.resource?.id, e.search?.mode])).toEqual([
        ['o-day', 'match'],
        ['o-month', 'match'],
        ['prov', 'include'],
      ]);
      const iterated = await search(
        'Patient',
        '_id=jan&_revinclude=Observation:subject&_revinclude:iterate=Provenance:target&_count=1',
      );
      expect(iterated.entry?.map((e) => e.resource?.id)).toContain('prov');
    });

    it('returns only the asked elements, tagged SUBSETTED, with _elements', async () => {
      const bundle = await search('Patient', '_id=jan&_elements=gender,birthDate');
      const resource = bundle.entry?.[0]?.resource as Resource & Record<string, unknown>;
      expect(Object.keys(resource).sort()).toEqual(['birthDate', 'gender', 'id', 'meta', 'resourceType']);
      expect(resource.meta?.tag?.map((t) => t.code)).toEqual(['SUBSETTED']);
    });

    it('returns the summary elements with _summary=true', async () => {
      const bundle = await search('Organization', '_id=zh&_summary=true');
      expect(bundle.entry?.[0]?.resource).toMatchObject({ id: 'zh', name: 'Ziekenhuis Noord' });
      expect(bundle.entry?.[0]?.resource?.meta?.tag?.map((t) => t.code)).toEqual(['SUBSETTED']);
    });
  });

  describe('invalid searches', () => {
    const bad = [
      'unknown=1',
      'name:nonsense=x',
      'birthdate=2020-13-01',
      'birthdate=soon',
      'birthdate:exact=2020',
      'gender=a|b|c',
      '_count=-1',
      '_count=ten',
      '_offset=x',
      '_sort=nonsense',
      '_summary=maybe',
      '_total=some',
      '_elements=name.family',
      '_include=Observation',
      '_include=Observation:code',
      '_revinclude=Nothing:subject',
      'organization:Patient=x',
      'organization.partof.partof.partof.name=x',
      'organization.unknown=x',
      '_has:Observation:patient=x',
      '_has:Observation:code:code=x',
      '_has:Observation:patient:_has:Observation:patient:code=x',
      'active:missing=maybe',
      'general-practitioner=Patient/x y',
    ];
    it.each(bad)('rejects Patient?%s with 400', async (query) => {
      expect(await status('Patient', query)).toBe(400);
    });

    it('rejects unsupported parameter types and unknown resource types with 400', async () => {
      expect(await status('Observation', 'code-value-quantity=x')).toBe(400);
      expect(await status('Nothing', '')).toBe(400);
      expect(await status('Observation', 'value-quantity=1|a')).toBe(400);
      expect(await status('Observation', 'value-quantity=abc')).toBe(400);
    });

    it('ignores parameters without a value', async () => {
      expect(await ids('Patient', 'name=')).toEqual(['ella', 'jan', 'janneke']);
    });
  });
});
