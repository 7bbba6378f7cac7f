/**
 * Synthetic benchmark dataset: patients with Dutch names and observations with LOINC codes.
 * Deterministic (a seeded generator), so every run and engine loads the same data.
 */
import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';

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
const GIVEN = [
  'Anna',
  'Sanne',
  'Fleur',
  'Eva',
  'Lotte',
  'Daan',
  'Sem',
  'Lucas',
  'Milan',
  'Noah',
  'Julia',
  'Emma',
];
export const CODES = [
  { code: '8867-4', display: 'Heart rate', unit: '/min', base: 70 },
  { code: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', base: 120 },
  { code: '29463-7', display: 'Body weight', unit: 'kg', base: 75 },
  { code: '2339-0', display: 'Glucose', unit: 'mmol/L', base: 6 },
  { code: '8310-5', display: 'Body temperature', unit: 'Cel', base: 37 },
];

/** xorshift32: benchmark data only, never security. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export function patient(i: number): Patient {
  return {
    resourceType: 'Patient',
    id: `bench-p${i}`,
    name: [{ family: FAMILY[i % FAMILY.length], given: [GIVEN[(i * 7) % GIVEN.length]!] }],
    gender: i % 2 ? 'female' : 'male',
    birthDate: `${1950 + (i % 60)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
  };
}

export function observation(i: number, patients: number, rnd: () => number): Observation {
  const c = CODES[i % CODES.length]!;
  const day = 1 + (i % 28);
  return {
    resourceType: 'Observation',
    id: `bench-o${i}`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: c.code, display: c.display }] },
    subject: { reference: `Patient/bench-p${i % patients}` },
    effectiveDateTime: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}T08:00:00Z`,
    valueQuantity: {
      value: Math.round(c.base * (0.8 + 0.4 * rnd()) * 10) / 10,
      unit: c.unit,
      system: 'http://unitsofmeasure.org',
      code: c.unit,
    },
  };
}

/** Transaction bundles of PUTs (idempotent: re-running the load changes nothing). */
export function* batches(patients: number, observations: number, size: number): Generator<Bundle> {
  const rnd = prng(42);
  let entries: NonNullable<Bundle['entry']> = [];
  const flush = (): Bundle => {
    const b: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
    entries = [];
    return b;
  };
  for (let i = 0; i < patients; i++) {
    entries.push({ resource: patient(i), request: { method: 'PUT', url: `Patient/bench-p${i}` } });
    if (entries.length === size) yield flush();
  }
  for (let i = 0; i < observations; i++) {
    entries.push({
      resource: observation(i, patients, rnd),
      request: { method: 'PUT', url: `Observation/bench-o${i}` },
    });
    if (entries.length === size) yield flush();
  }
  if (entries.length) yield flush();
}
