import type { FhirResource } from './api/fhir.ts';
import { formatNumber } from './format.ts';

export interface TimelineItem {
  key: string;
  type: string;
  /** What it is ("Bloeddruk"); undefined when the record names nothing (the list shows its type). */
  title: string | undefined;
  date: string;
  source: string | undefined;
  selfReported: boolean;
  /** The value with its unit: "128/82 mmHg", "7,4 mmol/L", or the components one by one. */
  value?: string;
  /** The reference range with its unit ("7,5–10 mmol/L"). */
  range?: string;
  /** True when the value lies outside its reference range. */
  outOfRange?: boolean;
}

type Coding = { system?: string; code?: string; display?: string };
type Concept = { text?: string; coding?: Coding[] };
type Quantity = { value?: number; unit?: string; code?: string };
type Range = { low?: Quantity; high?: Quantity; text?: string };
type Component = { code?: Concept; valueQuantity?: Quantity; valueString?: string };

const text = (c: unknown): string | undefined => {
  const cc = c as Concept | undefined;
  return cc?.text ?? cc?.coding?.find((k) => k.display)?.display ?? undefined;
};
const hasLoinc = (c: Concept | undefined, code: string): boolean =>
  c?.coding?.some((k) => k.code === code) === true;

const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';

const quantity = (q: Quantity | undefined): string | undefined =>
  q?.value === undefined ? undefined : `${formatNumber(q.value)} ${q.unit ?? q.code ?? ''}`.trim();

/** A blood pressure panel as "128/82 mmHg"; other panels as "label value unit; …". */
function componentsValue(components: readonly Component[]): string | undefined {
  const sys = components.find((c) => hasLoinc(c.code, SYSTOLIC))?.valueQuantity;
  const dia = components.find((c) => hasLoinc(c.code, DIASTOLIC))?.valueQuantity;
  if (sys?.value !== undefined && dia?.value !== undefined)
    return `${formatNumber(sys.value)}/${formatNumber(dia.value)} ${sys.unit ?? 'mmHg'}`;
  const parts = components.flatMap((c) => {
    const v = quantity(c.valueQuantity) ?? c.valueString;
    return v ? [`${text(c.code) ?? ''} ${v}`.trim()] : [];
  });
  return parts.length ? parts.join('; ') : undefined;
}

function rangeOf(r: Range | undefined, unit: string | undefined): string | undefined {
  if (!r) return undefined;
  if (r.text) return r.text;
  if (r.low?.value === undefined && r.high?.value === undefined) return undefined;
  const u = r.low?.unit ?? r.high?.unit ?? unit;
  const low = r.low?.value !== undefined ? formatNumber(r.low.value) : '…';
  const high = r.high?.value !== undefined ? formatNumber(r.high.value) : '…';
  return `${low}–${high}${u ? ` ${u}` : ''}`;
}

/** Turns FHIR resources into timeline items, newest first (pure; unit-tested). */
export function toTimeline(resources: FhirResource[]): TimelineItem[] {
  const items = resources.map((r): TimelineItem => {
    const x = r as Record<string, unknown>;
    const date =
      (x.effectiveDateTime as string) ??
      (x.effectivePeriod as { start?: string })?.start ??
      (x.recordedDate as string) ??
      (x.authoredOn as string) ??
      (x.date as string) ??
      (x.created as string) ??
      (x.period as { start?: string })?.start ??
      (x.onsetDateTime as string) ??
      (x.occurrenceDateTime as string) ??
      (x.performedDateTime as string) ??
      r.meta?.lastUpdated ??
      '';
    const q = x.valueQuantity as Quantity | undefined;
    const rr = (x.referenceRange as Range[] | undefined)?.[0];
    const performer = (x.performer as { reference?: string; display?: string }[] | undefined)?.[0];
    const selfReported =
      r.meta?.tag?.some((t) => t.code === 'self-reported' || t.code === 'patient-reported') === true ||
      performer?.reference?.startsWith('Patient/') === true ||
      (x.reportedBoolean as boolean | undefined) === true;
    const components = (x.component as Component[] | undefined) ?? [];
    const value =
      quantity(q) ??
      (typeof x.valueString === 'string' ? x.valueString : undefined) ??
      text(x.valueCodeableConcept) ??
      (components.length ? componentsValue(components) : undefined);
    const range = rangeOf(rr, q?.unit);
    const outOfRange =
      q?.value !== undefined &&
      rr !== undefined &&
      ((rr.low?.value !== undefined && q.value < rr.low.value) ||
        (rr.high?.value !== undefined && q.value > rr.high.value));
    return {
      key: `${r.resourceType}/${r.id ?? ''}`,
      type: r.resourceType,
      title:
        text(x.code) ??
        text(x.medicationCodeableConcept) ??
        text((x.vaccineCode as Concept | undefined) ?? undefined) ??
        text((x.type as unknown[] | undefined)?.[0] ?? x.type) ??
        (x.description as string | undefined),
      date,
      source:
        (r.meta?.source as string | undefined) ??
        (x.recorder as { display?: string })?.display ??
        performer?.display,
      selfReported,
      ...(value !== undefined ? { value } : {}),
      ...(range ? { range } : {}),
      ...(outOfRange ? { outOfRange } : {}),
    };
  });
  items.sort((a, b) => b.date.localeCompare(a.date));
  // The same id can come from two organisations (each names its own resources): keys stay unique.
  const seen = new Map<string, number>();
  for (const item of items) {
    const n = seen.get(item.key) ?? 0;
    seen.set(item.key, n + 1);
    if (n > 0) item.key = `${item.key}#${n}`;
  }
  return items;
}
