// C2SP signed-note v1.0.0: a UTF-8 text, a blank line, and signature lines
// `— <name> base64(key ID || signature)`; plus Ed25519 verifier keys (vkeys).
// Browser-safe: Ed25519 through ./ed25519.ts (node:crypto on Node, @noble in a browser).
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Sign, ed25519Verify } from './ed25519.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes, fromBase64, fromUtf8, toBase64, toHex, utf8 } from './bytes.ts';

/** signed-note §Signatures: signature type byte for Ed25519 note signatures. */
export const ED25519_ALG = 0x01;
/** signed-note: verifiers reject notes with too many signatures (resource limit). */
export const MAX_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 ';

export class NoteError extends Error {
  override name = 'NoteError';
}

/** A signature line as read, not yet verified. keyId is the 4-byte key ID. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: Uint8Array;
  /** The bytes after the key ID. */
  readonly signature: Uint8Array;
}

export interface Note {
  /** The note text, ending in a newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: Uint8Array;
  sign(text: string): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  verify(text: string, signature: Uint8Array): boolean;
}

/** signed-note §Signatures: key names are non-empty, without whitespace or '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && fromUtf8(utf8(name)) === name;
}

/** signed-note: key ID = SHA-256(name || 0x0A || signature type || public key)[:4]. */
export function keyIdFor(name: string, alg: number, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, alg), publicKey)).slice(0, 4);
}

/** signed-note §Format: valid UTF-8, ends in a newline, no ASCII control characters but newline. */
function checkText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n')) throw new NoteError('note text must end in a newline');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new NoteError('note text has control characters');
  if (fromUtf8(utf8(text)) !== text) throw new NoteError('note text is not valid UTF-8');
}

function formatSignatureLine(sig: NoteSignature): string {
  return `${SIGNATURE_PREFIX}${sig.name} ${toBase64(concatBytes(sig.keyId, sig.signature))}\n`;
}

export function formatNote(note: Note): string {
  checkText(note.text);
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX))
    throw new NoteError(`malformed signature line: ${JSON.stringify(line)}`);
  const [name, encoded, ...more] = line.slice(SIGNATURE_PREFIX.length).split(' ');
  if (name === undefined || encoded === undefined || more.length > 0)
    throw new NoteError('signature line must be "— <name> <base64>"');
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const bytes = fromBase64(encoded);
  if (!bytes || bytes.length < 5) throw new NoteError(`invalid signature encoding for ${name}`);
  return { name, keyId: bytes.slice(0, 4), signature: bytes.slice(4) };
}

/** Splits a signed note into text and signature lines; does not verify anything. */
export function parseNote(message: string): Note {
  if (fromUtf8(utf8(message)) !== message) throw new NoteError('note is not valid UTF-8');
  // The signature block follows the last blank line; signature lines cannot be empty.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no signature block');
  const text = message.slice(0, split + 1);
  checkText(text);
  const block = message.slice(split + 2);
  if (!block.endsWith('\n')) throw new NoteError('signature block must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('too many signatures');
  return { text, signatures: lines.map(parseSignatureLine) };
}

export interface VerifiedSignature extends NoteSignature {
  readonly verifier: NoteVerifier;
}

export interface OpenedNote extends Note {
  /** Signatures by known verifiers, all verified. */
  readonly verified: readonly VerifiedSignature[];
}

function findVerifier(sig: NoteSignature, verifiers: readonly NoteVerifier[]): NoteVerifier | undefined {
  return verifiers.find((v) => v.name === sig.name && bytesEqual(v.keyId, sig.keyId));
}

/**
 * Parses a note and verifies it: signatures by unknown keys are ignored (signed-note), a bad
 * signature by a known key is an error, and at least one known key must have signed.
 */
export function openNote(message: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const note = parseNote(message);
  const verified: VerifiedSignature[] = [];
  for (const sig of note.signatures) {
    const verifier = findVerifier(sig, verifiers);
    if (!verifier) continue;
    if (verified.some((v) => v.verifier === verifier))
      throw new NoteError(`duplicate signature by ${sig.name}`);
    if (!verifier.verify(note.text, sig.signature)) throw new NoteError(`invalid signature by ${sig.name}`);
    verified.push({ ...sig, verifier });
  }
  if (verified.length === 0) throw new NoteError('note has no signature by a known key');
  return { ...note, verified };
}

/** Signs a note text with every signer, keeping any signatures it already has. */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: readonly NoteSignature[] = [],
): string {
  checkText(text);
  const added = signers.map((s) => {
    if (!isValidKeyName(s.name)) throw new NoteError(`invalid key name ${JSON.stringify(s.name)}`);
    return { name: s.name, keyId: s.keyId, signature: s.sign(text) };
  });
  return formatNote({ text, signatures: [...existing, ...added] });
}

