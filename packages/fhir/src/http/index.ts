export { fhirRoutes, type FhirRoutesOptions } from './routes.ts';
export { installContentParsers } from './content.ts';
export { installErrorHandlers } from './errors.ts';
export { capabilityStatement } from './capability.ts';
