import { requestJson, type ApiResult } from './http.ts';
import { organisationNames, overviewApi, withSourceName } from './overview.ts';

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
  read: (type: string, id: string): Promise<ApiResult<FhirResource>> =>
    requestJson<FhirResource>(`/fhir/${type}/${encodeURIComponent(id)}`, {
      headers: { accept: 'application/fhir+json' },
    }),
  create: (resource: FhirResource): Promise<ApiResult<FhirResource>> =>
    requestJson<FhirResource>(`/fhir/${resource.resourceType}`, {
      method: 'POST',
      headers: { accept: 'application/fhir+json', 'content-type': 'application/fhir+json' },
      body: JSON.stringify(resource),
    }),
};

/**
 * Everything the timeline shows. A logged-in client gets her records from every organisation in
 * the region (`/exchange/records`, each naming its source; a holder that did not answer comes as an
 * OperationOutcome); anyone else this node's own records, one search per type. The first failure
 * is the answer.
 */
export async function loadTimelineResources(): Promise<ApiResult<FhirResource[]>> {
  const regional = await requestJson<Bundle>('/exchange/records', {
    headers: { accept: 'application/fhir+json' },
  });
  if (regional.kind === 'ok') {
    // Each record names its source by URA: show the organisation's name.
    const names = organisationNames(await overviewApi.organisations());
    return { kind: 'ok', value: resourcesOf(regional.value).map((r) => withSourceName(r, names)) };
  }
  if (regional.kind !== 'unauthorised' && regional.kind !== 'unavailable') return regional;
  const results = await Promise.all(TIMELINE_TYPES.map((type) => fhirApi.search(type)));
  for (const r of results) if (r.kind !== 'ok') return r;
  return { kind: 'ok', value: results.flatMap((r) => (r.kind === 'ok' ? resourcesOf(r.value) : [])) };
}

export function resourcesOf(bundle: Bundle): FhirResource[] {
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}
