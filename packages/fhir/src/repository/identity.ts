import type { Resource } from '@medplum/fhirtypes';
import { badRequest } from '../outcome.ts';

/** FHIR R4 §2.1.0 `id` datatype: [A-Za-z0-9\-\.]{1,64}. */
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A resource type name as FHIR spells them (PascalCase letters). Structure is validated elsewhere. */
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;

export function assertId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw badRequest(
      `invalid resource id ${JSON.stringify(id)}: must match [A-Za-z0-9-.]{1,64}`,
      'Resource.id',
    );
  }
}

export function assertResourceType(resourceType: unknown): asserts resourceType is string {
  if (typeof resourceType !== 'string' || !RESOURCE_TYPE.test(resourceType)) {
    throw badRequest(
      `missing or invalid resourceType ${JSON.stringify(resourceType ?? null)}`,
      'Resource.resourceType',
    );
  }
}

export function assertResource(resource: unknown): asserts resource is Resource {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw badRequest('a resource must be a JSON object');
  }
  assertResourceType((resource as Resource).resourceType);
}
