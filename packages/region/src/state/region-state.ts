// The region's state as a deterministic fold over every member's log (issue 3 item 9).
//
// The rule: each section keeps facts with their position (iat, log origin, index) and settles
// conflicts by that position (earliest wins, or latest for a consent of the same scope), never by
// arrival. Every update is commutative, so any interleaving of the logs gives the same state, and
// a live state maintained entry by entry equals one rebuilt from scratch. Identities (which
// organisation a key belongs to) are resolved when asked, because the key statement that tells
// may sit in another log.
import {
  parseEntry,
  statementHash,
  toBase64,
  type Json,
  type LogRef,
  type SignedStatement,
  type Statement,
} from '@ketenlog/logbook';
import { findOrganisation, uraOf, type RegionConfig } from '../config/region-config.ts';
import { regionKind } from '../kinds/registry.ts';
import type { AccessTrail } from './access-trail.ts';
import { emptyAnalysis, type AnalysisRegister } from './analysis.ts';
import { approvedEntries, emptyCarelog, type Carelog } from './carelog.ts';
import type { ConsentRegister } from './consents.ts';
import { configuredKeys, type KeyRegister } from './keys.ts';
import type { LocalisationIndex } from './localisation.ts';
import type { EntryPosition } from './position.ts';

export interface RegionState {
  readonly config: RegionConfig;
  readonly keys: KeyRegister;
  readonly index: LocalisationIndex;
  readonly consents: ConsentRegister;
  readonly carelog: Carelog;
  readonly analysis: AnalysisRegister;
  readonly access: AccessTrail;
  /** origin → number of entries folded so far (the highest index + 1). */
  readonly logSizes: Map<string, number>;
}

export function createRegionState(config: RegionConfig): RegionState {
  return {
    config,
    keys: configuredKeys(config),
    index: new Map(),
    consents: new Map(),
    carelog: emptyCarelog(),
    analysis: emptyAnalysis(),
    access: new Map(),
    logSizes: new Map(),
  };
}

/** base64 SHA-256 of the statement: how approvals, revocations and re-indications cite it. */
export function hashOfStatement(statement: Statement): string {
  return toBase64(statementHash(statement));
}

/**
 * Folds one accepted entry into the state (in place). Deterministic: depends only on the state
 * and its arguments (no clock, I/O or randomness), and commutes with entries of other logs.
 * It does not judge the entry; RegionPolicy does that before a witness accepts it.
 */
export function applyEntry(state: RegionState, log: LogRef, index: number, entry: SignedStatement): void {
  const { statement } = entry;
  applyStatement(
    state,
    { iat: statement.iat, origin: log.origin, index },
    hashOfStatement(statement),
    statement,
    entry.signatures.map((s) => s.keyId),
  );
}

/**
 * Folds one statement at its position, its hash and signers already known (as the SQL state
 * stores them): each kind's module (kinds/<kind>.ts) folds it into its register.
 */
export function applyStatement(
  state: RegionState,
  at: EntryPosition,
  hash: string,
  statement: Statement,
  signers: readonly string[],
): void {
  state.logSizes.set(at.origin, Math.max(state.logSizes.get(at.origin) ?? 0, at.index + 1));
  regionKind(statement.kind).fold(state, statement, { at, hash, signers });
}

export class FoldError extends Error {
  override name = 'FoldError';
}

export interface LogEntries {
  readonly log: LogRef;
  /** The log's entries from index 0, as stored bytes or already parsed. */
  readonly entries: Iterable<Uint8Array | SignedStatement>;
}

/** Rebuilds the state from scratch; the order of `logs` does not matter. */
export function foldLogs(config: RegionConfig, logs: Iterable<LogEntries>): RegionState {
  const state = createRegionState(config);
  for (const { log, entries } of logs) {
    let index = 0;
    for (const entry of entries) {
      let parsed: SignedStatement;
      if (entry instanceof Uint8Array) {
        const result = parseEntry(entry);
        if (!result.ok) throw new FoldError(`${log.origin} entry ${index}: ${result.problem.text}`);
        parsed = result.value;
      } else parsed = entry;
      applyEntry(state, log, index, parsed);
      index++;
    }
  }
  return state;
}

// --- views across sections ---

/** Insurers (`ura:<URA>`) with an index entry for the client: the zorgverzekeraars holding her records. */
export function insurersOf(state: RegionState, pseudonym: string): string[] {
  return [...(state.index.get(pseudonym)?.keys() ?? [])]
    .filter((holder) => {
      const ura = uraOf(holder);
      return ura !== undefined && findOrganisation(state.config, ura)?.type === 'zorgverzekeraar';
    })
    .sort();
}

/** Approved care minutes per client for one insurer: what it may declare, and nothing else. */
export function approvedMinutesForInsurer(state: RegionState, insurer: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const entry of approvedEntries(state.carelog)) {
    if (!insurersOf(state, entry.subject).includes(insurer)) continue;
    totals.set(entry.subject, (totals.get(entry.subject) ?? 0) + entry.minutes);
  }
  return totals;
}

function snapshot(value: unknown): Json {
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [String(k), snapshot(v)] as const);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  if (value instanceof Set)
    return [...value].map(snapshot).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (Array.isArray(value)) return value.map(snapshot);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, snapshot(v)]),
    );
  }
  return value as Json;
}

/**
 * The state as canonical JSON data (maps and sets sorted, configuration left out): equal
 * snapshots mean equal states, whatever order the maps were filled in.
 */
export function snapshotState(state: RegionState): Json {
  const { config: _config, ...rest } = state;
  return snapshot(rest);
}
