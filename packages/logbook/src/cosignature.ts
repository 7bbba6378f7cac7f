// C2SP tlog-cosignature: Ed25519 cosignature/v1, a witness's timestamped signature over a
// checkpoint, carried as one more signed-note signature line.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Sign, ed25519Verify } from './ed25519.ts';
import { concatBytes, utf8 } from './bytes.ts';
import { openCheckpoint, type SignedCheckpoint } from './checkpoint.ts';
import {
  NoteError,
  decodeVerifierKey,
  encodeVerifierKey,
  isValidKeyName,
  keyIdFor,
  type NoteSigner,
  type NoteVerifier,
} from './note.ts';

/** tlog-cosignature §Format: key ID algorithm byte for Ed25519 cosignature/v1. */
export const COSIGNATURE_V1_ALG = 0x04;
const TIMESTAMP_BYTES = 8;
const ED25519_SIGNATURE_BYTES = 64;
const MAX_TIMESTAMP = 2n ** 63n - 1n;

/** tlog-cosignature §Ed25519 signed message: header line, time line, then the checkpoint body. */
export function cosignedMessage(checkpointBody: string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new RangeError(`invalid timestamp ${timestamp}`);
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`);
}

/** tlog-cosignature §Format: timestamped_signature = u64 big-endian timestamp || signature. */
function encodeTimestampedSignature(timestamp: number, signature: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(TIMESTAMP_BYTES);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(timestamp));
  return concatBytes(prefix, signature);
}

export interface TimestampedSignature {
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

export function decodeTimestampedSignature(bytes: Uint8Array): TimestampedSignature | undefined {
  if (bytes.length !== TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES) return undefined;
  const timestamp = new DataView(bytes.buffer, bytes.byteOffset, TIMESTAMP_BYTES).getBigUint64(0);
  if (timestamp > MAX_TIMESTAMP || timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { timestamp: Number(timestamp), signature: bytes.slice(TIMESTAMP_BYTES) };
}

/** Seconds since the epoch; injected so witnesses and tests control time. */
export type Clock = () => number;

/** A witness's cosigner: a NoteSigner whose signatures are timestamped cosignature/v1. */
export function ed25519Cosigner(name: string, secretKey: Uint8Array, clock: Clock): NoteSigner {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const publicKey = ed25519.getPublicKey(secretKey);
  return {
    name,
    keyId: keyIdFor(name, COSIGNATURE_V1_ALG, publicKey),
    sign: (text) => {
      const timestamp = Math.floor(clock());
      return encodeTimestampedSignature(timestamp, ed25519Sign(cosignedMessage(text, timestamp), secretKey));
    },
  };
}

export interface CosignatureVerifier extends NoteVerifier {
  /** The timestamp of a cosignature this verifier accepts, or undefined. */
  timestampOf(signature: Uint8Array): number | undefined;
}

export function ed25519CosignatureVerifier(name: string, publicKey: Uint8Array): CosignatureVerifier {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new NoteError('Ed25519 public key must be 32 bytes');
  const timestampOf = (signature: Uint8Array) => decodeTimestampedSignature(signature)?.timestamp;
  return {
    name,
    keyId: keyIdFor(name, COSIGNATURE_V1_ALG, publicKey),
    timestampOf,
    verify: (text, bytes) => {
      const decoded = decodeTimestampedSignature(bytes);
      return (
        !!decoded && ed25519Verify(decoded.signature, cosignedMessage(text, decoded.timestamp), publicKey)
      );
    },
  };
}

/** tlog-cosignature: Ed25519 cosigner keys MAY be vkeys with type 0x04. */
export function encodeCosignerKey(name: string, publicKey: Uint8Array): string {
  return encodeVerifierKey(name, COSIGNATURE_V1_ALG, publicKey);
}

export function cosignatureVerifierFromKey(vkey: string): CosignatureVerifier {
  const key = decodeVerifierKey(vkey);
  if (key.alg !== COSIGNATURE_V1_ALG)
    throw new NoteError(`vkey type 0x${key.alg.toString(16)} is not cosignature/v1`);
  return ed25519CosignatureVerifier(key.name, key.publicKey);
}

export interface Cosignature {
  readonly cosigner: string;
  readonly timestamp: number;
}

export interface CosignedCheckpoint extends SignedCheckpoint {
  readonly cosignatures: readonly Cosignature[];
}

export class QuorumError extends Error {
  override name = 'QuorumError';
}

/**
 * Opens a checkpoint and checks that at least `quorum` of the given witnesses cosigned it
 * (tlog-cosignature: clients verify a quorum of cosignatures to rule out split views).
 */
export function openCosignedCheckpoint(
  message: string,
  origin: string,
  logVerifier: NoteVerifier,
  witnesses: readonly CosignatureVerifier[],
  quorum: number,
): CosignedCheckpoint {
  const signed = openCheckpoint(message, origin, logVerifier, witnesses);
  const cosignatures: Cosignature[] = [];
  for (const sig of signed.note.verified) {
    const witness = witnesses.find((w) => w === sig.verifier);
    const timestamp = witness?.timestampOf(sig.signature);
    if (witness && timestamp !== undefined) cosignatures.push({ cosigner: witness.name, timestamp });
  }
  if (cosignatures.length < quorum) {
    throw new QuorumError(`checkpoint has ${cosignatures.length} of ${quorum} required cosignatures`);
  }
  return { ...signed, cosignatures };
}
