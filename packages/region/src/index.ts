// The region: its configuration (members, keys, witness quorum, roles), its state as a
// deterministic fold over every member's log, the statement kinds it knows (one module each: the
// witness rule, the fold, the SQL lookup keys), and the witness rules that judge new entries.
export {
  CLIENT_ONLY_KINDS,
  CLIENT_ROLE,
  DEFAULT_BREAK_THE_GLASS_ROLES,
  findOrganisation,
  logOriginOf,
  mayAuthor,
  NODE_ROLE,
  ORGANISATION_TYPES,
  organisationRef,
  uraOf,
  type Organisation,
  type OrganisationType,
  type RegionConfig,
} from './config/region-config.ts';
export { loadRegionConfig, parseRegionConfig, RegionConfigError } from './config/load-region-config.ts';
export { generateDemoRegion, generateMemberKeys } from './config/demo-region.ts';
export { comparePositions, type EntryPosition } from './state/position.ts';
export {
  activeKey,
  configuredKeys,
  keyStatus,
  organisationOfKey,
  partyOfKey,
  type KeyBinding,
  type KeyRegister,
} from './state/keys.ts';
export { holdersOf } from './state/localisation.ts';
export {
  consentsInForce,
  DELEGATION_PURPOSE,
  delegationInForce,
  effectiveConsent,
  type ConsentLedger,
  type ConsentRecord,
  type ConsentRegister,
} from './state/consents.ts';
export {
  approvalOf,
  currentIndication,
  entryStatus,
  type CareEntryRecord,
  type Carelog,
  type IndicationRecord,
} from './state/carelog.ts';
export {
  agreementStatus,
  agreementVersion,
  emptyAnalysis,
  runsOf,
  type AgreementTerms,
  type AnalysisRegister,
} from './state/analysis.ts';
export { accessesOf, type AccessRecord } from './state/access-trail.ts';
export {
  applyEntry,
  approvedMinutesForInsurer,
  createRegionState,
  hashOfStatement,
  insurersOf,
  type RegionState,
} from './state/region-state.ts';
export { carelogView, type CarelogStateView, type ExchangeStateView } from './state/views.ts';
export {
  factValues,
  insertFacts,
  raisePositions,
  SqlRegionState,
  type AcceptedEntry,
} from './state/sql-state.ts';
export type { Fact, JudgeContext, LookupKeys, RegionKind } from './kinds/kind.ts';
export { applyConsentStatement } from './kinds/consent.ts';
export { applyAgreement } from './kinds/agreement.ts';
export { applyKeyStatement } from './kinds/key.ts';
export { judgeEntry, RegionPolicy } from './policy.ts';
export { memberFetch, type MemberFetch } from './member-fetch.ts';
export { receiptPolicyFor } from './receipt-policy.ts';
