export { M127, M61, M89, toSigned, type Field } from './mpc/field.ts';
export type { PartyIndex } from './mpc/shamir.ts';
export { inProcessTransports, type Transport } from './mpc/transport.ts';
export { Party, type Shares } from './mpc/engine.ts';
export {
  createHttpTransport,
  MPC_MESSAGE_PATH,
  type HttpTransport,
  type MpcPeer,
} from './mpc/http-transport.ts';
export { lessThan } from './mpc/compare.ts';
export { digestOf } from './agreement/run-authorization.ts';
export { disclosedGroupStatistics } from './stats/disclosed-statistics.ts';
export {
  appUseEffect,
  hospitalColumns,
  IBD_COACH_FIELD,
  ibdCoachPlaintext,
  ibdCoachSpec,
  insurerColumns,
  runIbdCoach,
  statisticsColumns,
  type AppUseEffect,
  type HospitalRow,
  type IbdCoachCellResult,
  type IbdCoachParties,
  type InsurerRow,
  type StatisticsRow,
} from './study/ibd-coach.ts';
export { privateSetIntersection } from './linkage/psi.ts';
export { linearRegression, regressionField, type RegressionBounds } from './stats/regression.ts';
export { plaintextOls } from './stats/ols-plaintext.ts';
export { cohortDomain } from './study/cohort-domain.ts';
// The run lifecycle at a region member: one component over the interfaces the node implements.
export { openAnalytics, type Analytics, type AnalyticsOptions } from './run/analytics.ts';
export type { AnalyticsLogbook, AnalyticsMember, Logged, PartyInputs, StudyInputs } from './run/ports.ts';
export { AGREEMENTS_PATH, PEER_RUNS_PATH, RESEARCH_PURPOSE, RUNS_PATH, type RunOutput } from './run/runs.ts';
export { regionStudyParties, type StudyRole } from './study/study-parties.ts';
