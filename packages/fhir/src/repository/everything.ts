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
    // From the patient's references (index on target) to the resources: cost follows her record,
    // not the size of the store.
    `SELECT r.resource_type, r.id, r.content
     FROM (SELECT DISTINCT resource_type, resource_id FROM sp_reference
           WHERE target_type = 'Patient' AND target_id = ?) s
     JOIN resources r ON r.resource_type = s.resource_type AND r.id = s.resource_id
     WHERE r.deleted = 0
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
