export type { SearchIndex } from './repository/search-index.ts';
export { SqlFhirRepository } from './repository/sql-repository.ts';
export type {
  CreateOptions,
  FhirRepository,
  SearchRequest,
  UpdateOptions,
  WriteResult,
} from './repository/repository.ts';
export { FHIR_SCHEMA } from './repository/schema.ts';
