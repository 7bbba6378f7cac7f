// Mijn Zorg Log (issue 6): maternity-care hours against an LIP indication budget, the carer's
// signed entries, the client's passkey approvals, care-administration and insurer views,
// exports (CSV, FHIR) and declarations, on the logbook's carelog statements.
export type { Outcome } from './problem.ts';
export type { CarePackage } from './care-protocol.ts';
export { MemoryCareFiles } from './care-file.ts';
export { SqlCareFiles } from './sql-care-files.ts';
export { challengeOf } from './drafts.ts';
export type { Visit } from './visit-rules.ts';
export { BILLING_CONSENT, CarelogService, type CarelogLogbook } from './carelog-service.ts';
export { carelogRoutes, type CarelogAction } from './routes.ts';
