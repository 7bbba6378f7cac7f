import type { FhirResource } from './api/fhir.ts';

/** The self-measurements the portal charts, with their LOINC code and the target range shown. */
export interface MeasureKind {
  id: 'bp' | 'glucose' | 'weight';
  loinc: string;
  /** A second component shown with the first (diastolic with systolic: "128/82"). */
  second?: string;
  unit: string;
  target?: { low?: number; high?: number };
}
export const MEASURES: MeasureKind[] = [
  { id: 'bp', loinc: '8480-6', second: '8462-4', unit: 'mmHg', target: { high: 140 } },
  { id: 'glucose', loinc: '15074-8', unit: 'mmol/L', target: { low: 4, high: 10 } },
  { id: 'weight', loinc: '29463-7', unit: 'kg' },
];

export interface Point {
  time: number; // seconds since the epoch (uPlot)
  value: number;
  second?: number;
  inTarget: boolean;
}

type Coded = { code?: { coding?: { system?: string; code?: string }[] } };
type Quantity = { value?: number };

/** Points for one measure, oldest first; blood pressure uses the systolic component of a panel too. */
export function pointsOf(resources: FhirResource[], kind: MeasureKind): Point[] {
  const points: Point[] = [];
  for (const r of resources) {
    const x = r as Record<string, unknown>;
    const when = Date.parse((x.effectiveDateTime as string) ?? '');
    if (Number.isNaN(when)) continue;
    const hasCode = (c: Coded) => c.code?.coding?.some((k) => k.code === kind.loinc) === true;
    let value: number | undefined;
    let second: number | undefined;
    if (hasCode(x as Coded)) value = (x.valueQuantity as Quantity | undefined)?.value;
    for (const part of (x.component as (Coded & { valueQuantity?: Quantity })[] | undefined) ?? []) {
      if (hasCode(part)) value = part.valueQuantity?.value;
      if (kind.second && part.code?.coding?.some((k) => k.code === kind.second))
        second = part.valueQuantity?.value;
    }
    if (typeof value !== 'number') continue;
    const t = kind.target;
    points.push({
      time: Math.floor(when / 1000),
      value,
      ...(typeof second === 'number' ? { second } : {}),
      inTarget: !t || ((t.low === undefined || value >= t.low) && (t.high === undefined || value <= t.high)),
    });
  }
  return points.sort((a, b) => a.time - b.time);
}
