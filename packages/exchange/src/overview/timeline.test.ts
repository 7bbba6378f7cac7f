import { describe, expect, it } from 'vitest';
import { timelineOrder } from './timeline.ts';

describe('the overview timeline', () => {
  it('puts Patient records first, then newest first by clinical date, undated and outcomes last', () => {
    const entries = [
      {
        resource: {
          resourceType: 'Observation',
          id: 'old',
          status: 'final',
          code: {},
          effectiveDateTime: '2026-01-01',
        },
      },
      { resource: { resourceType: 'OperationOutcome', issue: [] }, search: { mode: 'outcome' } },
      { resource: { resourceType: 'AllergyIntolerance', id: 'undated', patient: {} } },
      {
        resource: {
          resourceType: 'Encounter',
          id: 'new',
          status: 'finished',
          class: {},
          period: { start: '2026-11-20' },
        },
      },
      { resource: { resourceType: 'Patient', id: 'p' } },
    ] as never[];
    expect(
      timelineOrder(entries).map((e) => (e.resource as { id?: string }).id ?? e.resource!.resourceType),
    ).toEqual(['p', 'new', 'old', 'undated', 'OperationOutcome']);
  });
});
