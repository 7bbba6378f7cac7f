export { fhirRoutes, type FhirRoutesOptions } from './routes.ts';
export { installContentParsers } from './content.ts';
export { installErrorHandlers, sendOutcome, FHIR_JSON } from './errors.ts';
export { capabilityStatement } from './capability.ts';
