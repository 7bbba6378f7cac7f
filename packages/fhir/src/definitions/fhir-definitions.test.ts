import { describe, expect, it } from 'vitest';
import { FhirDefinitions } from './fhir-definitions.ts';

const defs = FhirDefinitions.load();

describe('FhirDefinitions', () => {
  it('knows concrete resource types and not abstract or made-up ones', () => {
    expect(defs.isResourceType('Patient')).toBe(true);
    expect(defs.isResourceType('Observation')).toBe(true);
    expect(defs.isResourceType('Resource')).toBe(false);
    expect(defs.isResourceType('DomainResource')).toBe(false);
    expect(defs.isResourceType('Foo')).toBe(false);
  });

  it('finds an element with its cardinality and type', () => {
    expect(defs.getElement('Observation.status')).toMatchObject({
      min: 1,
      max: 1,
      isArray: false,
      type: 'code',
    });
    expect(defs.getElement('Patient.name')).toMatchObject({
      min: 0,
      max: Infinity,
      isArray: true,
      type: 'HumanName',
    });
  });

  it('splits a choice element into one element per type', () => {
    expect(defs.getElement('Observation.valueQuantity')).toMatchObject({
      type: 'Quantity',
      choiceOf: 'Observation.value[x]',
    });
    expect(defs.getElement('Observation.valueString')?.type).toBe('string');
    expect(defs.getElement('Observation.value[x]')?.choiceOf).toBe('Observation.value[x]');
  });

  it('walks into backbone elements, datatypes and content references', () => {
    expect(defs.getElement('Patient.contact.name')?.type).toBe('HumanName');
    expect(defs.getElement('Observation.code.coding.system')?.type).toBe('uri');
    expect(defs.getElement('Questionnaire.item.item.linkId')).toMatchObject({ min: 1, type: 'string' });
    expect(defs.getElement('Patient.nonsense')).toBeUndefined();
  });

  it('types Resource.id as id and Element.id and Extension.url as XML attributes', () => {
    expect(defs.getElement('Patient.id')).toMatchObject({ type: 'id', xmlAttr: false });
    expect(defs.getElement('Coding.id')).toMatchObject({ type: 'string', xmlAttr: true });
    expect(defs.getElement('Extension.url')).toMatchObject({ type: 'uri', xmlAttr: true, min: 1 });
  });

  it('expands a required value set made of a whole code system', () => {
    const gender = defs.getElement('Patient.gender');
    expect(gender && [...(defs.requiredCodes(gender) ?? [])].sort()).toEqual([
      'female',
      'male',
      'other',
      'unknown',
    ]);
  });

  it('gives no codes for a binding it cannot expand locally, so the check is skipped', () => {
    const contentType = defs.getElement('Attachment.contentType');
    expect(contentType?.requiredValueSet).toBeDefined();
    expect(contentType && defs.requiredCodes(contentType)).toBeUndefined();
    const preferred = defs.getElement('Patient.language');
    expect(preferred && defs.requiredCodes(preferred)).toBeUndefined();
  });
});
