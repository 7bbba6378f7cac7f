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
export { FhirDefinitions } from './definitions/fhir-definitions.ts';
export type { ElementInfo, StructureNode } from './definitions/structure.ts';
export { validateResource } from './validation/validate.ts';
export { BSN_SYSTEM, InvalidBsnError, isValidBsn, parseBsn } from './validation/bsn.ts';
export type { Bsn } from './validation/bsn.ts';
export { parseFhirXml } from './xml/parse-fhir-xml.ts';
