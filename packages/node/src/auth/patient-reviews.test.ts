// A node with `patientIdentity: { onConflict: review }` over real HTTP: another person under a
// stored BSN is held (202, an OperationOutcome saying it awaits review), not attached; the
// organisation's administrator lists the held Patients and decides — a new person with her own
// BSN, the same person (merge), or reject — and nothing held is lost. Others may not decide.
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrganisation, loadRegionConfig } from '@ketenlog/region';
import { demoSystem, rememberDemoSystem, systemAuthorization } from '../region/demo-system.ts';
import { memberNodeConfig } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import { startNode, type RunningNode } from '../server.ts';
import { PATIENT_REVIEWS_PATH } from './patient-reviews.ts';
import { logInProfessional } from './testing.ts';

const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
const BSN = '999990044';
let node: RunningNode;
let base: string;
let karin: string;
let stored: Patient;

const person = (family: string, given: string, birthDate: string, bsn = BSN): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: BSN_SYSTEM, value: bsn }],
  name: [{ family, given: [given] }],
  birthDate,
});

beforeAll(async () => {
  const files = await demoRegionOnFreePorts({ members: 2, quorum: 1 });
  const organisation = findOrganisation(loadRegionConfig(files.regionFile), '11110001')!;
  const system = await demoSystem(files.dataDir);
  node = await startNode(
    {
      ...memberNodeConfig(organisation, { ...files, logLevel: 'fatal' }, [system.client]),
      patientIdentity: { onConflict: 'review', reviewers: ['administratie'] },
    },
    { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  );
  rememberDemoSystem(node, system);
  base = node.fhirBase.replace(/\/fhir$/, '');
  stored = (await node.repository.create(person('Bakker', 'Fleur', '1991-05-05'))).resource;
  karin = await logInProfessional(base, 'pro:karin-dewit');
}, 60_000);
afterAll(async () => node?.close());

const createPatient = async (patient: Patient) =>
  fetch(`${node.fhirBase}/Patient`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', authorization: await systemAuthorization(node) },
    body: JSON.stringify(patient),
  });
const api = (path: string, cookie: string, body?: unknown) =>
  fetch(`${base}${PATIENT_REVIEWS_PATH}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const patientsWith = async (bsn: string) =>
  (
    await node.repository.search({
      resourceType: 'Patient',
      params: [['identifier', `${BSN_SYSTEM}|${bsn}`]],
      baseUrl: node.fhirBase,
    })
  ).entry ?? [];

/** Holds another person under the stored BSN; the review's id from the answer. */
async function hold(patient: Patient): Promise<string> {
  const held = await createPatient(patient);
  expect(held.status).toBe(202);
  const outcome = await held.json();
  expect(outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'information' }] });
  expect(outcome.issue[0].diagnostics).toMatch(
    new RegExp(`Held for review \\(patient review [0-9a-f-]{36}\\).*Patient/${stored.id}`),
  );
  return /patient review ([0-9a-f-]{36})/.exec(outcome.issue[0].diagnostics)![1]!;
}

describe('patients held for review', () => {
  it('holds a conflicting Patient, and the administrator decides: a new person, a merge, a rejection', async () => {
    const noor = await hold(person('Visser', 'Noor', '1988-02-02'));
    expect(await patientsWith(BSN)).toHaveLength(1); // not attached
    const listed = await (await api('?status=pending', karin)).json();
    expect(listed.reviews).toEqual([
      expect.objectContaining({ id: noor, status: 'pending', conflictsWith: `Patient/${stored.id}` }),
    ]);
    expect(listed.reviews[0].patient.name[0].family).toBe('Visser');

    // A new person: her own BSN corrected; a wrong one is refused and the review stays pending.
    expect((await api(`/${noor}/decision`, karin, { decision: 'new-person', bsn: '123' })).status).toBe(400);
    expect((await api(`/${noor}/decision`, karin, { decision: 'new-person', bsn: BSN })).status).toBe(400);
    const decided = await api(`/${noor}/decision`, karin, { decision: 'new-person', bsn: '999912343' });
    expect(decided.status).toBe(200);
    const review = await decided.json();
    expect(review).toMatchObject({ status: 'new-person', decidedBy: 'pro:karin-dewit' });
    expect(await patientsWith('999912343')).toEqual([
      expect.objectContaining({
        resource: expect.objectContaining({ id: review.result.replace('Patient/', '') }),
      }),
    ]);
    expect((await api(`/${noor}/decision`, karin, { decision: 'reject' })).status).toBe(409);

    // The same person after all (her name was recorded wrongly): her record's next version.
    const fleur = await hold(person('Bakker-de Jong', 'Floor', '1991-05-05'));
    expect((await api(`/${fleur}/decision`, karin, { decision: 'merge' })).status).toBe(200);
    const merged = await node.repository.read<Patient>('Patient', stored.id!);
    expect(merged.name?.[0]?.family).toBe('Bakker-de Jong');
    expect(merged.meta?.versionId).not.toBe(stored.meta?.versionId);

    // Rejected: nothing written, and the held Patient is still there to read.
    const other = await hold(person('Jansen', 'Piet', '1950-01-01'));
    expect((await api(`/${other}/decision`, karin, { decision: 'reject' })).status).toBe(200);
    const kept = await (await api(`/${other}`, karin)).json();
    expect(kept).toMatchObject({ status: 'rejected', patient: { name: [{ family: 'Jansen' }] } });
    expect(await patientsWith(BSN)).toHaveLength(1);
  });

  it('lets only the organisation’s administrators decide, and refuses malformed requests plainly', async () => {
    const id = await hold(person('de Boer', 'Sanne', '1979-09-09'));
    expect((await api('', '')).status).toBe(401);
    const anna = await logInProfessional(base, 'pro:anna-jansen');
    expect((await api('', anna)).status).toBe(403);
    expect((await api(`/${id}/decision`, anna, { decision: 'reject' })).status).toBe(403);
    expect((await api('?status=unknown', karin)).status).toBe(400);
    expect((await api(`/${id}/decision`, karin, { decision: 'forget' })).status).toBe(400);
    expect((await api('/not-a-review', karin)).status).toBe(404);
    const unknown = await api('/00000000-0000-0000-0000-000000000000/decision', karin, {
      decision: 'reject',
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).resourceType).toBe('OperationOutcome');
  });
});
