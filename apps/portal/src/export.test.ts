import { describe, expect, it } from 'vitest';
import { incompleteOf } from './export.ts';

describe('incompleteOf', () => {
  it("names the holders an export's OperationOutcome says did not answer", () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Observation', id: 'o' } },
        {
          resource: {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'warning',
                code: 'incomplete',
                details: { coding: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', code: '11110003' }] },
                diagnostics: 'Ziekenhuis (URA 11110003) gaf geen antwoord.',
              },
              { severity: 'warning', code: 'incomplete', diagnostics: 'Een oudere node gaf geen antwoord.' },
              { severity: 'information', code: 'informational', diagnostics: 'iets anders' },
            ],
          },
        },
      ],
    };
    expect(incompleteOf(bundle)).toEqual([
      { ura: '11110003', text: 'Ziekenhuis (URA 11110003) gaf geen antwoord.' },
      { text: 'Een oudere node gaf geen antwoord.' },
    ]);
  });

  it('is empty for a complete export and for anything that is not a Bundle', () => {
    expect(incompleteOf({ resourceType: 'Bundle', entry: [] })).toEqual([]);
    expect(incompleteOf(null)).toEqual([]);
    expect(incompleteOf('tekst')).toEqual([]);
  });
});