/** Adds signatures to an already signed note (e.g. a witness cosigning a checkpoint). */
export function addSignatures(message: string, signers: readonly NoteSigner[]): string {
  const note = parseNote(message);
  return signNote(note.text, signers, note.signatures);
}

/** An Ed25519 note signer (signature type 0x01): signs the text bytes. */
export function ed25519Signer(name: string, secretKey: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const publicKey = ed25519.getPublicKey(secretKey);
  return {
    name,
    keyId: keyIdFor(name, ED25519_ALG, publicKey),
    sign: (text) => ed25519Sign(utf8(text), secretKey),
  };
}

export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new NoteError('Ed25519 public key must be 32 bytes');
  return {
    name,
    keyId: keyIdFor(name, ED25519_ALG, publicKey),
    verify: (text, signature) => ed25519Verify(signature, utf8(text), publicKey),
  };
}

/** signed-note §Verifier keys: `<name>+<hex key ID>+<base64(type || public key)>`. */
export function encodeVerifierKey(name: string, alg: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  return `${name}+${toHex(keyIdFor(name, alg, publicKey))}+${toBase64(concatBytes(Uint8Array.of(alg), publicKey))}`;
}

export interface VerifierKey {
  readonly name: string;
  readonly alg: number;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
}

type Fields<N extends number, Acc extends string[] = []> = Acc['length'] extends N
  ? Acc
  : Fields<N, [...Acc, string]>;

/** Splits at the first count − 1 '+' signs; the last field keeps any further '+'. */
function splitPlus<N extends number>(text: string, count: N): Fields<N> | undefined {
  const parts: string[] = [];
  let rest = text;
  for (let i = 1; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts as Fields<N>;
}

/** Parses a vkey and checks that its key ID matches the name and key. */
export function decodeVerifierKey(vkey: string): VerifierKey {
  // The base64 key may itself contain '+', so split only at the first two.
  const parts = splitPlus(vkey, 3);
  if (!parts) throw new NoteError('vkey must be <name>+<hex id>+<base64 key>');
  const [name, hexId, encoded] = parts;
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new NoteError('vkey key ID must be 8 lowercase hex digits');
  const bytes = fromBase64(encoded);
  if (!bytes || bytes.length < 2) throw new NoteError('vkey key is not valid base64');
  const [alg] = bytes;
  if (alg === undefined) throw new NoteError('vkey key is not valid base64');
  const publicKey = bytes.slice(1);
  const keyId = keyIdFor(name, alg, publicKey);
  if (toHex(keyId) !== hexId) throw new NoteError('vkey key ID does not match name and key');
  return { name, alg, keyId, publicKey };
}

/** A note verifier for an Ed25519 vkey (type 0x01). */
export function verifierFromKey(vkey: string): NoteVerifier {
  const key = decodeVerifierKey(vkey);
  if (key.alg !== ED25519_ALG)
    throw new NoteError(`vkey type 0x${key.alg.toString(16)} is not an Ed25519 note key`);
  return ed25519Verifier(key.name, key.publicKey);
}

export function generateSecretKey(): Uint8Array {
  return ed25519.utils.randomSecretKey();
}

/** The Go sumdb/note signer key form `PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>`. */
export function encodeSignerKey(name: string, secretKey: Uint8Array): string {
  const vkey = encodeVerifierKey(name, ED25519_ALG, ed25519.getPublicKey(secretKey));
  const hexId = vkey.split('+')[1];
  return `PRIVATE+KEY+${name}+${hexId}+${toBase64(concatBytes(Uint8Array.of(ED25519_ALG), secretKey))}`;
}

export function signerFromKey(skey: string): NoteSigner {
  const parts = splitPlus(skey, 5);
  if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new NoteError('malformed signer key');
  const [, , name, hexId, encoded] = parts;
  const bytes = fromBase64(encoded);
  if (!bytes || bytes.length !== 33 || bytes[0] !== ED25519_ALG)
    throw new NoteError('signer key is not an Ed25519 key');
  const signer = ed25519Signer(name, bytes.slice(1));
  if (toHex(signer.keyId) !== hexId) throw new NoteError('signer key ID does not match name and key');
  return signer;
}
