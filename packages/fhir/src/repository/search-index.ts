import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '@ketenlog/storage';
import type { IndexRow } from '../search/index-rows.ts';
import type { SearchRequest } from './repository.ts';

/**
 * What the repository needs from the search module (packages/fhir/src/search/): the values to
 * index when a resource is written, and a search over those values. `search` takes a Queryable so
 * that a search inside a transaction (conditional create in a transaction bundle) sees that
 * transaction's own writes.
 */
export interface SearchIndex {
  extract(resource: Resource): IndexRow[];
  search(db: Queryable, request: SearchRequest): Promise<Bundle>;
}
