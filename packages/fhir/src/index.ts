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
export { serializeFhirXml } from './xml/serialize-fhir-xml.ts';
export { FhirSearchIndex } from './search/search-index.ts';
export { SearchParameterRegistry } from './search/definitions.ts';
export type { SearchParamDefinition, SearchParamType } from './search/definitions.ts';
export { capabilityStatement, classifyFhirRequest, fhirRoutes, installContentParsers } from './http/index.ts';
export { importPaths } from './import/import-paths.ts';
export type { ImportOptions, ImportSummary, Rejection } from './import/import-paths.ts';
export { progressReporter } from './import/progress.ts';
export type { ProgressOptions, ProgressStream } from './import/progress.ts';
export { RemoteFhirRepository } from './adapter/remote-repository.ts';
export type { RemoteFhirOptions } from './adapter/remote-repository.ts';
export { badRequest, notFound } from './outcome.ts';
export {
  PatientIdentityRepository,
  matchPatients,
  identityDifferences,
  bsnsOf,
  type PatientIdentityOptions,
  type ReviewOutcome,
} from './patient-identity.ts';
export {
  PatientReviewQueue,
  type PatientReview,
  type ReviewDecision,
  type ReviewStatus,
} from './patient-review.ts';
export { ForwardingRepository } from './forwarding-repository.ts';
