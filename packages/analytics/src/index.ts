export * from './mpc/field.ts';
export * from './mpc/shamir.ts';
export * from './mpc/transport.ts';
export * from './mpc/codec.ts';
export * from './mpc/engine.ts';
export * from './mpc/http-transport.ts';
export * from './mpc/compare.ts';
export * from './stats/group-statistics.ts';
export * from './stats/dominance.ts';
export * from './agreement/run-authorization.ts';
export * from './stats/disclosed-statistics.ts';
export * from './study/ibd-coach.ts';
export * from './linkage/psi.ts';
export * from './mpc/rational.ts';
export * from './stats/regression.ts';
export * from './stats/cross-table.ts';
export * from './stats/ols-plaintext.ts';
export * from './stats/dominance-two.ts';
export { cohortDomain } from './study/cohort-domain.ts';
// The run lifecycle at a region member: one component over the interfaces the node implements.
export { openAnalytics, type Analytics, type AnalyticsOptions } from './run/analytics.ts';
export type {
  AnalyticsLogbook,
  AnalyticsMember,
  Logged,
  PartyInputs,
  StudyInputs,
  StudyRole,
} from './run/ports.ts';
export {
  AGREEMENTS_PATH,
  PEER_RUNS_PATH,
  RESEARCH_PURPOSE,
  RUNS_PATH,
  regionStudyParties,
  type RunOutput,
} from './run/runs.ts';
