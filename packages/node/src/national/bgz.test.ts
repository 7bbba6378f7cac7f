// "The BgZ" of a client in a professional's overview, end to end over real HTTP: Maria's records
// at the maternity-care node, some of them BgZ sections and some not; Carla at the hospital asks
// for her BgZ. The holder answers each BgZ search through its guard (within Maria's consents), and
// the overview holds exactly the BgZ: the newest blood pressure, not every heart rate.
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSN_SYSTEM } from '@ketenlog/fhir';
import { MARIA_BSN } from '../demo/population.ts';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import {
  baseOf,
  clientAt,
  indexed,
  loginProfessional,
  seed,
  startExchangeRegion,
  type TestClient,
} from '../exchange/testing.ts';
import { OVERVIEW_STATUS_SYSTEM } from '@ketenlog/exchange';

const [KRAAMZORG, ZIEKENHUIS] = ['11110001', '11110003'];
const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
let region: RunningRegion;
let kraamzorg: RunningNode;
let ziekenhuis: RunningNode;
let maria: TestClient;
let carla: string;

const subject = { reference: 'Patient/maria-kz' };
const observation = (id: string, code: string, at: string, category: { system: string; code: string }[]) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [{ coding: category }],
  code: { coding: [{ system: LOINC, code }] },
  subject,
  effectiveDateTime: at,
  valueQuantity: { value: 1, unit: '1' },
});
const VITAL = [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }];
const LAB = [
  { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
  { system: SCT, code: '275711006' },
];

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, ZIEKENHUIS]);
  kraamzorg = region.node(KRAAMZORG);
  ziekenhuis = region.node(ZIEKENHUIS);
  await seed(kraamzorg, [
    { resourceType: 'Patient', id: 'maria-kz', identifier: [{ system: BSN_SYSTEM, value: MARIA_BSN }] },
    { resourceType: 'Condition', id: 'c1', subject, code: { text: 'Hypertensie' } },
    { resourceType: 'AllergyIntolerance', id: 'a1', patient: subject, code: { text: 'Penicilline' } },
    observation('bp-old', '85354-9', '2026-10-01T08:00:00Z', VITAL),
    observation('bp-new', '85354-9', '2026-11-01T08:00:00Z', VITAL),
    observation('hr-1', '8867-4', '2026-11-01T08:00:00Z', VITAL),
    observation('hb-old', '718-7', '2026-09-01T08:00:00Z', LAB),
    observation('hb-new', '718-7', '2026-11-02T08:00:00Z', LAB),
    {
      resourceType: 'MedicationStatement',
      id: 'm1',
      status: 'active',
      category: { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.3.11.60.20.77.5.3', code: '6' }] },
      medicationCodeableConcept: { text: 'metoprolol 50 mg' },
      subject,
    },
    {
      resourceType: 'MedicationStatement',
      id: 'm-other',
      status: 'active',
      medicationCodeableConcept: { text: 'x' },
      subject,
    },
  ] as never);
  const pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
  await indexed(ziekenhuis, pseudonym, [KRAAMZORG]);
  maria = await clientAt(kraamzorg, pseudonym);
  carla = await loginProfessional(ziekenhuis, 'pro:carla-bakker');
}, 120_000);
afterAll(async () => region?.close());

async function bgz(query = 'set=bgz'): Promise<{ status: number; bundle: Bundle }> {
  const response = await fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=maria-zh&${query}`, {
    headers: { cookie: carla },
  });
  return { status: response.status, bundle: (await response.json()) as Bundle };
}

const ids = (bundle: Bundle) =>
  (bundle.entry ?? [])
    .filter((e) => e.search?.mode === 'match')
    .map((e) => e.resource!.id!)
    .sort();
const withheld = (bundle: Bundle) =>
  (
    (bundle.entry ?? []).find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome | undefined
  )?.issue.filter((i) =>
    i.details?.coding?.some((c) => c.system === OVERVIEW_STATUS_SYSTEM && c.code === 'withheld'),
  ) ?? [];

describe("a professional's overview asking for the BgZ", () => {
  it('without her consent: nothing from the other holder, the BgZ categories it holds reported withheld', async () => {
    await seed(ziekenhuis, [
      { resourceType: 'Patient', id: 'maria-zh', identifier: [{ system: BSN_SYSTEM, value: MARIA_BSN }] },
    ] as never);
    const { status, bundle } = await bgz();
    expect(status).toBe(200);
    expect(ids(bundle).filter((id) => id !== 'maria-zh')).toEqual([]);
    const categories = withheld(bundle)
      .map((i) => i.details!.coding![1]!.code)
      .sort();
    expect(categories).toEqual(['allergies', 'laboratory', 'medication', 'problems', 'vital-signs']);
  });

  it('with her consent: exactly the BgZ — the newest blood pressure and lab result per code, no other records', async () => {
    await maria.consent({
      decision: 'grant',
      actor: { kind: 'organisation', ura: ZIEKENHUIS },
      categories: ['problems', 'allergies', 'vital-signs', 'laboratory', 'medication', 'demographics'],
      purpose: 'treatment',
    });
    let last: Bundle | undefined;
    await expect
      .poll(async () => ids((last = (await bgz()).bundle)).includes('c1'), { timeout: 15_000, interval: 200 })
      .toBe(true);
    expect(ids(last!)).toEqual(['a1', 'bp-new', 'c1', 'hb-new', 'm1', 'maria-kz']);
    expect(withheld(last!)).toEqual([]);
    expect(last!.total).toBeUndefined();
    // The FHIR way to the same: her $everything at Carla's own node, asking for the BgZ.
    const fhir = await fetch(`${baseOf(ziekenhuis)}/fhir/Patient/maria-zh/$everything?set=bgz`, {
      headers: { cookie: carla },
    });
    expect(ids((await fhir.json()) as Bundle)).toEqual(ids(last!));
  });

  it('refuses an unknown set, and a set together with categories', async () => {
    for (const query of ['set=everything', 'set=bgz&category=medication']) {
      const { status, bundle } = await bgz(query);
      expect(status).toBe(400);
      expect(bundle.resourceType).toBe('OperationOutcome');
    }
  });
});
