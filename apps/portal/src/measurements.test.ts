import { describe, expect, it } from 'vitest';
import { MEASURES, pointsOf } from './measurements.ts';

const bp = MEASURES.find((m) => m.id === 'bp')!;
const glucose = MEASURES.find((m) => m.id === 'glucose')!;

describe('pointsOf', () => {
  it('takes the systolic component of a blood-pressure panel, oldest first, and flags values out of target', () => {
    const panel = (date: string, sys: number) => ({
      resourceType: 'Observation',
      effectiveDateTime: date,
      code: { coding: [{ code: '85354-9' }] },
      component: [{ code: { coding: [{ code: '8480-6' }] }, valueQuantity: { value: sys } }],
    });
    const points = pointsOf([panel('2026-06-03', 150), panel('2026-06-01', 120)], bp);
    expect(points.map((p) => [p.value, p.inTarget])).toEqual([
      [120, true],
      [150, false],
    ]);
  });

  it('ignores other codes, missing dates and missing values', () => {
    const obs = (code: string, value?: number, date = '2026-01-01') => ({
      resourceType: 'Observation',
      effectiveDateTime: date,
      code: { coding: [{ code }] },
      ...(value === undefined ? {} : { valueQuantity: { value } }),
    });
    expect(pointsOf([obs('29463-7', 70), obs('15074-8'), obs('15074-8', 5, 'nope')], glucose)).toEqual([]);
    expect(pointsOf([obs('15074-8', 3)], glucose)[0]!.inTarget).toBe(false);
  });
});
