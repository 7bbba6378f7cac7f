export * from './scopes.ts';
export * from './smart-configuration.ts';
export * from './fhir-guard.ts';
export * from './launch-context.ts';
export * from './diary.ts';
