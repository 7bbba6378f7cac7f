// FHIR R4 conformance of the routes over SqlFhirRepository, on SQLite and PostgreSQL, organised by
// the specification's sections (http.html: RESTful interactions; search.html; operations;
// bundles; formats). A synthetic record of realistic shape (synthetic.ts) is loaded through
// transaction bundles; counts are asserted exactly against the generator's known truth, and every
// list is followed page by page until the sum of the pages equals the stated total.
import type { FastifyInstance } from 'fastify';
import type {
  Bundle,
  CapabilityStatement,
  Observation,
  OperationOutcome,
  Parameters,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import { testDatabases, type Db } from '@ketenlog/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFhirXml } from '../xml/parse-fhir-xml.ts';
import { validateResource } from '../validation/validate.ts';
import { MAX_SEARCH_VALUES } from '../search/parse.ts';
import { classifyFhirRequest } from '../http/classify.ts';
import { allPages, call, conformanceModel, conformanceServer } from './harness.ts';
import {
  LOINC,
  medicationsOf,
  MRN_SYSTEM,
  mrn,
  PER_PATIENT,
  patientBundle,
  SHARED,
  sharedBundle,
  SYNTHETIC,
  TOTAL_RESOURCES,
} from './synthetic.ts';

const S = SYNTHETIC;
const OBSERVATIONS = S.patients * S.observationsPerPatient;

describe.each(testDatabases())('FHIR R4 conformance on $name', ({ open }) => {
  let db: Db;
  let app: FastifyInstance;
  /** Server ids of the synthetic patients, by index. */
  const patientIds: string[] = [];
  const get = (path: string, headers?: Record<string, string>) => call(app, 'GET', path, undefined, headers);
  const total = async (path: string): Promise<number> => {
    const answer = await get(path);
    expect(answer.status, answer.body).toBe(200);
    return answer.json<Bundle>().total as number;
  };
  const expectOutcome = (answer: { status: number; body: string }, status: number): OperationOutcome => {
    expect(answer.status, answer.body).toBe(status);
    const outcome = JSON.parse(answer.body) as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    return outcome;
  };
  /** Pages through `path` and checks the pages add up to the total, with no entry twice. */
  const complete = async (path: string): Promise<NonNullable<Bundle['entry']>> => {
    const { entries, totals } = await allPages(app, path);
    expect(new Set(totals).size, `every page states the same total for ${path}`).toBe(1);
    expect(entries.length).toBe(totals[0]);
    const keys = entries.map((e) => `${e.fullUrl}|${e.response?.etag ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    return entries;
  };

  beforeAll(async () => {
    db = await open();
    app = await conformanceServer(db);
    const shared = await call(app, 'POST', '', sharedBundle());
    expect(shared.status, shared.body).toBe(200);
    for (let i = 0; i < S.patients; i++) {
      const answer = await call(app, 'POST', '', patientBundle(i));
      expect(answer.status, answer.body).toBe(200);
      const location = answer.json<Bundle>().entry?.[0]?.response?.location ?? '';
      patientIds.push(location.split('/')[1] as string);
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  describe('history (http.html#history): complete or pageable at every level', () => {
    it('system history lists every version, page by page, and the pages add up to the total', async () => {
      const entries = await complete('/_history?_count=500');
      expect(entries).toHaveLength(TOTAL_RESOURCES);
      expect(entries[0]?.request?.method).toBeDefined();
    });

    it('type history states its total and links the next page until the end', async () => {
      const first = (await get('/Observation/_history?_count=100')).json<Bundle>();
      expect(first.total).toBe(OBSERVATIONS);
      expect(first.entry).toHaveLength(100);
      expect(first.link?.some((l) => l.relation === 'next')).toBe(true);
      expect(await complete('/Observation/_history?_count=333')).toHaveLength(OBSERVATIONS);
      // Without _count the default page is not the whole list, yet nothing is lost.
      expect(await complete('/Observation/_history')).toHaveLength(OBSERVATIONS);
    });

    it('instance history counts the versions; _since narrows; a page written meanwhile does not shift', async () => {
      const id = patientIds[1]!;
      const patient = (await get(`/Patient/${id}`)).json<Patient>();
      const before = new Date().toISOString();
      for (const active of [true, false, true]) {
        expect((await call(app, 'PUT', `/Patient/${id}`, { ...patient, active })).status).toBe(200);
      }
      expect(await total(`/Patient/${id}/_history`)).toBe(4);
      expect(await total(`/Patient/${id}/_history?_since=${encodeURIComponent(before)}`)).toBe(3);
      const page1 = (await get(`/Patient/${id}/_history?_count=2`)).json<Bundle>();
      // Versions are stamped in milliseconds: a write in the very millisecond of the first page
      // cannot be told from one before it.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await call(app, 'PUT', `/Patient/${id}`, { ...patient, active: false, birthDate: '1999-01-01' });
      const next = page1.link?.find((l) => l.relation === 'next')?.url as string;
      const page2 = (await get(next)).json<Bundle>();
      expect(page2.total).toBe(4);
      expect(page2.entry?.map((e) => e.response?.etag)).toEqual(['W/"2"', 'W/"1"']);
      expectOutcome(await get(`/Patient/${id}/_history?_at=2020`), 400);
      expectOutcome(await get(`/Patient/unknown-id/_history`), 404);
    });
  });

  describe('search (search.html)', () => {
    it('counts exactly and pages completely, with _total and _summary=count', async () => {
      const perCode = OBSERVATIONS / S.observationCodes.length;
      expect(await total(`/Observation?code=${LOINC}|8867-4&_summary=count`)).toBe(perCode);
      expect(await complete(`/Observation?code=8867-4&_count=37`)).toHaveLength(perCode);
      expect(await complete(`/Observation?_count=250&_sort=-date`)).toHaveLength(OBSERVATIONS);
      expect(await total(`/Patient?gender=female&_summary=count`)).toBe(S.patients / 2);
      expect(await total(`/Observation?date=ge2020-03-01&date=lt2020-04-01&_summary=count`)).toBe(
        S.patients * 4, // days 60, 70, 80, 90 of leap year 2020: 1, 11, 21 and 31 March
      );
    });

    it('answers a long OR list (thousands of values) instead of failing, and refuses beyond the documented limit', async () => {
      const ids = (await complete('/Observation?_count=1000&_elements=id')).map(
        (e) => e.resource?.id as string,
      );
      const padding = Array.from({ length: 4769 - ids.length }, (_, i) => `absent-${i}`);
      const form = new URLSearchParams({ _id: [...ids, ...padding].join(','), _summary: 'count' }).toString();
      const byId = await call(app, 'POST', '/Observation/_search', form, {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(byId.status, byId.body).toBe(200);
      expect(byId.json<Bundle>().total).toBe(OBSERVATIONS);
      // Tokens, references and strings: each a 4,769-value OR.
      const mrns = Array.from({ length: 4769 }, (_, i) => `${MRN_SYSTEM}|${mrn(i)}`).join(',');
      const post = (type: string, params: Record<string, string>) =>
        call(
          app,
          'POST',
          `/${type}/_search`,
          new URLSearchParams({ ...params, _summary: 'count' }).toString(),
          {
            'content-type': 'application/x-www-form-urlencoded',
          },
        );
      expect((await post('Patient', { identifier: mrns })).json<Bundle>().total).toBe(S.patients);
      const subjects = [...patientIds, ...padding.slice(0, 4769 - patientIds.length)].map(
        (id) => `Patient/${id}`,
      );
      expect(
        (await post('Observation', { subject: subjects.join(','), code: '8867-4' })).json<Bundle>().total,
      ).toBe(OBSERVATIONS / 4);
      const names = Array.from({ length: 4769 }, (_, i) => `synthetisch${i}`).join(',');
      expect((await post('Patient', { family: names })).json<Bundle>().total).toBe(S.patients);
      const dates = Array.from({ length: 2000 }, (_, i) => `eq${2000 + (i % 100)}`).join(',');
      expect((await post('Observation', { date: dates })).status).toBe(200);
      const tooMany = Array.from({ length: MAX_SEARCH_VALUES + 1 }, (_, i) => `x${i}`).join(',');
      const refused = expectOutcome(await post('Patient', { _id: tooMany }), 400);
      expect(refused.issue?.[0]?.code).toBe('too-costly');
    });

    it('says so in an outcome entry when :iterate stops before the end of a chain of references', async () => {
      const chain = ['a', 'b', 'c', 'd', 'e', 'f'];
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: chain.map((name, i) => ({
          resource: {
            resourceType: 'Organization',
            id: `chain-${name}`,
            name: `Keten ${name}`,
            ...(i + 1 < chain.length ? { partOf: { reference: `Organization/chain-${chain[i + 1]}` } } : {}),
          },
          request: { method: 'PUT', url: `Organization/chain-${name}` },
        })),
      };
      expect((await call(app, 'POST', '', bundle)).status).toBe(200);
      const search = async (start: string) =>
        (await get(`/Organization?_id=chain-${start}&_include:iterate=Organization:partof`)).json<Bundle>();
      const long = await search('a');
      expect(long.entry?.filter((e) => e.search?.mode === 'include')).toHaveLength(4);
      const warning = long.entry?.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome;
      expect(warning.issue?.[0]?.code).toBe('incomplete');
      const short = await search('b');
      expect(short.entry?.filter((e) => e.search?.mode === 'include')).toHaveLength(4);
      expect(short.entry?.some((e) => e.search?.mode === 'outcome')).toBe(false);
      await call(app, 'POST', '', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: chain.map((name) => ({ request: { method: 'DELETE', url: `Organization/chain-${name}` } })),
      });
    });

    it('searches at system level: _type, _id, _lastUpdated, _summary=count, paging', async () => {
      expect(await total('/?_summary=count')).toBe(TOTAL_RESOURCES);
      expect(await complete(`/?_type=Patient,Medication&_count=17`)).toHaveLength(S.patients + S.medications);
      expect(await total(`/?_id=org-1,prac-0,med-0&_summary=count`)).toBe(3);
      expect(await total(`/?_lastUpdated=gt2000-01-01&_summary=count`)).toBe(TOTAL_RESOURCES);
      expect(await total(`/?_lastUpdated=lt2000-01-01&_summary=count`)).toBe(0);
      expect(await total(`/?_type=Observation,Condition&subject=Patient/${patientIds[3]}`)).toBe(
        S.observationsPerPatient + S.conditionsPerPatient,
      );
      expect(await total(`/?_profile=${encodeURIComponent(S.profile)}&_summary=count`)).toBe(S.patients / 2);
      expectOutcome(await get('/?name=x'), 400);
      expectOutcome(await get('/?_sort=birthdate'), 400);
      expect(await complete('/?_type=Patient,Medication&_sort=-_lastUpdated&_count=30')).toHaveLength(
        S.patients + S.medications,
      );
      const posted = await call(app, 'POST', '/_search', '_type=Medication&_summary=count', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(posted.json<Bundle>().total).toBe(S.medications);
      expectOutcome(await get('/?_type=NoSuchType'), 400);
    });

    it('searches a patient compartment: GET Patient/{id}/Observation', async () => {
      const id = patientIds[5]!;
      expect(await complete(`/Patient/${id}/Observation?_count=6`)).toHaveLength(S.observationsPerPatient);
      expect(await total(`/Patient/${id}/Observation?code=8867-4`)).toBe(S.observationsPerPatient / 4);
      expect(await total(`/Patient/${id}/MedicationRequest`)).toBe(S.medicationRequestsPerPatient);
      expectOutcome(await get(`/Patient/${id}/Medication`), 400);
      // Every type in her compartment: all her own resources (not the Patient, who has no link).
      const all = await complete(`/Patient/${id}/*?_count=7`);
      expect(all).toHaveLength(PER_PATIENT - 1);
      expect(all.every((e) => e.resource?.resourceType !== 'Medication')).toBe(true);
      expect(await total(`/Patient/${id}/*?_type=Observation,Condition`)).toBe(
        S.observationsPerPatient + S.conditionsPerPatient,
      );
      expect(await total(`/Patient/${id}/*?_type=Encounter&_summary=count`)).toBe(S.encountersPerPatient);
      expectOutcome(await get(`/Patient/${id}/*?_type=Medication`), 400);
      expectOutcome(await get(`/Patient/${id}/NoSuchType`), 404);
    });

    it('chains two levels, honours handling=lenient, and matches versioned canonicals', async () => {
      expect(await total(`/Observation?subject:Patient.organization.name=Ziekenhuis&_summary=count`)).toBe(
        OBSERVATIONS,
      );
      expectOutcome(await get('/Patient?unknown-param=1'), 400);
      const lenient = await get('/Patient?unknown-param=1&gender=male&_summary=count', {
        prefer: 'handling=lenient',
      });
      expect(lenient.status).toBe(200);
      expect(lenient.json<Bundle>().total).toBe(S.patients / 2);
      const ignoring = (
        await get('/Patient?gender:sounds-like=male&unknown-param=1&gender=male&_count=1', {
          prefer: 'handling=lenient',
        })
      ).json<Bundle>();
      expect(ignoring.total).toBe(S.patients / 2);
      expect(ignoring.link?.find((l) => l.relation === 'self')?.url).not.toMatch(/unknown-param|sounds-like/);
      const said = ignoring.entry?.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome;
      expect(said.issue?.[0]?.diagnostics).toMatch(/gender:sounds-like, unknown-param/);
      expectOutcome(await get('/Patient?gender:sounds-like=male'), 400);
      const versioned = encodeURIComponent(`${S.profile}|${S.profileVersion}`);
      expect(await total(`/Patient?_profile=${versioned}&_summary=count`)).toBe(S.patients / 2);
      expect(await total(`/Patient?_profile=${encodeURIComponent(`${S.profile}|9.9`)}&_summary=count`)).toBe(
        0,
      );
      const below = (version: string) =>
        total(`/Patient?_profile:below=${encodeURIComponent(`${S.profile}|${version}`)}&_summary=count`);
      expect(await below('1.2')).toBe(S.patients / 2);
      expect(await below('1.3')).toBe(0);
    });
  });

  describe('RESTful interactions (http.html)', () => {
    it('an unchanged update makes no new version; If-None-Match: * creates only; conditional read', async () => {
      const id = patientIds[10]!;
      const current = (await get(`/Patient/${id}`)).json<Patient>();
      const same = await call(app, 'PUT', `/Patient/${id}`, current);
      expect(same.status).toBe(200);
      expect(same.json<Patient>().meta?.versionId).toBe('1');
      expect(await total(`/Patient/${id}/_history`)).toBe(1);
      expectOutcome(await call(app, 'PUT', `/Patient/${id}`, current, { 'if-none-match': '*' }), 412);
      const fresh = await call(
        app,
        'PUT',
        '/Patient/brand-new',
        { resourceType: 'Patient', id: 'brand-new' },
        { 'if-none-match': '*' },
      );
      expect(fresh.status).toBe(201);
      expect((await get(`/Patient/${id}`, { 'if-none-match': 'W/"1"' })).status).toBe(304);
      expect((await get(`/Patient/${id}`, { 'if-none-match': 'W/"2"' })).status).toBe(200);
      expectOutcome(await call(app, 'PATCH', `/Patient/${id}`, []), 405);
      const subset = (await get(`/Patient/${id}?_elements=gender`)).json<Patient>();
      expect(Object.keys(subset).sort()).toEqual(['gender', 'id', 'meta', 'resourceType']);
      expect(subset.meta?.tag?.some((t) => t.code === 'SUBSETTED')).toBe(true);
      const summary = (await get(`/Patient/${id}/_history/1?_summary=true`)).json<Patient>();
      expect(summary.name).toBeDefined();
      expectOutcome(await get(`/Patient/${id}?_summary=count`), 400);
      expect((await call(app, 'DELETE', '/Patient/brand-new')).status).toBe(204);
      expectOutcome(await get('/Patient/brand-new'), 410);
    });

    it('updates conditionally: one match is updated, none creates, several are 412', async () => {
      const i = 12;
      const body: Patient = {
        resourceType: 'Patient',
        identifier: [{ system: MRN_SYSTEM, value: mrn(i) }],
        name: [{ family: `Synthetisch${i}` }],
        gender: 'unknown',
      };
      const one = await call(app, 'PUT', `/Patient?identifier=${MRN_SYSTEM}|${mrn(i)}`, body);
      expect(one.status, one.body).toBe(200);
      expect(one.json<Patient>().id).toBe(patientIds[i]);
      expect(one.json<Patient>().meta?.versionId).toBe('2');
      const none = await call(app, 'PUT', `/Patient?identifier=${MRN_SYSTEM}|NEW-1`, {
        ...body,
        identifier: [{ system: MRN_SYSTEM, value: 'NEW-1' }],
      });
      expect(none.status, none.body).toBe(201);
      expect(none.headers.location).toMatch(/\/Patient\/[\w-]+\/_history\/1$/);
      expectOutcome(await call(app, 'PUT', '/Patient?gender=male', body), 412);
      expectOutcome(await call(app, 'PUT', '/Patient', body), 400);
      expect((await call(app, 'DELETE', `/Patient?identifier=${MRN_SYSTEM}|NEW-1`)).status).toBe(204);
    });

    it('deletes conditionally: a single match is deleted, no match is a no-op, several are 412', async () => {
      const id = patientIds[20]!;
      const before = await total(`/Observation?subject=Patient/${id}&_summary=count`);
      const target = (await get(`/Observation?subject=Patient/${id}&_count=1`)).json<Bundle>().entry?.[0]
        ?.resource as Observation;
      expect((await call(app, 'DELETE', `/Observation?_id=${target.id}`)).status).toBe(204);
      expect(await total(`/Observation?subject=Patient/${id}&_summary=count`)).toBe(before - 1);
      expectOutcome(await get(`/Observation/${target.id}`), 410);
      expect((await call(app, 'DELETE', `/Observation?_id=never-there`)).status).toBe(204);
      expectOutcome(await call(app, 'DELETE', `/Observation?subject=Patient/${id}`), 412);
      expectOutcome(await call(app, 'DELETE', `/Observation`), 400);
    });
  });

  describe('operations', () => {
    it('$everything: her record and what it refers to, with total, paging and the R4 parameters', async () => {
      const i = 7;
      const id = patientIds[i]!;
      const referenced = medicationsOf(i).size + 1 /* practitioner */ + 1; /* organization */
      const entries = await complete(`/Patient/${id}/$everything?_count=7`);
      expect(entries).toHaveLength(PER_PATIENT + referenced);
      // Without _count: the whole record in one Bundle (what export and the overview rely on).
      const whole = (await get(`/Patient/${id}/$everything`)).json<Bundle>();
      expect(whole.entry).toHaveLength(PER_PATIENT + referenced);
      expect(whole.link?.some((l) => l.relation === 'next')).toBe(false);
      const keys = new Set(entries.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`));
      for (const med of medicationsOf(i)) expect(keys.has(`Medication/${med}`)).toBe(true);
      expect(keys.has(`Patient/${id}`)).toBe(true);
      expect([...keys].filter((k) => k.startsWith('Patient/'))).toHaveLength(1);
      expect(await total(`/Patient/${id}/$everything?_type=Observation`)).toBe(S.observationsPerPatient);
      // Observations are on days 0, 10, … 190 of 2020: January holds days 0, 10, 20, 30.
      expect(
        await total(`/Patient/${id}/$everything?_type=Observation&start=2020-01-01&end=2020-01-31`),
      ).toBe(4);
      expect(await total(`/Patient/${id}/$everything?_since=2999-01-01T00:00:00Z`)).toBe(0);
      const posted = await call(app, 'POST', `/Patient/${id}/$everything`, {
        resourceType: 'Parameters',
        parameter: [{ name: '_type', valueString: 'Condition' }],
      } satisfies Parameters);
      expect(posted.json<Bundle>().total).toBe(S.conditionsPerPatient);
      expectOutcome(await get(`/Patient/${id}/$everything?bogus=1`), 400);
    });

    it('refuses operations it does not have with 404 not-supported', async () => {
      expect(expectOutcome(await get('/Patient/$everything'), 404).issue?.[0]?.code).toBe('not-supported');
      expectOutcome(await call(app, 'POST', '/Patient/$validate', { resourceType: 'Patient' }), 404);
      expectOutcome(await get(`/Patient/${patientIds[0]}/$meta`), 404);
    });

    it('$versions names R4', async () => {
      const answer = (await get('/$versions')).json<Parameters>();
      expect(answer.parameter?.find((p) => p.name === 'default')?.valueCode).toBe('4.0');
    });
  });

  describe('bundles (http.html#transaction)', () => {
    it('a transaction with a conditional delete and a conditional update is atomic; a batch answers per entry', async () => {
      const id = patientIds[30]!;
      const conditionIds = (await get(`/Condition?subject=Patient/${id}`))
        .json<Bundle>()
        .entry!.map((e) => e.resource!.id);
      const transaction: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'DELETE', url: `Condition?_id=${conditionIds[0]}` } },
          {
            resource: {
              resourceType: 'Patient',
              identifier: [{ system: MRN_SYSTEM, value: mrn(30) }],
              active: true,
            },
            request: { method: 'PUT', url: `Patient?identifier=${MRN_SYSTEM}|${mrn(30)}` },
          },
        ],
      };
      const answer = await call(app, 'POST', '', transaction);
      expect(answer.status, answer.body).toBe(200);
      expect(answer.json<Bundle>().entry?.map((e) => e.response?.status)).toEqual([
        '204 No Content',
        '200 OK',
      ]);
      expect(await total(`/Condition?subject=Patient/${id}`)).toBe(S.conditionsPerPatient - 1);
      const failing: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'DELETE', url: `Condition?_id=${conditionIds[1]}` } },
          { request: { method: 'DELETE', url: `Observation?subject=Patient/${id}` } },
        ],
      };
      expectOutcome(await call(app, 'POST', '', failing), 412);
      const twice: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'DELETE', url: `Condition?_id=${conditionIds[1]}` } },
          { request: { method: 'DELETE', url: `Condition/${conditionIds[1]}` } },
        ],
      };
      expectOutcome(await call(app, 'POST', '', twice), 400);
      expect(await total(`/Condition?subject=Patient/${id}`)).toBe(S.conditionsPerPatient - 1);
      const batch: Bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: 'metadata' } },
          { request: { method: 'DELETE', url: `Condition?subject=Patient/${id}` } },
          { request: { method: 'GET', url: `Patient/${id}` } },
        ],
      };
      const batchAnswer = (await call(app, 'POST', '', batch)).json<Bundle>();
      expect(batchAnswer.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['200', '412', '200']);
      expect(batchAnswer.entry?.[0]?.resource?.resourceType).toBe('CapabilityStatement');
      const diagnostics = (batchAnswer.entry?.[1]?.response?.outcome as OperationOutcome).issue?.[0]
        ?.diagnostics;
      expect(diagnostics).toMatch(/^Bundle\.entry\[1\]: /);
    });
  });

  describe('formats and the CapabilityStatement (formats.html, capabilitystatement.html)', () => {
    it('serves XML on Accept and _format, reads XML bodies, and answers 406 to what it cannot serve', async () => {
      const id = patientIds[0]!;
      const xml = await get(`/Patient/${id}`, { accept: 'application/fhir+xml' });
      expect(xml.status).toBe(200);
      expect(xml.headers['content-type']).toMatch(/^application\/fhir\+xml/);
      const json = (await get(`/Patient/${id}`)).json<Patient>();
      expect(parseFhirXml(xml.body, conformanceModel().definitions)).toEqual(json);
      const bundleXml = await get(`/Observation?subject=Patient/${id}&_count=3&_format=xml`);
      const bundle = parseFhirXml(bundleXml.body, conformanceModel().definitions) as Bundle;
      expect(bundle.entry).toHaveLength(3);
      expect(bundle.total).toBe(S.observationsPerPatient);
      expectOutcome(await get(`/Patient/${id}`, { accept: 'text/plain' }), 406);
      expect((await get(`/Patient/${id}`, { accept: 'text/html, */*;q=0.8' })).status).toBe(200);
      const created = await call(
        app,
        'POST',
        '/Patient',
        xml.body.replace(/<id value="[^"]*"\/>/, '').replace(/<meta>.*?<\/meta>/, ''),
        {
          'content-type': 'application/fhir+xml',
          accept: 'application/fhir+xml',
        },
      );
      expect(created.status, created.body).toBe(201);
      expect(created.body).toContain('<Patient xmlns="http://hl7.org/fhir">');
      const error = await get('/Patient?unknown=1', { accept: 'application/fhir+xml' });
      expect(error.status).toBe(400);
      expect(error.body).toContain('<OperationOutcome');
    });

    it('serves a Binary as its own content type when asked', async () => {
      const binary = {
        resourceType: 'Binary',
        id: 'bin-1',
        contentType: 'text/plain',
        data: Buffer.from('hallo').toString('base64'),
      };
      expect((await call(app, 'PUT', '/Binary/bin-1', binary)).status).toBe(201);
      const raw = await get('/Binary/bin-1', { accept: 'text/plain' });
      expect(raw.status).toBe(200);
      expect(raw.headers['content-type']).toMatch(/^text\/plain/);
      expect(raw.body).toBe('hallo');
      expect((await get('/Binary/bin-1')).json<Resource>().resourceType).toBe('Binary');
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const created = await app.inject({
        method: 'POST',
        url: '/fhir/Binary',
        headers: { 'content-type': 'image/png' },
        payload: png,
      });
      expect(created.statusCode, created.body).toBe(201);
      const location = String(created.headers.location)
        .replace(/^.*\/fhir/, '')
        .replace(/\/_history\/.*$/, '');
      const back = await app.inject({
        method: 'GET',
        url: `/fhir${location}`,
        headers: { accept: 'image/png' },
      });
      expect(back.headers['content-type']).toBe('image/png');
      expect(back.rawPayload.equals(png)).toBe(true);
      const put = await app.inject({
        method: 'PUT',
        url: '/fhir/Binary/bin-2',
        headers: { 'content-type': 'application/pdf' },
        payload: Buffer.from('%PDF-1.4'),
      });
      expect(put.statusCode, put.body).toBe(201);
      expectOutcome(await call(app, 'POST', '/Patient', 'x', { 'content-type': 'image/png' }), 415);
    });

    it('the CapabilityStatement is valid R4, tells the truth and honours _elements and XML', async () => {
      const statement = (await get('/metadata')).json<CapabilityStatement>();
      expect(() => validateResource(statement, conformanceModel().definitions)).not.toThrow();
      expect(statement.kind).toBe('instance');
      expect(statement.implementation?.url).toBeTruthy();
      const rest = statement.rest![0]!;
      const types = rest.resource!.map((r) => r.type);
      expect(types).not.toContain('SubscriptionStatus');
      for (const type of types) expect(conformanceModel().registry.isResourceType(type)).toBe(true);
      expect(rest.interaction?.map((i) => i.code)).toEqual(
        expect.arrayContaining(['transaction', 'batch', 'search-system', 'history-system']),
      );
      const patient = rest.resource!.find((r) => r.type === 'Patient')!;
      expect(patient.conditionalDelete).toBe('single');
      expect(patient.conditionalUpdate).toBe(true);
      expect(patient.interaction?.map((i) => i.code)).not.toContain('patch');
      const subset = (await get('/metadata?_elements=fhirVersion')).json<CapabilityStatement>();
      expect(subset.fhirVersion).toBe('4.0.1');
      expect(subset.rest).toBeUndefined();
      const xml = await get('/metadata', { accept: 'application/fhir+xml' });
      expect(xml.body).toContain('<CapabilityStatement xmlns="http://hl7.org/fhir">');
    });
  });

  it('answers no input with a 5xx: odd parameters, formats and bodies get a 4xx with an OperationOutcome', async () => {
    const id = patientIds[40]!;
    const odd: Array<[string, string, unknown?, Record<string, string>?]> = [
      ['GET', '/?_type='],
      ['GET', '/?_type=Patient,Observation&_sort=-date'],
      ['GET', '/?_type=Patient,Observation&_include=*&_count=3'],
      ['GET', '/?_has:Observation:patient:code=x'],
      ['GET', '/?_type=Patient,Observation&subject.name=x'],
      ['GET', '/?_lastUpdated=nonsense'],
      ['GET', '/_history?_since=yesterday'],
      ['GET', '/_history?_count=-1'],
      ['GET', '/_history?_count=0'],
      ['GET', '/Patient/_history?_offset=999999'],
      ['GET', `/Encounter/x/Observation`],
      ['GET', `/Patient/${id}/$everything?start=garbage`],
      ['GET', `/Patient/${id}/$everything?_type=Nope`],
      ['GET', `/Patient/${id}/$everything?_count=abc`],
      ['GET', `/Patient/nobody/$everything`],
      ['GET', `/Patient/${id}/$unknown`],
      ['GET', `/Patient/${id}?_format=ttl`],
      ['GET', `/Patient/${id}`, undefined, { accept: 'application/pdf' }],
      ['GET', `/Observation?code=${'x,'.repeat(3000)}`],
      ['GET', `/Observation?subject:Patient.organization.partof.partof.name=x`],
      [
        'POST',
        '/Patient',
        '<Patient xmlns="http://hl7.org/fhir"><nonsense value="1"/></Patient>',
        { 'content-type': 'application/fhir+xml' },
      ],
      ['POST', '/Patient', '<Patient', { 'content-type': 'application/fhir+xml' }],
      [
        'POST',
        '',
        '<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/></Bundle>',
        { 'content-type': 'application/fhir+xml' },
      ],
      ['POST', `/Patient/${id}/$everything`, { resourceType: 'Patient' }],
      ['PUT', '/Patient?identifier=', { resourceType: 'Patient' }],
      ['PUT', `/Patient/${id}`, { resourceType: 'Patient', id }, { 'if-none-match': 'W/"1"' }],
      ['DELETE', '/Patient?unknown=1'],
      [
        'POST',
        '',
        {
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { request: { method: 'DELETE', url: 'Patient?gender=male' } },
            { request: { method: 'PUT', url: 'Patient?x' }, resource: { resourceType: 'Patient' } },
          ],
        },
      ],
    ];
    for (const [method, path, body, headers] of odd) {
      const answer = await call(app, method, path, body, headers);
      expect(answer.status, `${method} ${path.slice(0, 80)}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
      if (answer.status >= 400) expect(JSON.parse(answer.body).resourceType).toBe('OperationOutcome');
    }
  });

  it('classifies every routed request for an access guard', () => {
    const cases: Array<[string, string, Record<string, string>, unknown]> = [
      [
        'GET',
        '/fhir/:type/:id/:operation',
        { type: 'Patient', id: 'p1', operation: 'Observation' },
        {
          interaction: 'search-type',
          resourceType: 'Observation',
          compartment: { type: 'Patient', id: 'p1' },
        },
      ],
      [
        'GET',
        '/fhir/:type/:id/:operation',
        { type: 'Patient', id: 'p1', operation: '$everything' },
        { interaction: 'operation', resourceType: 'Patient', id: 'p1', operation: 'everything' },
      ],
      ['GET', '/fhir/', {}, { interaction: 'search-system' }],
      [
        'GET',
        '/fhir/:type/:id/:operation',
        { type: 'Patient', id: 'p1', operation: '*' },
        { interaction: 'search-system', compartment: { type: 'Patient', id: 'p1' } },
      ],
      ['GET', '/fhir/_history', {}, { interaction: 'history-system' }],
      [
        'DELETE',
        '/fhir/:type',
        { type: 'List' },
        { interaction: 'delete', resourceType: 'List', conditional: true },
      ],
      [
        'GET',
        '/fhir/:type/:id/_history/:vid',
        { type: 'Patient', id: 'p1', vid: '2' },
        { interaction: 'vread', resourceType: 'Patient', id: 'p1', versionId: '2' },
      ],
      ['GET', '/fhir/:type', { type: '$versions' }, { interaction: 'operation', operation: 'versions' }],
    ];
    for (const [method, routeUrl, params, expected] of cases) {
      expect(classifyFhirRequest({ method, routeUrl, params })).toEqual(expected);
    }
    expect(
      classifyFhirRequest({ method: 'POST', routeUrl: '/fhir', params: {}, body: { type: 'batch' } }),
    ).toEqual({ interaction: 'batch' });
    expect(classifyFhirRequest({ method: 'GET', routeUrl: '/portal/x', params: {} })).toBeUndefined();
    expect(
      classifyFhirRequest({
        method: 'HEAD',
        routeUrl: '/fhir/:type/:id',
        params: { type: 'Patient', id: 'p' },
      }),
    ).toEqual({
      interaction: 'read',
      resourceType: 'Patient',
      id: 'p',
    });
    expect(classifyFhirRequest({ method: 'GET', routeUrl: '/fhir', params: {} })).toEqual({
      interaction: 'search-system',
    });
  });
});

void SHARED;
