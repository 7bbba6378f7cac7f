export { fhirRoutes, type FhirRoutesOptions } from './routes.ts';
export { installContentParsers } from './content.ts';
export { installErrorHandlers } from './errors.ts';
export { capabilityStatement } from './capability.ts';
export { classifyFhirRequest, type FhirInteraction, type FhirRequestClass } from './classify.ts';
export { negotiateFormat, type FhirFormat } from './content.ts';
