// C2SP tlog-checkpoint v1: the note body `<origin>\n<size>\n<base64 root>\n[extension lines]`,
// signed by the log as a C2SP signed note.
import { bytesEqual, fromBase64, toBase64 } from './bytes.ts';
import { HASH_SIZE, verifyConsistency, type Hash } from './merkle.ts';
import {
  NoteError,
  openNote,
  parseNote,
  signNote,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
} from './note.ts';
import { isDecimal } from './decimal.ts';

export interface Checkpoint {
  /** tlog-checkpoint: a unique identifier for the log, e.g. a schema-less URL. */
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
  /** tlog-checkpoint: optional, non-empty lines after the root hash. */
  readonly extensions: readonly string[];
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, extensions } = checkpoint;
  if (origin.length === 0 || origin.includes('\n'))
    throw new CheckpointError('origin must be one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) throw new CheckpointError(`invalid tree size ${size}`);
  if (root.length !== HASH_SIZE) throw new CheckpointError('root hash must be 32 bytes');
  for (const line of extensions) {
    if (line.length === 0 || line.includes('\n'))
      throw new CheckpointError('extension lines must be non-empty lines');
  }
  return [origin, String(size), toBase64(root), ...extensions].map((line) => `${line}\n`).join('');
}

/** Parses a checkpoint body strictly: every deviation from tlog-checkpoint is an error. */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) throw new CheckpointError('checkpoint must end in a newline');
  const lines = body.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined)
    throw new CheckpointError('checkpoint needs origin, size and root hash lines');
  if (origin.length === 0) throw new CheckpointError('empty origin line');
  if (!isDecimal(sizeText))
    throw new CheckpointError(`tree size is not a decimal without leading zeros: ${sizeText}`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointError(`tree size too large: ${sizeText}`);
  const root = fromBase64(rootText);
  if (!root || root.length !== HASH_SIZE) throw new CheckpointError('root hash is not base64 of 32 bytes');
  if (extensions.some((line) => line.length === 0)) throw new CheckpointError('empty extension line');
  return { origin, size, root, extensions };
}

/** Signs a checkpoint as a note. Callers sign only trees whose entries are durably stored. */
export function signCheckpoint(checkpoint: Checkpoint, logSigner: NoteSigner): string {
  return signNote(formatCheckpoint(checkpoint), [logSigner]);
}

export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/**
 * Opens a signed checkpoint: the log's own signature must verify and the origin must be the one
 * expected. Other known verifiers (e.g. cosigners) may be passed too and are checked as well.
 */
export function openCheckpoint(
  message: string,
  origin: string,
  logVerifier: NoteVerifier,
  otherVerifiers: readonly NoteVerifier[] = [],
): SignedCheckpoint {
  const note = openNote(message, [logVerifier, ...otherVerifiers]);
  if (!note.verified.some((s) => s.verifier === logVerifier)) {
    throw new NoteError(`checkpoint is not signed by the log key ${logVerifier.name}`);
  }
  const checkpoint = parseCheckpoint(note.text);
  if (checkpoint.origin !== origin) throw new CheckpointError(`unexpected origin ${checkpoint.origin}`);
  return { checkpoint, note };
}

/** The checkpoint body of a signed note, without verifying signatures. */
export function checkpointOfNote(message: string): Checkpoint {
  return parseCheckpoint(parseNote(message).text);
}

export function sameTreeHead(a: Checkpoint, b: Checkpoint): boolean {
  return a.origin === b.origin && a.size === b.size && bytesEqual(a.root, b.root);
}

/**
 * Whether `newer` extends `older` (tlog-checkpoint: a log never signs an inconsistent checkpoint;
 * witnesses check this before cosigning). Same size needs the same root (else: a split view);
 * a larger size needs an RFC 9162 §2.1.4.2 consistency proof; from the empty tree anything follows.
 */
export function isConsistentSuccessor(older: Checkpoint, newer: Checkpoint, proof: readonly Hash[]): boolean {
  if (older.origin !== newer.origin || newer.size < older.size) return false;
  if (older.size === newer.size) return proof.length === 0 && bytesEqual(older.root, newer.root);
  if (older.size === 0) return proof.length === 0;
  return verifyConsistency(older.size, newer.size, proof, older.root, newer.root);
}
