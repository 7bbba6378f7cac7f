import { describe, expect, it } from 'vitest';
import { toTimeline } from './timeline.ts';

describe('toTimeline', () => {
  it('orders newest first, names the source, flags self-reported items and shows reference ranges', () => {
    const items = toTimeline([
      {
        resourceType: 'Condition',
        id: 'c1',
        recordedDate: '2025-01-02',
        code: { text: 'Diabetes type 2' },
        meta: { source: 'Huisartsenpraktijk' },
      },
      {
        resourceType: 'Observation',
        id: 'o1',
        effectiveDateTime: '2026-03-01T10:00:00Z',
        code: { coding: [{ display: 'HbA1c' }] },
        valueQuantity: { value: 53, unit: 'mmol/mol' },
        referenceRange: [{ low: { value: 20 }, high: { value: 42 } }],
        performer: [{ reference: 'Patient/p1' }],
      },
    ]);
    expect(items.map((i) => i.key)).toEqual(['Observation/o1', 'Condition/c1']);
    expect(items[0]).toMatchObject({
      title: 'HbA1c',
      value: '53 mmol/mol',
      range: '20–42 mmol/mol',
      outOfRange: true,
      selfReported: true,
    });
    expect(items[1]).toMatchObject({
      title: 'Diabetes type 2',
      source: 'Huisartsenpraktijk',
      selfReported: false,
    });
  });

  it('shows a diary entry (self-reported Observation with text) with its text as the value', () => {
    const [item] = toTimeline([
      {
        resourceType: 'Observation',
        id: 'd1',
        effectiveDateTime: '2026-12-04T10:00:00Z',
        code: { text: 'Dagboek' },
        valueString: 'Goed geslapen.',
        meta: { tag: [{ system: 'https://ketenlog.nl/fhir/CodeSystem/provenance', code: 'self-reported' }] },
      },
    ]);
    expect(item).toMatchObject({ title: 'Dagboek', value: 'Goed geslapen.', selfReported: true });
  });

  it('shows a blood pressure panel as systolic/diastolic with its unit, and Dutch decimal commas', () => {
    const loinc = (code: string, display: string) => ({
      coding: [{ system: 'http://loinc.org', code, display }],
    });
    const [bp, hb] = toTimeline([
      {
        resourceType: 'Observation',
        id: 'bp',
        effectiveDateTime: '2026-06-02T08:00:00Z',
        code: loinc('85354-9', 'Bloeddruk'),
        component: [
          { code: loinc('8480-6', 'Bovendruk'), valueQuantity: { value: 128, unit: 'mmHg' } },
          { code: loinc('8462-4', 'Onderdruk'), valueQuantity: { value: 82, unit: 'mmHg' } },
        ],
      },
      {
        resourceType: 'Observation',
        id: 'hb',
        effectiveDateTime: '2026-05-20T09:00:00Z',
        code: loinc('718-7', 'Hemoglobine'),
        valueQuantity: { value: 7.4, unit: 'mmol/L' },
        referenceRange: [{ low: { value: 7.5 }, high: { value: 10 } }],
      },
    ]);
    expect(bp).toMatchObject({ title: 'Bloeddruk', value: '128/82 mmHg' });
    expect(hb).toMatchObject({ value: '7,4 mmol/L', range: '7,5–10 mmol/L', outOfRange: true });
  });

  it('keeps keys unique when two organisations use the same id', () => {
    const items = toTimeline([
      { resourceType: 'Condition', id: 'c1', meta: { source: 'A' } },
      { resourceType: 'Condition', id: 'c1', meta: { source: 'B' } },
    ]);
    expect(new Set(items.map((i) => i.key)).size).toBe(2);
  });

  it('is empty for no resources and survives resources without dates or codes', () => {
    expect(toTimeline([])).toEqual([]);
    const [bare] = toTimeline([{ resourceType: 'Encounter', id: 'e' }]);
    expect(bare).toMatchObject({ type: 'Encounter', date: '' });
    expect(bare!.title).toBeUndefined();
  });

  it('renders 1,000 items in well under 200 ms (mapping part)', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      resourceType: 'Observation',
      id: String(i),
      effectiveDateTime: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
      code: { text: 'Gewicht' },
    }));
    const start = performance.now();
    expect(toTimeline(many)).toHaveLength(1000);
    expect(performance.now() - start).toBeLessThan(200);
  });
});
