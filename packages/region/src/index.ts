// The region: its configuration (members, keys, witness quorum, roles), its state as a
// deterministic fold over every member's log, the statement kinds it knows (one module each: the
// witness rule, the fold, the SQL lookup keys), and the witness rules that judge new entries.
export * from './config/region-config.ts';
export * from './config/load-region-config.ts';
export * from './config/demo-region.ts';
export * from './state/position.ts';
export * from './state/keys.ts';
export * from './state/localisation.ts';
export * from './state/consents.ts';
export * from './state/carelog.ts';
export * from './state/analysis.ts';
export * from './state/access-trail.ts';
export * from './state/region-state.ts';
export * from './state/queries.ts';
export * from './state/views.ts';
export * from './state/sql-state.ts';
export type { Fact, JudgeContext, LookupKeys, RegionKind } from './kinds/kind.ts';
export * from './kinds/localisation-index.ts';
export * from './kinds/consent.ts';
export * from './kinds/carelog-indication.ts';
export * from './kinds/carelog-entry.ts';
export * from './kinds/carelog-approval.ts';
export * from './kinds/agreement.ts';
export * from './kinds/analysis-run.ts';
export * from './kinds/access.ts';
export * from './kinds/key.ts';
export * from './kinds/registry.ts';
export * from './policy.ts';
export * from './member-fetch.ts';
export * from './receipt-policy.ts';
