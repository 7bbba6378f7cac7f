// Mijn Zorg Log (issue 6): maternity-care hours against an LIP indication budget, the carer's
// signed entries, the client's passkey approvals, care-administration and insurer views,
// exports (CSV, FHIR) and declarations, on the logbook's carelog statements.
export * from './problem.ts';
export * from './care-protocol.ts';
export * from './care-file.ts';
export * from './sql-care-files.ts';
export * from './drafts.ts';
export * from './carer-keys.ts';
export * from './indication.ts';
export * from './visit-rules.ts';
export * from './entry-status.ts';
export * from './carelog-service.ts';
export * from './care-administration.ts';
export * from './csv-export.ts';
export * from './fhir-export.ts';
export * from './routes.ts';
