import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { SearchParameterRegistry } from './definitions.ts';
import { extractIndexRows } from './extract.ts';
import type { IndexRow } from './index-rows.ts';

let registry: SearchParameterRegistry;
beforeAll(() => {
  registry = SearchParameterRegistry.load();
});

const rowsOf = (resource: Resource, param: string): IndexRow[] =>
  extractIndexRows(registry, resource).filter((r) => r.param === param);

describe('extractIndexRows', () => {
  it('indexes every part of a HumanName, normalised, for name and only the family for family', () => {
    const patient: Resource = {
      resourceType: 'Patient',
      name: [{ family: 'Müller', given: ['Ëlla', 'Jo'], prefix: ['Dr.'] }],
    };
    expect(rowsOf(patient, 'name').map((r) => r.kind === 'string' && r.norm)).toEqual([
      'muller',
      'ella',
      'jo',
      'dr.',
    ]);
    expect(rowsOf(patient, 'family')).toEqual([
      { kind: 'string', param: 'family', norm: 'muller', exact: 'Müller' },
    ]);
  });

  it('indexes each coding of a CodeableConcept and its text', () => {
    const observation: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: {
        coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic' }],
        text: 'Bloeddruk',
      },
    };
    expect(rowsOf(observation, 'code')).toEqual([
      { kind: 'token', param: 'code', system: 'http://loinc.org', code: '8480-6', text: 'systolic' },
      { kind: 'token', param: 'code', system: '', code: '', text: 'bloeddruk' },
    ]);
    expect(rowsOf(observation, 'status')).toEqual([
      { kind: 'token', param: 'status', system: '', code: 'final', text: '' },
    ]);
  });

  it('indexes identifiers as system|value and booleans as codes', () => {
    const patient: Resource = {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:mrn', value: '42' }],
      active: true,
    };
    expect(rowsOf(patient, 'identifier')).toEqual([
      { kind: 'token', param: 'identifier', system: 'urn:mrn', code: '42', text: '' },
    ]);
    expect(rowsOf(patient, 'active')).toEqual([
      { kind: 'token', param: 'active', system: '', code: 'true', text: '' },
    ]);
  });

  it('restricts a reference parameter by `resolve() is Patient` to references to patients', () => {
    const toPatient: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      subject: { reference: 'Patient/p1' },
    };
    const toGroup: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      subject: { reference: 'Group/g1' },
    };
    expect(rowsOf(toPatient, 'patient')).toEqual([
      { kind: 'reference', param: 'patient', targetType: 'Patient', targetId: 'p1', url: 'Patient/p1' },
    ]);
    expect(rowsOf(toGroup, 'patient')).toEqual([]);
    expect(rowsOf(toGroup, 'subject')).toHaveLength(1);
  });

  it('keeps absolute and canonical references as urls only', () => {
    const observation: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      subject: { reference: 'https://elders.example/fhir/Patient/9' },
    };
    expect(rowsOf(observation, 'subject')).toEqual([
      {
        kind: 'reference',
        param: 'subject',
        targetType: '',
        targetId: '',
        url: 'https://elders.example/fhir/Patient/9',
      },
    ]);
  });

  it('resolves choice types: effectivePeriod for date, valueQuantity for value-quantity', () => {
    const observation: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      effectivePeriod: { start: '2020-03-10' },
      valueQuantity: { value: 5.4, system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    };
    expect(rowsOf(observation, 'date')).toEqual([
      { kind: 'date', param: 'date', lo: Date.parse('2020-03-10'), hi: null },
    ]);
    expect(rowsOf(observation, 'value-quantity')).toEqual([
      {
        kind: 'quantity',
        param: 'value-quantity',
        value: 5.4,
        system: 'http://unitsofmeasure.org',
        code: 'mmol/L',
      },
    ]);
  });

  it('indexes an `as` narrowing only for the named type (Condition.onset as Age)', () => {
    const condition: Resource = {
      resourceType: 'Condition',
      subject: { reference: 'Patient/p' },
      onsetAge: { value: 40, unit: 'a' },
    };
    expect(rowsOf(condition, 'onset-age')).toEqual([
      { kind: 'quantity', param: 'onset-age', value: 40, system: '', code: 'a' },
    ]);
    expect(rowsOf(condition, 'onset-date')).toEqual([]);
  });

  it('indexes numbers and uris', () => {
    const riskAssessment: Resource = {
      resourceType: 'RiskAssessment',
      status: 'final',
      subject: { reference: 'Patient/p' },
      prediction: [{ probabilityDecimal: 0.25 }],
    };
    expect(rowsOf(riskAssessment, 'probability')).toEqual([
      { kind: 'number', param: 'probability', value: 0.25 },
    ]);
    const valueSet: Resource = {
      resourceType: 'ValueSet',
      status: 'active',
      url: 'http://example.org/fhir/ValueSet/x',
    };
    expect(rowsOf(valueSet, 'url')).toEqual([
      { kind: 'uri', param: 'url', value: 'http://example.org/fhir/ValueSet/x' },
    ]);
  });

  it('falls back to full FHIRPath for expressions beyond simple paths (Patient.deceased)', () => {
    const patient: Resource = { resourceType: 'Patient', deceasedDateTime: '2020-01-01' };
    expect(rowsOf(patient, 'deceased')).toEqual([
      { kind: 'token', param: 'deceased', system: '', code: 'true', text: '' },
    ]);
  });

  it('skips values it cannot read instead of failing (a malformed date)', () => {
    const patient: Resource = { resourceType: 'Patient', birthDate: 'not-a-date' };
    expect(rowsOf(patient, 'birthdate')).toEqual([]);
  });
});
