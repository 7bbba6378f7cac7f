import type { FhirResource } from './api/fhir.ts';

export interface TimelineItem {
  key: string;
  type: string;
  title: string;
  date: string;
  source: string | undefined;
  selfReported: boolean;
  value?: string;
  range?: string;
}

const text = (c: unknown): string | undefined => {
  const cc = c as { text?: string; coding?: { display?: string; code?: string }[] } | undefined;
  return cc?.text ?? cc?.coding?.[0]?.display ?? cc?.coding?.[0]?.code;
};

/** Turns FHIR resources into timeline items, newest first (pure; unit-tested). */
export function toTimeline(resources: FhirResource[]): TimelineItem[] {
  const items = resources.map((r): TimelineItem => {
    const x = r as Record<string, unknown>;
    const date =
      (x.effectiveDateTime as string) ??
      (x.recordedDate as string) ??
      (x.authoredOn as string) ??
      (x.date as string) ??
      (x.period as { start?: string })?.start ??
      (x.onsetDateTime as string) ??
      r.meta?.lastUpdated ??
      '';
    const q = x.valueQuantity as { value?: number; unit?: string } | undefined;
    const rr = (
      x.referenceRange as { low?: { value?: number }; high?: { value?: number }; text?: string }[] | undefined
    )?.[0];
    const performer = (x.performer as { reference?: string; display?: string }[] | undefined)?.[0];
    const selfReported =
      r.meta?.tag?.some((t) => t.code === 'self-reported' || t.code === 'patient-reported') === true ||
      performer?.reference?.startsWith('Patient/') === true ||
      (x.reportedBoolean as boolean | undefined) === true;
    return {
      key: `${r.resourceType}/${r.id ?? ''}`,
      type: r.resourceType,
      title:
        text(x.code) ??
        text(x.medicationCodeableConcept) ??
        text((x.type as unknown[] | undefined)?.[0] ?? x.type) ??
        (x.description as string) ??
        r.resourceType,
      date,
      source:
        (r.meta?.source as string | undefined) ??
        (x.recorder as { display?: string })?.display ??
        performer?.display,
      selfReported,
      ...(q?.value !== undefined
        ? { value: `${q.value} ${q.unit ?? ''}`.trim() }
        : typeof x.valueString === 'string'
          ? { value: x.valueString }
          : {}),
      ...(rr ? { range: rr.text ?? `${rr.low?.value ?? '…'}–${rr.high?.value ?? '…'}` } : {}),
    };
  });
  return items.sort((a, b) => b.date.localeCompare(a.date));
}
