// One BSN, one person: the rule every Patient write at a node passes.
import type { Bundle, Observation, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProblemError } from './outcome.ts';
import { matchPatients, PatientIdentityRepository } from './patient-identity.ts';
import { PatientReviewQueue } from './patient-review.ts';
import { SearchParameterRegistry } from './search/definitions.ts';
import { FhirSearchIndex } from './search/search-index.ts';
import { SqlFhirRepository } from './repository/sql-repository.ts';
import { BSN_SYSTEM } from './validation/bsn.ts';

const BASE = 'http://127.0.0.1:8080/fhir';
const registry = SearchParameterRegistry.load();
const BSN = '999990019';

const maria = (extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: BSN_SYSTEM, value: BSN }],
  name: [{ family: 'de Vries', given: ['Maria'] }],
  birthDate: '1994-03-12',
  ...extra,
});
const stranger = (extra: Partial<Patient> = {}): Patient =>
  maria({ name: [{ family: 'Klaassen', given: ['Johanna'] }], birthDate: '1934-04-28', ...extra });

async function refusal(promise: Promise<unknown>): Promise<{ status: number; outcome: OperationOutcome }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return { status: error.status, outcome: error.outcome };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.each(testDatabases())('PatientIdentityRepository on $name', ({ open }) => {
  let db: Db;
  let repo: PatientIdentityRepository;
  let stored: Patient;
  beforeEach(async () => {
    db = await open();
    repo = new PatientIdentityRepository(await SqlFhirRepository.open(db, new FhirSearchIndex(registry)));
    stored = (await repo.create(maria())).resource;
  });
  afterEach(async () => db.close());

  const patients = async () =>
    (await repo.search({ resourceType: 'Patient', params: [], baseUrl: BASE })).entry?.length;

  it('refuses another person under a stored BSN, naming the record and the fields that differ', async () => {
    const created = await refusal(repo.create(stranger()));
    expect(created.status).toBe(409);
    expect(created.outcome.issue[0]).toMatchObject({
      code: 'conflict',
      expression: ['Patient.identifier[0]'],
    });
    expect(created.outcome.issue[0]!.diagnostics).toMatch(
      new RegExp(`already belongs to Patient/${stored.id}, whose name and birth date differ`),
    );
    expect(created.outcome.issue[0]!.diagnostics).not.toContain(BSN);
    const updated = await refusal(repo.update(stranger({ id: 'nl-core-Patient-01' })));
    expect(updated.status).toBe(409);
    const born = await refusal(repo.create(maria({ birthDate: '1995-01-01' })));
    expect(born.outcome.issue[0]!.diagnostics).toMatch(/whose birth date differs/);
    expect(await patients()).toBe(1);
  });

  it('recognises the same person arriving again instead of storing her twice', async () => {
    const again = await repo.create(maria({ name: [{ family: 'De  Vriës', given: ['Maria', 'J.'] }] }));
    expect(again).toMatchObject({ created: false, resource: { id: stored.id } });
    const elsewhere = await refusal(repo.update(maria({ id: 'maria-again' })));
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.outcome.issue[0]).toMatchObject({ code: 'duplicate' });
    expect(elsewhere.outcome.issue[0]!.diagnostics).toMatch(
      new RegExp(`write to Patient/${stored.id} instead`),
    );
    // Her own record may be corrected.
    const corrected = await repo.update({ ...stored, birthDate: '1994-03-13' });
    expect(corrected.resource.birthDate).toBe('1994-03-13');
    expect(await patients()).toBe(1);
  });

  it('in a transaction: points her entries at the stored Patient, and refuses a stranger as a whole', async () => {
    const transaction = (patient: Patient): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:p', resource: patient, request: { method: 'POST', url: 'Patient' } },
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'bloeddruk' },
            subject: { reference: 'urn:uuid:p' },
          } as Observation,
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    const response = await repo.processBundle(transaction(maria()), BASE);
    expect(response.entry?.[0]?.response?.status).toMatch(/^200/);
    const observation = await repo.read<Observation>(
      'Observation',
      response.entry![1]!.response!.location!.split('/')[1]!,
    );
    expect(observation.subject?.reference).toBe(`Patient/${stored.id}`);

    const refused = await refusal(repo.processBundle(transaction(stranger()), BASE));
    expect(refused.status).toBe(409);
    expect(refused.outcome.issue[0]!.diagnostics).toMatch(/^Bundle\.entry\[0\]: the BSN/);
    expect(await patients()).toBe(1);
  });

  it('in a batch: refuses the stranger, keeps the rest; two people under one BSN in one bundle conflict', async () => {
    const other: Patient = { resourceType: 'Patient', name: [{ family: 'Bos' }] };
    const batch = await repo.processBundle(
      {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: stranger(), request: { method: 'POST', url: 'Patient' } },
          { resource: other, request: { method: 'POST', url: 'Patient' } },
        ],
      },
      BASE,
    );
    expect(batch.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['409', '201']);
    const twoInOne = maria({ identifier: [{ system: BSN_SYSTEM, value: '999990020' }] });
    const inOne = await refusal(
      repo.processBundle(
        {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: twoInOne, request: { method: 'POST', url: 'Patient' } },
            {
              resource: stranger({ identifier: twoInOne.identifier }),
              request: { method: 'POST', url: 'Patient' },
            },
          ],
        },
        BASE,
      ),
    );
    expect(inOne.outcome.issue[0]!.diagnostics).toMatch(/also in Bundle\.entry\[0\]/);
  });

  it('held for review where configured: a batch entry answers 202, a transaction is still refused', async () => {
    const reviews = await PatientReviewQueue.open(db);
    const reviewing = new PatientIdentityRepository(repo, { reviews });
    const held = await refusal(reviewing.create(stranger()));
    expect(held.status).toBe(202);
    expect(held.outcome.issue[0]).toMatchObject({ severity: 'information', code: 'informational' });
    const bundle = (type: 'batch' | 'transaction'): Bundle => ({
      resourceType: 'Bundle',
      type,
      entry: [
        { resource: stranger({ birthDate: '1940-01-01' }), request: { method: 'POST', url: 'Patient' } },
      ],
    });
    const batch = await reviewing.processBundle(bundle('batch'), BASE);
    expect(batch.entry?.[0]?.response?.status).toBe('202');
    expect((await refusal(reviewing.processBundle(bundle('transaction'), BASE))).status).toBe(409);
    const pending = await reviews.list('pending');
    expect(pending.map((r) => r.patient.birthDate)).toEqual(['1934-04-28', '1940-01-01']);
    expect(pending.every((r) => r.conflictsWith === `Patient/${stored.id}`)).toBe(true);
    expect(await patients()).toBe(1);
    // Without a queue there is nothing to decide.
    expect(await repo.decideReview(pending[0]!.id, 'reject', 'pro:x')).toMatchObject({ ok: false });
  });

  it('two creates of one new person at once store one Patient', async () => {
    const newcomer = maria({
      identifier: [{ system: BSN_SYSTEM, value: '999990032' }],
      name: [{ family: 'Smit' }],
    });
    const results = await Promise.all([repo.create(newcomer), repo.create(newcomer)]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]!.resource.id).toBe(results[1]!.resource.id);
  });

  it('$match: certain by BSN, certainly-not for a conflict, probable by family name and birth date', async () => {
    const noBsn = (
      await repo.create<Patient>({
        resourceType: 'Patient',
        name: [{ family: 'Smit', given: ['Eva'] }],
        birthDate: '1990-02-02',
      })
    ).resource;
    const byBsn = await matchPatients(repo, maria(), BASE);
    expect(byBsn.entry?.map((e) => [e.resource?.id, e.search?.extension?.[0]?.valueCode])).toEqual([
      [stored.id, 'certain'],
    ]);
    expect((await matchPatients(repo, stranger(), BASE)).entry?.[0]?.search?.extension?.[0]?.valueCode).toBe(
      'certainly-not',
    );
    expect((await matchPatients(repo, stranger(), BASE, { onlyCertainMatches: true })).entry).toEqual([]);
    const probable = await matchPatients(
      repo,
      { resourceType: 'Patient', name: [{ family: 'Smit', given: ['Eva'] }], birthDate: '1990-02-02' },
      BASE,
    );
    expect(probable.entry?.[0]).toMatchObject({
      resource: { id: noBsn.id },
      search: { mode: 'match', score: 0.8 },
    });
  });
});
