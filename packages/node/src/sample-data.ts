import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { isValidBsn } from '@ketenlog/fhir';

const FAMILY = [
  'de Vries',
  'Jansen',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'Bos',
];
const GIVEN = ['Anna', 'Sanne', 'Fleur', 'Eva', 'Lotte', 'Fatima', 'Noor', 'Julia', 'Emma', 'Sophie'];

/** Test BSNs: the 999xxxxxx range is reserved for testing; each passes the 11-proef. */
export function testBsns(count: number): string[] {
  const out: string[] = [];
  for (let n = 999_900_000; out.length < count && n < 999_999_999; n++) {
    const s = String(n);
    if (isValidBsn(s)) out.push(s);
  }
  return out;
}

/**
 * The sample organisation's data for `ketenlog start`: pregnant clients with a pregnancy condition,
 * blood pressure and weight observations and an encounter — one transaction bundle of PUTs, so
 * loading it twice changes nothing.
 */
export function sampleBundle(clients = 25): Bundle {
  const entry: BundleEntry[] = [];
  const put = (resource: Resource): void => {
    entry.push({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
  };
  testBsns(clients).forEach((bsn, i) => {
    const pid = `sample-client-${i + 1}`;
    const subject = { reference: `Patient/${pid}` };
    put({
      resourceType: 'Patient',
      id: pid,
      identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsn }],
      name: [{ family: FAMILY[i % FAMILY.length], given: [GIVEN[i % GIVEN.length]] }],
      gender: 'female',
      birthDate: `${1988 + (i % 12)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`,
    });
    put({
      resourceType: 'Condition',
      id: `${pid}-pregnancy`,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '77386006', display: 'Zwangerschap' }] },
      subject,
      onsetDateTime: `2026-0${1 + (i % 6)}-15`,
    });
    for (let k = 0; k < 3; k++) {
      const date = `2026-${String(7 + k).padStart(2, '0')}-${String(1 + i).padStart(2, '0')}T09:30:00+02:00`;
      put({
        resourceType: 'Observation',
        id: `${pid}-bp-${k}`,
        status: 'final',
        category: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
            ],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Bloeddruk' }] },
        subject,
        effectiveDateTime: date,
        component: [
          {
            code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
            valueQuantity: {
              value: 110 + ((i + k) % 25),
              unit: 'mmHg',
              system: 'http://unitsofmeasure.org',
              code: 'mm[Hg]',
            },
          },
          {
            code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
            valueQuantity: {
              value: 70 + ((i * k) % 15),
              unit: 'mmHg',
              system: 'http://unitsofmeasure.org',
              code: 'mm[Hg]',
            },
          },
        ],
      });
      put({
        resourceType: 'Observation',
        id: `${pid}-weight-${k}`,
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Lichaamsgewicht' }] },
        subject,
        effectiveDateTime: date,
        valueQuantity: {
          value: 62 + (i % 20) + k,
          unit: 'kg',
          system: 'http://unitsofmeasure.org',
          code: 'kg',
        },
      });
    }
    put({
      resourceType: 'Encounter',
      id: `${pid}-visit`,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject,
      period: {
        start: `2026-07-${String(1 + i).padStart(2, '0')}T09:00:00+02:00`,
        end: `2026-07-${String(1 + i).padStart(2, '0')}T09:45:00+02:00`,
      },
    });
  });
  return { resourceType: 'Bundle', type: 'transaction', entry };
}
