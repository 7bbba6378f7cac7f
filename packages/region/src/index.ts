// The region: its configuration (members, keys, witness quorum, roles), its state as a
// deterministic fold over every member's log, and the witness rules that judge new entries.
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
export * from './state/sql-state.ts';
export * from './policy.ts';
export * from './member-fetch.ts';
export * from './receipt-policy.ts';
