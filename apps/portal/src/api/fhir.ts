import { requestJson, type ApiResult } from './http.ts';

export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: { lastUpdated?: string; source?: string; tag?: { system?: string; code?: string }[] };
  [key: string]: unknown;
}
export interface Bundle {
  resourceType: 'Bundle';
  entry?: { resource?: FhirResource }[];
}

export const TIMELINE_TYPES = [
  'Condition',
  'MedicationStatement',
  'MedicationRequest',
  'AllergyIntolerance',
  'Observation',
  'Encounter',
  'DocumentReference',
] as const;

export const fhirApi = {
  search: (type: string, params: Record<string, string> = {}): Promise<ApiResult<Bundle>> =>
    requestJson<Bundle>(`/fhir/${type}?${new URLSearchParams({ _count: '200', ...params })}`, {
      headers: { accept: 'application/fhir+json' },
    }),
};

export function resourcesOf(bundle: Bundle): FhirResource[] {
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}
