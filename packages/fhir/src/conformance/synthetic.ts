import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/**
 * A deterministic synthetic care record of realistic shape for the conformance suite: shared
 * Organization, Practitioners and Medications, then per patient her Observations, Conditions,
 * Encounters and MedicationRequests, each patient one transaction bundle with `urn:uuid`
 * references. The counts below are the known truth the suite asserts against.
 */
export const SYNTHETIC = {
  patients: 80,
  observationsPerPatient: 20,
  conditionsPerPatient: 3,
  encountersPerPatient: 3,
  medicationRequestsPerPatient: 4,
  practitioners: 3,
  medications: 5,
  /** LOINC codes, cycled over each patient's observations. */
  observationCodes: ['8867-4', '29463-7', '8480-6', '2339-0'],
  profile: 'http://example.org/fhir/StructureDefinition/synthetic-patient',
  profileVersion: '1.2.3',
} as const;

export const MRN_SYSTEM = 'urn:example:mrn';
export const LOINC = 'http://loinc.org';

/** Resources a patient's own bundle holds. */
export const PER_PATIENT =
  1 +
  SYNTHETIC.observationsPerPatient +
  SYNTHETIC.conditionsPerPatient +
  SYNTHETIC.encountersPerPatient +
  SYNTHETIC.medicationRequestsPerPatient;

/** The shared resources: one Organization, the Practitioners and the Medications. */
export const SHARED = 1 + SYNTHETIC.practitioners + SYNTHETIC.medications;

export const TOTAL_RESOURCES = SHARED + SYNTHETIC.patients * PER_PATIENT;

const post = (fullUrl: string, resource: Resource): BundleEntry => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: resource.resourceType },
});

const day = (offset: number): string =>
  new Date(Date.UTC(2020, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

/** The shared resources, with client-chosen ids (PUT), so patients' bundles can refer to them. */
export function sharedBundle(): Bundle {
  const put = (resource: Resource): BundleEntry => ({
    resource,
    request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'org-1', name: 'Ziekenhuis Synthetisch' }),
      ...Array.from({ length: SYNTHETIC.practitioners }, (_, i) =>
        put({ resourceType: 'Practitioner', id: `prac-${i}`, name: [{ family: `Arts${i}` }] }),
      ),
      ...Array.from({ length: SYNTHETIC.medications }, (_, i) =>
        put({
          resourceType: 'Medication',
          id: `med-${i}`,
          code: { coding: [{ system: 'http://snomed.info/sct', code: `10000${i}` }] },
        }),
      ),
    ],
  };
}

/** Patient `i`'s record as one transaction bundle. */
export function patientBundle(i: number): Bundle {
  const patientUrl = `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const subject = { reference: patientUrl };
  const entry: BundleEntry[] = [
    post(patientUrl, {
      resourceType: 'Patient',
      ...(i % 2 === 0 ? { meta: { profile: [`${SYNTHETIC.profile}|${SYNTHETIC.profileVersion}`] } } : {}),
      identifier: [{ system: MRN_SYSTEM, value: mrn(i) }],
      name: [{ family: `Synthetisch${i}`, given: ['Test'] }],
      gender: i % 2 === 0 ? 'female' : 'male',
      birthDate: `${1940 + (i % 60)}-06-15`,
      managingOrganization: { reference: 'Organization/org-1' },
    }),
  ];
  let n = 0;
  const next = (): string => `urn:uuid:00000000-0000-4000-9000-${String(i * 1000 + n++).padStart(12, '0')}`;
  for (let k = 0; k < SYNTHETIC.observationsPerPatient; k++) {
    entry.push(
      post(next(), {
        resourceType: 'Observation',
        status: 'final',
        code: {
          coding: [
            { system: LOINC, code: SYNTHETIC.observationCodes[k % SYNTHETIC.observationCodes.length] },
          ],
        },
        subject,
        performer: [{ reference: `Practitioner/prac-${i % SYNTHETIC.practitioners}` }],
        effectiveDateTime: `${day(k * 10)}T09:00:00Z`,
        valueQuantity: { value: 60 + k, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
      }),
    );
  }
  for (let k = 0; k < SYNTHETIC.conditionsPerPatient; k++) {
    entry.push(
      post(next(), {
        resourceType: 'Condition',
        subject,
        code: { coding: [{ system: 'http://snomed.info/sct', code: `2000${k}` }] },
        recordedDate: day(k * 100),
      }),
    );
  }
  for (let k = 0; k < SYNTHETIC.encountersPerPatient; k++) {
    entry.push(
      post(next(), {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject,
        period: { start: `${day(k * 50)}T10:00:00Z`, end: `${day(k * 50)}T11:00:00Z` },
      }),
    );
  }
  for (let k = 0; k < SYNTHETIC.medicationRequestsPerPatient; k++) {
    entry.push(
      post(next(), {
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        subject,
        medicationReference: { reference: `Medication/med-${(i + k) % SYNTHETIC.medications}` },
        authoredOn: day(k * 30),
      }),
    );
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

export const mrn = (i: number): string => `MRN-${String(i).padStart(5, '0')}`;

/** The Medications patient `i`'s MedicationRequests refer to. */
export function medicationsOf(i: number): Set<string> {
  return new Set(
    Array.from(
      { length: SYNTHETIC.medicationRequestsPerPatient },
      (_, k) => `med-${(i + k) % SYNTHETIC.medications}`,
    ),
  );
}
