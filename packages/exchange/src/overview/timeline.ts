// The merged overview as one timeline: the client's Patient records first (one per source), then
// every other entry newest first by its clinical date, falling back to when it was last updated;
// undated entries last. Outcomes (warnings about missing holders) stay at the end.
import type { BundleEntry, Resource } from '@medplum/fhirtypes';

/** The clinical moment of a resource, as an ISO string, or undefined. */
export function clinicalDateOf(resource: Resource): string | undefined {
  const r = resource as unknown as Record<string, unknown>;
  for (const key of [
    'effectiveDateTime',
    'occurrenceDateTime',
    'performedDateTime',
    'onsetDateTime',
    'authoredOn',
    'recordedDate',
    'recorded',
    'date',
    'issued',
  ]) {
    if (typeof r[key] === 'string') return r[key];
  }
  for (const key of ['effectivePeriod', 'performedPeriod', 'period', 'billablePeriod']) {
    const start = (r[key] as { start?: unknown } | undefined)?.start;
    if (typeof start === 'string') return start;
  }
  return resource.meta?.lastUpdated;
}

const rank = (e: BundleEntry): number =>
  e.search?.mode === 'outcome' ? 2 : e.resource?.resourceType === 'Patient' ? 0 : 1;

const time = (e: BundleEntry): number => {
  const date = e.resource ? clinicalDateOf(e.resource) : undefined;
  const ms = date ? Date.parse(date) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
};

/** Sorts a merged overview's entries into timeline order (a new array; the sort is stable). */
export function timelineOrder(entries: readonly BundleEntry[]): BundleEntry[] {
  return [...entries].sort((a, b) => rank(a) - rank(b) || time(b) - time(a));
}
