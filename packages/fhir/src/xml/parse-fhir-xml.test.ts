import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { ProblemError } from '../outcome.ts';
import { validateResource } from '../validation/validate.ts';
import { parseFhirXml } from './parse-fhir-xml.ts';

const defs = FhirDefinitions.load();
const EXAMPLES = new URL('../../../../../shared/fixtures/nl-core-r4/examples/', import.meta.url).pathname;

function rejection(xml: string): ProblemError {
  try {
    parseFhirXml(xml, defs);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    return error as ProblemError;
  }
  throw new Error('expected the XML to be rejected');
}

describe('parseFhirXml', () => {
  it('reads primitives from value attributes with their JSON types', () => {
    const patient = parseFhirXml(
      `<?xml version="1.0" encoding="UTF-8"?>
      <!-- a comment -->
      <Patient xmlns="http://hl7.org/fhir">
        <id value="p1"/>
        <active value="true"/>
        <gender value="female"/>
        <birthDate value="1934-04-28"/>
        <multipleBirthInteger value="2"/>
      </Patient>`,
      defs,
    );
    expect(patient).toEqual({
      resourceType: 'Patient',
      id: 'p1',
      active: true,
      gender: 'female',
      birthDate: '1934-04-28',
      multipleBirthInteger: 2,
    });
  });

  it('makes repeating elements arrays and single ones values, by the definitions', () => {
    const patient = parseFhirXml(
      `<Patient xmlns="http://hl7.org/fhir"><name><family value="Jansen"/><given value="Jan"/></name></Patient>`,
      defs,
    );
    expect(patient).toEqual({ resourceType: 'Patient', name: [{ family: 'Jansen', given: ['Jan'] }] });
  });

  it('moves the id and extensions of a primitive to _name, aligned with nulls', () => {
    const patient = parseFhirXml(
      `<Patient xmlns="http://hl7.org/fhir"><name>
        <given value="Jan"/>
        <given id="g2"><extension url="http://example.org/x"><valueString value="J."/></extension></given>
      </name><birthDate value="1990"><extension url="http://example.org/t"><valueTime value="10:00:00"/></extension></birthDate></Patient>`,
      defs,
    );
    expect(patient).toEqual({
      resourceType: 'Patient',
      name: [
        {
          given: ['Jan', null],
          _given: [null, { id: 'g2', extension: [{ url: 'http://example.org/x', valueString: 'J.' }] }],
        },
      ],
      birthDate: '1990',
      _birthDate: { extension: [{ url: 'http://example.org/t', valueTime: '10:00:00' }] },
    });
    expect(() => validateResource(patient, defs)).not.toThrow();
  });

  it('keeps narrative as an XHTML string and decodes character references in values', () => {
    const patient = parseFhirXml(
      `<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>` +
        `<div xmlns="http://www.w3.org/1999/xhtml"><p>Caf&#233; &amp; <b>bar</b></p></div></text>` +
        `<name><family value="Caf&#233; &amp; co"/></name></Patient>`,
      defs,
    );
    expect(patient).toMatchObject({
      text: { div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Caf&#233; &amp; <b>bar</b></p></div>' },
      name: [{ family: 'Café & co' }],
    });
  });

  it('unwraps contained resources and bundle entries', () => {
    const bundle = parseFhirXml(
      `<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>
        <entry><fullUrl value="urn:uuid:1"/><resource><Patient><id value="p1"/>
          <contained><Organization><id value="o1"/><name value="Zorg"/></Organization></contained>
          <managingOrganization><reference value="#o1"/></managingOrganization>
        </Patient></resource></entry></Bundle>`,
      defs,
    );
    expect(bundle).toEqual({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:1',
          resource: {
            resourceType: 'Patient',
            id: 'p1',
            contained: [{ resourceType: 'Organization', id: 'o1', name: 'Zorg' }],
            managingOrganization: { reference: '#o1' },
          },
        },
      ],
    });
  });

  it('leaves a value that does not parse as a string, for validation to report', () => {
    const patient = parseFhirXml(
      `<Patient xmlns="http://hl7.org/fhir"><active value="yes"/></Patient>`,
      defs,
    );
    expect(patient).toEqual({ resourceType: 'Patient', active: 'yes' });
    expect(() => validateResource(patient, defs)).toThrow(ProblemError);
  });

  it('rejects malformed XML with a 400', () => {
    const error = rejection('<Patient xmlns="http://hl7.org/fhir"><id value="x"></Patient>');
    expect(error.status).toBe(400);
    expect(error.message).toContain('Malformed XML');
    expect(rejection('').status).toBe(400);
  });

  it('rejects a root outside the FHIR namespace or of an unknown type', () => {
    expect(rejection('<Patient><id value="x"/></Patient>').message).toContain('namespace');
    expect(rejection('<Foo xmlns="http://hl7.org/fhir"/>').message).toBe('Unknown resource type "Foo"');
  });

  it('rejects an unknown element, naming it', () => {
    const error = rejection('<Patient xmlns="http://hl7.org/fhir"><colour value="red"/></Patient>');
    expect(error.status).toBe(400);
    expect(error.outcome.issue?.[0]?.expression).toEqual(['Patient.colour']);
  });

  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.xml'));

  it('finds all 271 nl-core examples', () => {
    expect(examples).toHaveLength(271);
  });

  it.each(examples)('converts nl-core example %s to valid R4 JSON', (file) => {
    const resource = parseFhirXml(readFileSync(join(EXAMPLES, file), 'utf8'), defs);
    expect(() => validateResource(resource, defs)).not.toThrow();
  });
});
