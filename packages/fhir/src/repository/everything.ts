import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '@ketenlog/storage';
import type { ResourceStore } from './resource-store.ts';

/**
 * `Patient/{id}/$everything` (FHIR R4 patient-operation-everything): the Patient and every current
 * resource whose search index holds a reference to it, as a searchset Bundle.
 */
export async function patientEverything(
  q: Queryable,
  store: ResourceStore,
  patientId: string,
  baseUrl: string,
): Promise<Bundle> {
  const patient = await store.read(q, 'Patient', patientId);
  const rows = await q.all<{ resource_type: string; id: string; content: string }>(
    `SELECT r.resource_type, r.id, r.content FROM resources r
     WHERE r.deleted = 0 AND EXISTS (
       SELECT 1 FROM sp_reference s
       WHERE s.target_type = 'Patient' AND s.target_id = ? AND s.resource_type = r.resource_type AND s.resource_id = r.id)
     ORDER BY r.resource_type, r.id`,
    [patientId],
  );
  const related = rows
    .filter((row) => !(row.resource_type === 'Patient' && row.id === patientId))
    .map((row) => JSON.parse(row.content) as Resource);
  const entry = [patient, ...related].map((resource) => ({
    fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' as const },
  }));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: entry.length,
    link: [{ relation: 'self', url: `${baseUrl}/Patient/${patientId}/$everything` }],
    entry,
  };
}
