// The questions the domains ask of the region's state, asynchronously, so a domain can be written
// once against either the in-memory fold (one process, tests) or the state in SQL (several
// processes on one database). Each answer is computed by the section functions over the state,
// or over the slice of it the SQL state selects by an index, so both give the same answers.
import type { RegionConfig } from '../config/region-config.ts';
import { accessesOf, type AccessRecord } from './access-trail.ts';
import { agreementStatus, runsOf, type AgreementStatus, type RunRecord } from './analysis.ts';
import type { Carelog } from './carelog.ts';
import type { ConsentLedger } from './consents.ts';
import type { KeyRegister } from './keys.ts';
import { holdersOf, type Holding } from './localisation.ts';
import { approvedMinutesForInsurer, insurersOf, type RegionState } from './region-state.ts';

/** What every domain's questions start from: the configuration and the keys that resolve signers. */
export interface KeyQueries {
  readonly config: RegionConfig;
  /** The key register for these key IDs (at least: their bindings, rotations and revocations). */
  keys(keyIds: readonly string[]): Promise<KeyRegister>;
}

/** Exchange's questions: consents, the localisation index, the access trail (ExchangeStateView). */
export interface ExchangeQueries extends KeyQueries {
  /** The consent register holding at least this client's ledger. */
  consents(pseudonym: string): Promise<Map<string, ConsentLedger>>;
  holdersOf(pseudonym: string): Promise<Holding[]>;
  /** The clients a holder stated it holds records of, sorted. */
  clientsOf(holder: string): Promise<string[]>;
  insurersOf(pseudonym: string): Promise<string[]>;
  accessesOf(pseudonym: string): Promise<readonly AccessRecord[]>;
}

/** Mijn Zorg Log's questions (CarelogStateView). */
export interface CarelogQueries extends KeyQueries {
  /** Mijn Zorg Log holding at least this indication's versions, entries and their decisions. */
  carelogOfIndication(indication: string): Promise<Carelog>;
  /** Mijn Zorg Log holding at least this entry and the decisions on it. */
  carelogOfEntry(entryHash: string): Promise<Carelog>;
  approvedMinutesForInsurer(insurer: string): Promise<Map<string, number>>;
}

/** Analytics' questions: agreements and runs (AnalyticsStateView). */
export interface AnalyticsQueries extends KeyQueries {
  agreementStatus(agreement: string): Promise<AgreementStatus | undefined>;
  runsOf(agreement: string): Promise<RunRecord[]>;
  /** Agreement ids with at least one statement, sorted. */
  agreements(): Promise<string[]>;
}

/** Every question, for the composition root; a domain is handed only its own interface above. */
export interface RegionStateQueries extends ExchangeQueries, CarelogQueries, AnalyticsQueries {
  /** origin → entries folded (every index below it). */
  positions(): Promise<Map<string, number>>;
}

/** The same questions answered from an in-memory state (read afresh on every call). */
export function memoryQueries(state: () => RegionState): RegionStateQueries {
  return {
    get config() {
      return state().config;
    },
    positions: async () => new Map(state().logSizes),
    keys: async () => state().keys,
    consents: async () => state().consents,
    holdersOf: async (pseudonym) => holdersOf(state().index, pseudonym),
    clientsOf: async (holder) =>
      [...state().index]
        .filter(([, holders]) => holders.has(holder))
        .map(([pseudonym]) => pseudonym)
        .sort(),
    insurersOf: async (pseudonym) => insurersOf(state(), pseudonym),
    accessesOf: async (pseudonym) => accessesOf(state().access, pseudonym),
    carelogOfIndication: async () => state().carelog,
    carelogOfEntry: async () => state().carelog,
    approvedMinutesForInsurer: async (insurer) => approvedMinutesForInsurer(state(), insurer),
    agreementStatus: async (agreement) => agreementStatus(state(), agreement),
    runsOf: async (agreement) => runsOf(state().analysis, agreement),
    agreements: async () => [...state().analysis.agreements.keys()].sort(),
  };
}
