import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { ProblemError } from '../outcome.ts';
import { validateResource } from './validate.ts';

const defs = FhirDefinitions.load();

const observation = {
  resourceType: 'Observation',
  id: 'bp-1',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2024-05-01T10:00:00+02:00',
  valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
};

/** The issues of the ProblemError that validating `resource` throws. */
function issuesOf(resource: unknown): OperationOutcomeIssue[] {
  try {
    validateResource(resource, defs);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).status).toBe(400);
    return (error as ProblemError).outcome.issue ?? [];
  }
  throw new Error('expected validation to fail');
}

const expressions = (resource: unknown): string[] => issuesOf(resource).flatMap((i) => i.expression ?? []);

describe('validateResource', () => {
  it('accepts a typical Observation', () => {
    expect(() => validateResource(observation, defs)).not.toThrow();
  });

  it('accepts primitive extensions, aligned with nulls in repeating primitives', () => {
    const patient = {
      resourceType: 'Patient',
      name: [
        { given: ['Jan', null], _given: [null, { extension: [{ url: 'http://x', valueString: 'J.' }] }] },
      ],
      _gender: {
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' },
        ],
      },
    };
    expect(() => validateResource(patient, defs)).not.toThrow();
  });

  it('rejects a body that is not a JSON object', () => {
    expect(issuesOf([observation])[0]?.diagnostics).toContain('JSON object');
    expect(issuesOf('Observation')).toHaveLength(1);
  });

  it('rejects an unknown resource type', () => {
    expect(issuesOf({ resourceType: 'Foo' })[0]?.diagnostics).toBe('Unknown resource type "Foo"');
    expect(issuesOf({ id: 'x' })[0]?.diagnostics).toContain('resourceType');
  });

  it('names an unknown element', () => {
    const issues = issuesOf({ ...observation, colour: 'red' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'structure', expression: ['Observation.colour'] });
    expect(issues[0]?.diagnostics).toContain('colour');
  });

  it('rejects a primitive of the wrong JSON type', () => {
    expect(expressions({ resourceType: 'Patient', active: 'yes' })).toEqual(['Patient.active']);
    expect(expressions({ ...observation, valueQuantity: { value: '72' } })).toEqual([
      'Observation.valueQuantity.value',
    ]);
  });

  it('checks primitive formats and ranges', () => {
    expect(expressions({ resourceType: 'Patient', birthDate: '1934-13-01' })).toEqual(['Patient.birthDate']);
    expect(expressions({ ...observation, effectiveDateTime: '2024-05-01T10:00' })).toEqual([
      'Observation.effectiveDateTime',
    ]);
    expect(expressions({ ...observation, issued: '2024-05-01' })).toEqual(['Observation.issued']);
    expect(expressions({ ...observation, id: 'not valid!' })).toEqual(['Observation.id']);
    expect(expressions({ resourceType: 'Patient', multipleBirthInteger: 1.5 })).toEqual([
      'Patient.multipleBirthInteger',
    ]);
    expect(expressions({ resourceType: 'Patient', photo: [{ size: -1 }] })).toEqual([
      'Patient.photo[0].size',
    ]);
    expect(expressions({ resourceType: 'Patient', photo: [{ data: 'not base64!' }] })).toEqual([
      'Patient.photo[0].data',
    ]);
    expect(() => validateResource({ resourceType: 'Patient', birthDate: '1934' }, defs)).not.toThrow();
  });

  it('rejects an array where a single value is expected, and a single value where an array is', () => {
    const issues = issuesOf({ ...observation, status: ['final'] });
    expect(issues[0]?.expression).toEqual(['Observation.status']);
    expect(issues[0]?.diagnostics).toContain('single value');
    expect(expressions({ resourceType: 'Patient', name: { family: 'Jansen' } })).toEqual(['Patient.name']);
  });

  it('reports a missing required element by its path', () => {
    const { status: _status, ...withoutStatus } = observation;
    const issues = issuesOf(withoutStatus);
    expect(issues[0]).toMatchObject({ code: 'required', expression: ['Observation.status'] });
    expect(issues[0]?.diagnostics).toContain('Observation.status');
    expect(expressions({ resourceType: 'Patient', extension: [{ valueString: 'x' }] })).toEqual([
      'Patient.extension[0].url',
    ]);
  });

  it('treats any type of a required choice as present', () => {
    const request = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
    };
    expect(expressions(request)).toEqual(['MedicationRequest.medication[x]']);
    expect(() =>
      validateResource({ ...request, medicationReference: { reference: 'Medication/m' } }, defs),
    ).not.toThrow();
  });

  it('rejects two types of one choice element', () => {
    expect(expressions({ ...observation, valueString: '72' })).toEqual(['Observation.valueString']);
  });

  it('rejects a code outside a required binding', () => {
    const issues = issuesOf({ resourceType: 'Patient', gender: 'vrouw' });
    expect(issues[0]?.expression).toEqual(['Patient.gender']);
    expect(issues[0]?.diagnostics).toContain('administrative-gender');
    expect(expressions({ ...observation, status: 'done' })).toEqual(['Observation.status']);
    expect(expressions({ ...observation, code: { coding: [{ code: 'x', system: 'has space' }] } })).toEqual([
      'Observation.code.coding[0].system',
    ]);
  });

  it('rejects empty objects, arrays and strings', () => {
    expect(expressions({ ...observation, code: {} })).toEqual(['Observation.code']);
    expect(expressions({ resourceType: 'Patient', name: [] })).toEqual(['Patient.name']);
    expect(expressions({ resourceType: 'Patient', name: [{ family: '' }] })).toEqual([
      'Patient.name[0].family',
    ]);
  });

  it('validates contained resources by their own type', () => {
    const patient = {
      resourceType: 'Patient',
      contained: [{ resourceType: 'Organization', id: 'o1', active: 'true' }, { resourceType: 'Nope' }],
    };
    expect(expressions(patient)).toEqual([
      'Patient.contained[0].active',
      'Patient.contained[1].resourceType',
    ]);
  });

  it('rejects an invalid BSN without repeating it', () => {
    const patient = {
      resourceType: 'Patient',
      identifier: [
        { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' },
        { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456789' },
      ],
    };
    const issues = issuesOf(patient);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.expression).toEqual(['Patient.identifier[1].value']);
    expect(issues[0]?.diagnostics).toContain('BSN');
    expect(issues[0]?.diagnostics).not.toContain('123456789');
  });

  it('checks BSNs of practitioners and related persons, and not other identifier systems', () => {
    const bad = [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '111111111' }];
    expect(expressions({ resourceType: 'Practitioner', identifier: bad })).toEqual([
      'Practitioner.identifier[0].value',
    ]);
    expect(
      expressions({ resourceType: 'RelatedPerson', patient: { reference: 'Patient/1' }, identifier: bad }),
    ).toEqual(['RelatedPerson.identifier[0].value']);
    const other = { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.3', value: '123456789' }] };
    expect(() => validateResource(other, defs)).not.toThrow();
  });

  it('reports every problem, one issue each, up to a limit', () => {
    expect(expressions({ resourceType: 'Patient', active: 1, gender: 'x', foo: 1 })).toEqual([
      'Patient.active',
      'Patient.gender',
      'Patient.foo',
    ]);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`bad${i}`, i]));
    expect(issuesOf({ resourceType: 'Patient', ...many })).toHaveLength(20);
  });
});
