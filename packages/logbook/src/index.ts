// The logbook's pure core: RFC 9162 Merkle trees, C2SP signed notes, checkpoints,
// cosignatures and tlog-proof receipts, and the signed statements that are its entries.
export * from './bytes.ts';
export * from './merkle.ts';
export * from './note.ts';
export * from './checkpoint.ts';
export * from './cosignature.ts';
export * from './statement.ts';
export * from './proof.ts';
export * from './witness/policy.ts';
export * from './ed25519.ts';
export * from './store/log-store.ts';
export * from './store/log-reader.ts';
export * from './sequencer.ts';
export * from './sequencer-registry.ts';
export * from './tiles.ts';
export * from './http/log-tiles-routes.ts';
export * from './testing/log-keys.ts';
export * from './verify-data.ts';
export * from './witness/add-checkpoint.ts';
export * from './witness/witness-store.ts';
export * from './witness/witness.ts';
export * from './witness/witness-routes.ts';
export * from './mirror/tile-client.ts';
export * from './mirror/log-mirror.ts';
export * from './finality/cosigned-store.ts';
export * from './finality/finality.ts';
export * from './finality/receipt.ts';
