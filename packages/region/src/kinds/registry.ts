// The statement kinds the region knows, one module each: the compiler asks for a module for every
// kind the logbook's schema accepts (STATEMENT_KINDS), and policy.ts, region-state.ts and
// sql-state.ts are loops over this list.
import {
  KIND_ACCESS,
  KIND_AGREEMENT,
  KIND_ANALYSIS_RUN,
  KIND_CARELOG_APPROVAL,
  KIND_CARELOG_ENTRY,
  KIND_CARELOG_INDICATION,
  KIND_CONSENT,
  KIND_INDEX,
  KIND_KEY,
  STATEMENT_KINDS,
  type PolicyVerdict,
  type Statement,
  type StatementKind,
} from '@ketenlog/logbook';
import type { RegionState } from '../state/region-state.ts';
import { accessKind } from './access.ts';
import { agreementKind } from './agreement.ts';
import { analysisRunKind } from './analysis-run.ts';
import { carelogApprovalKind } from './carelog-approval.ts';
import { carelogEntryKind } from './carelog-entry.ts';
import { carelogIndicationKind } from './carelog-indication.ts';
import { consentKind } from './consent.ts';
import type { Fact, JudgeContext, LookupKeys, RegionKind } from './kind.ts';
import { keyKind } from './key.ts';
import { localisationIndexKind } from './localisation-index.ts';

export const REGION_KINDS: { readonly [K in StatementKind]: RegionKind<K> } = {
  [KIND_INDEX]: localisationIndexKind,
  [KIND_CONSENT]: consentKind,
  [KIND_CARELOG_INDICATION]: carelogIndicationKind,
  [KIND_CARELOG_ENTRY]: carelogEntryKind,
  [KIND_CARELOG_APPROVAL]: carelogApprovalKind,
  [KIND_AGREEMENT]: agreementKind,
  [KIND_ANALYSIS_RUN]: analysisRunKind,
  [KIND_ACCESS]: accessKind,
  [KIND_KEY]: keyKind,
};

/** A kind's module as a loop over every kind sees it: it takes any validated statement. */
export interface AnyRegionKind extends Omit<RegionKind<StatementKind>, 'judge' | 'fold' | 'lookup'> {
  judge(ctx: JudgeContext, statement: Statement): PolicyVerdict;
  fold(state: RegionState, statement: Statement, fact: Fact): void;
  lookup(statement: Statement, hash: string): LookupKeys;
}

/**
 * The module of a statement's kind. The one cast of the dispatch: a validated statement's body is
 * its kind's (validateStatement checked it against the kind's schema), so the module's typed
 * functions apply.
 */
export function regionKind(kind: StatementKind): AnyRegionKind {
  return REGION_KINDS[kind] as unknown as AnyRegionKind;
}

/** Kinds no witness rule reads, in the logbook's order (SQL: what a judging state leaves out). */
export const UNJUDGED_KINDS: readonly StatementKind[] = STATEMENT_KINDS.filter(
  (k) => !REGION_KINDS[k].judged,
);
