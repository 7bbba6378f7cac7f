import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { parseFhirXml } from './parse-fhir-xml.ts';
import { serializeFhirXml } from './serialize-fhir-xml.ts';

const defs = FhirDefinitions.load();
const EXAMPLES = new URL('../../../../../shared/fixtures/nl-core-r4/examples/', import.meta.url).pathname;

describe('serializeFhirXml', () => {
  it('writes primitives as value attributes in definition order, with extensions, ids and narrative', () => {
    const xml = serializeFhirXml(
      {
        resourceType: 'Patient',
        gender: 'female',
        id: 'p1',
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Jan &amp; Piet</div>' },
        name: [
          {
            given: ['Jan', 'Piet'],
            _given: [null, { extension: [{ url: 'http://x', valueString: 'a<b' }] }],
          },
        ],
        birthDate: '1934-04-28',
        _birthDate: { id: 'bd' },
      } as never,
      defs,
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain(
      '<Patient xmlns="http://hl7.org/fhir"><id value="p1"/><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">Jan &amp; Piet</div></text>',
    );
    expect(xml).toContain(
      '<given value="Jan"/><given value="Piet"><extension url="http://x"><valueString value="a&lt;b"/></extension></given>',
    );
    expect(xml).toContain('<gender value="female"/><birthDate id="bd" value="1934-04-28"/>');
  });

  it('wraps contained resources and bundle entries in an element named for their type', () => {
    const xml = serializeFhirXml(
      {
        resourceType: 'Bundle',
        type: 'searchset',
        total: 1,
        entry: [
          {
            fullUrl: 'http://x/Patient/1',
            resource: { resourceType: 'Patient', id: '1' },
            search: { mode: 'match' },
          },
        ],
      },
      defs,
    );
    expect(xml).toContain(
      '<resource><Patient xmlns="http://hl7.org/fhir"><id value="1"/></Patient></resource>',
    );
    expect(parseFhirXml(xml, defs)).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 1,
      entry: [
        {
          fullUrl: 'http://x/Patient/1',
          resource: { resourceType: 'Patient', id: '1' },
          search: { mode: 'match' },
        },
      ],
    });
  });

  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.xml'));
  it(`round-trips all ${examples.length} nl-core XML examples: parse, write, parse gives the same resource`, () => {
    for (const file of examples) {
      const resource = parseFhirXml(readFileSync(join(EXAMPLES, file), 'utf8'), defs);
      const again = parseFhirXml(serializeFhirXml(resource, defs), defs);
      expect(again, file).toEqual(resource);
    }
  });
});
