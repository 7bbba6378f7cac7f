// The logbook: its browser-safe core (core.ts) and the server side — the log store and its
// sequencer (one writer per log), tlog-tiles routes, witnesses, mirrors and finality.
// Test keys are at `@ketenlog/logbook/testing`.
export * from './core.ts';
export type { EntryPolicy, LogRef, PolicyVerdict } from './witness/policy.ts';
export {
  decodeStored,
  encodeStored,
  listLogs,
  LOG_SCHEMA,
  LogStoreError,
  SqlLogStore,
  type LogCommit,
  type LogEntry,
  type LogKeyRecord,
  type StoredCheckpoint,
} from './store/log-store.ts';
export {
  LogReader,
  LogReadError,
  storedLatestCheckpoint,
  type ConsistencyProof,
  type EntryWithProof,
  type LatestCheckpoint,
} from './store/log-reader.ts';
export { DEFAULT_TILE_BUDGET_BYTES, TILE_BYTES, TileBudget } from './store/tile-budget.ts';
export {
  registerLog,
  Sequencer,
  SequencerError,
  type AppendResult,
  type SequencerOptions,
} from './sequencer.ts';
export { LogRegistry } from './sequencer-registry.ts';
export { Election, type ElectionOptions } from './writer/election.ts';
export { SharedLog, type SharedLogOptions } from './writer/shared-log.ts';
export {
  createTileHandler,
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  MAX_ENTRY_BYTES,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  tilePath,
  type ConsistencyResponse,
  type EntryResponse,
  type TileCoordinate,
  type TileHandler,
  type TileResponse,
} from './tiles.ts';
export { logTilesRoutes, type LogTilesRoutesOptions } from './http/log-tiles-routes.ts';
export {
  verifyData,
  verifyLog,
  type DataVerifyResult,
  type LogVerifyOk,
  type LogVerifyProblem,
  type LogVerifyResult,
  type VerifyDataOptions,
} from './verify-data.ts';
export {
  AddCheckpointFormatError,
  formatAddCheckpoint,
  MAX_PROOF_LINES,
  parseAddCheckpoint,
  TLOG_SIZE_TYPE,
  withCosignatureLines,
  type AddCheckpointRequest,
} from './witness/add-checkpoint.ts';
export {
  WITNESS_SCHEMA,
  WitnessStore,
  type CosignedState,
  type Evidence,
  type EvidenceKind,
} from './witness/witness-store.ts';
export {
  Witness,
  type CheckpointValidator,
  type Validation,
  type WitnessedLog,
  type WitnessOptions,
  type WitnessResponse,
} from './witness/witness.ts';
export { witnessRoutes, type WitnessRoutesOptions } from './witness/witness-routes.ts';
export { TileClient, TileFetchError, type Fetch } from './mirror/tile-client.ts';
export { LogMirror, type LogMirrorOptions, type SyncResult } from './mirror/log-mirror.ts';
export { COSIGNED_SCHEMA, CosignedStore } from './finality/cosigned-store.ts';
export {
  Finality,
  FinalityError,
  type FinalityOptions,
  type WitnessEndpoint,
  type WitnessStatus,
} from './finality/finality.ts';
export { receiptFor } from './finality/receipt.ts';
