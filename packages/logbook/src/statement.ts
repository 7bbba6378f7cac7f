// Logbook statements: RFC 8785 (JCS) canonical JSON, one schema per kind (statement-kinds.ts,
// DESIGN.md "The logbook"), and a signature envelope open to WebAuthn assertions. entryBytes() is
// the log leaf.
import { sha256 } from '@noble/hashes/sha2.js';
import { fail as problemFail, ok, type Result } from '@ketenlog/problem';
import canonicalize from 'canonicalize';
import { concatBytes, fromBase64, fromUtf8, toBase64, toHex, utf8 } from './bytes.ts';
import { ed25519Verify } from './ed25519.ts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Sign } from './ed25519.ts';
import { checkShape, IDENTIFIER, isObject, PSEUDONYM } from './statement-fields.ts';
import { KIND_RULES, STATEMENT_KINDS, type StatementBodies, type StatementKind } from './statement-kinds.ts';

/** The schema version every kind is at now; a kind's validator knows the versions it reads. */
export const STATEMENT_VERSION = 1;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Statement {
  readonly kind: StatementKind;
  /** Schema version of the body. */
  readonly v: number;
  /** Key ID of the author's signing key (see keyIdOf). */
  readonly author: string;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** The client's region-keyed pseudonym; never a BSN. */
  readonly subject?: string;
  readonly body: { readonly [key: string]: Json };
}

/** A statement of one kind with its typed body; validateStatement still decides what is stored. */
export type StatementOf<K extends StatementKind> = Statement & {
  readonly kind: K;
  readonly body: StatementBodies[K];
};

/** Narrows a validated statement to its kind. */
export function isKind<K extends StatementKind>(statement: Statement, kind: K): statement is StatementOf<K> {
  return statement.kind === kind;
}

/** A statement, envelope or entry that does not hold: 400, its text naming the first problem. */
const fail = (text: string) => problemFail(400, 'invalid', text);

/** RFC 8785 canonical JSON text; throws on values JSON cannot carry (NaN, lone surrogates, …). */
export function canonicalJson(value: Json): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

export function canonicalBytes(value: Json): Uint8Array {
  return utf8(canonicalJson(value));
}

const STATEMENT_FIELDS = new Set(['kind', 'v', 'author', 'iat', 'subject', 'body']);

/** Validates an untrusted value as a Statement; the problem's text names the first one found. */
export function validateStatement(value: unknown): Result<Statement> {
  if (!isObject(value)) return fail('statement must be an object');
  for (const key of Object.keys(value)) if (!STATEMENT_FIELDS.has(key)) return fail(`${key} is not allowed`);
  const { kind, v, author, iat, subject, body } = value;
  if (typeof kind !== 'string' || !(STATEMENT_KINDS as readonly string[]).includes(kind)) {
    return fail(`unknown kind ${JSON.stringify(kind)}`);
  }
  if (v !== STATEMENT_VERSION) return fail(`unsupported schema version ${JSON.stringify(v)} for ${kind}`);
  if (typeof author !== 'string' || !IDENTIFIER.test(author)) return fail('author must be a key ID');
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0)
    return fail('iat must be seconds since the epoch');
  const rule = KIND_RULES[kind as StatementKind];
  if (subject !== undefined && (typeof subject !== 'string' || !PSEUDONYM.test(subject))) {
    return fail('subject must be a pseudonym');
  }
  if (rule.subject === 'required' && subject === undefined) return fail(`${kind} needs a subject`);
  if (rule.subject === 'forbidden' && subject !== undefined) return fail(`${kind} has no subject`);
  if (!isObject(body)) return fail('body must be an object');
  const reason = checkShape(body, rule.shape) ?? rule.cross?.(body);
  if (reason) return fail(`${kind}: ${reason}`);
  return ok(value as unknown as Statement);
}

// --- signatures ---

export type SignatureAlg = 'Ed25519' | 'webauthn-es256';

export interface Ed25519Signature {
  readonly alg: 'Ed25519';
  readonly keyId: string;
  /** base64 Ed25519 signature over canonicalBytes(statement). */
  readonly sig: string;
}

/** A WebAuthn assertion whose challenge is statementHash(statement) (base64url, per WebAuthn). */
export interface WebAuthnSignature {
  readonly alg: 'webauthn-es256';
  readonly keyId: string;
  readonly sig: string;
  readonly authenticatorData: string;
  readonly clientDataJSON: string;
}

export type StatementSignature = Ed25519Signature | WebAuthnSignature;

export interface SignedStatement {
  readonly statement: Statement;
  readonly signatures: readonly StatementSignature[];
}

/** Key ID of a signing key: hex of the first 16 bytes of SHA-256(alg || 0x00 || public key). */
export function keyIdOf(alg: SignatureAlg, publicKey: Uint8Array): string {
  return toHex(sha256(concatBytes(utf8(alg), Uint8Array.of(0), publicKey)).slice(0, 16));
}

/** SHA-256 of the statement's JCS bytes: what approvals cite and WebAuthn signs as challenge. */
export function statementHash(statement: Statement): Uint8Array {
  return sha256(canonicalBytes(statement as unknown as Json));
}

export function signStatementEd25519(statement: Statement, secretKey: Uint8Array): Ed25519Signature {
  const publicKey = ed25519.getPublicKey(secretKey);
  return {
    alg: 'Ed25519',
    keyId: keyIdOf('Ed25519', publicKey),
    sig: toBase64(ed25519Sign(canonicalBytes(statement as unknown as Json), secretKey)),
  };
}

/** Validates the statement and signs it as its author. */
export function signStatement(statement: Statement, secretKey: Uint8Array): SignedStatement {
  const valid = validateStatement(statement);
  if (!valid.ok) throw new TypeError(`invalid statement: ${valid.problem.text}`);
  const signature = signStatementEd25519(statement, secretKey);
  if (signature.keyId !== statement.author)
    throw new TypeError('the signing key is not the statement author');
  return { statement, signatures: [signature] };
}

export interface KnownKey {
  readonly alg: SignatureAlg;
  readonly publicKey: Uint8Array;
}

/** Looks up a bound, unrevoked key by ID (the region's key statements feed this). */
export type KeyResolver = (keyId: string) => KnownKey | undefined;

/** Verifies a WebAuthn assertion over a statement hash; supplied by the identity layer. */
export type WebAuthnVerify = (
  signature: WebAuthnSignature,
  challenge: Uint8Array,
  publicKey: Uint8Array,
) => boolean;

function checkSignatureShape(value: unknown): Result<StatementSignature> {
  if (!isObject(value)) return fail('signature must be an object');
  const { alg, keyId, sig } = value;
  if (typeof keyId !== 'string' || !IDENTIFIER.test(keyId)) return fail('signature keyId must be a key ID');
  if (typeof sig !== 'string' || !fromBase64(sig)) return fail('signature sig must be base64');
  if (alg === 'Ed25519') {
    if (Object.keys(value).length !== 3) return fail('Ed25519 signature has unknown fields');
    return ok(value as unknown as Ed25519Signature);
  }
  if (alg === 'webauthn-es256') {
    const { authenticatorData, clientDataJSON } = value;
    if (typeof authenticatorData !== 'string' || typeof clientDataJSON !== 'string') {
      return fail('webauthn signature needs authenticatorData and clientDataJSON');
    }
    if (Object.keys(value).length !== 5) return fail('webauthn signature has unknown fields');
    return ok(value as unknown as WebAuthnSignature);
  }
  return fail(`unknown signature alg ${JSON.stringify(alg)}`);
}

/** Validates an untrusted envelope's shape and its statement, without checking signatures. */
export function validateSignedStatement(value: unknown): Result<SignedStatement> {
  if (!isObject(value)) return fail('envelope must be an object');
  if (Object.keys(value).some((k) => k !== 'statement' && k !== 'signatures'))
    return fail('envelope has unknown fields');
  const statement = validateStatement(value.statement);
  if (!statement.ok) return statement;
  const { signatures } = value;
  if (!Array.isArray(signatures) || signatures.length === 0)
    return fail('envelope needs at least one signature');
  const checked: StatementSignature[] = [];
  for (const s of signatures) {
    const sig = checkSignatureShape(s);
    if (!sig.ok) return sig;
    checked.push(sig.value);
  }
  if (new Set(checked.map((s) => s.keyId)).size !== checked.length) return fail('two signatures by one key');
  return ok({ statement: statement.value, signatures: checked });
}

/**
 * Verifies every signature of an envelope against known keys; the author must be among the
 * signers. WebAuthn signatures need the identity layer's verifier.
 */
export function verifySignedStatement(
  value: unknown,
  resolveKey: KeyResolver,
  webauthn?: WebAuthnVerify,
): Result<SignedStatement> {
  const envelope = validateSignedStatement(value);
  if (!envelope.ok) return envelope;
  const { statement, signatures } = envelope.value;
  const message = canonicalBytes(statement as unknown as Json);
  for (const signature of signatures) {
    const key = resolveKey(signature.keyId);
    if (!key) return fail(`unknown or revoked key ${signature.keyId}`);
    if (key.alg !== signature.alg) return fail(`key ${signature.keyId} is not an ${signature.alg} key`);
    const sig = fromBase64(signature.sig) as Uint8Array;
    const valid =
      signature.alg === 'Ed25519'
        ? ed25519Verify(sig, message, key.publicKey)
        : (webauthn?.(signature, sha256(message), key.publicKey) ?? false);
    if (!valid) return fail(`bad signature by ${signature.keyId}`);
  }
  if (!signatures.some((s) => s.keyId === statement.author))
    return fail('the author did not sign the statement');
  return envelope;
}

/** The log leaf: the JCS bytes of the whole envelope (RFC 9162 hashes it with the 0x00 prefix). */
export function entryBytes(envelope: SignedStatement): Uint8Array {
  return canonicalBytes(envelope as unknown as Json);
}

/** Reads a log entry back; only canonical JCS bytes of a well-formed envelope are accepted. */
export function parseEntry(bytes: Uint8Array): Result<SignedStatement> {
  const text = fromUtf8(bytes);
  if (text === undefined) return fail('entry is not UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('entry is not JSON');
  }
  const envelope = validateSignedStatement(parsed);
  if (!envelope.ok) return envelope;
  if (canonicalJson(parsed as Json) !== text) return fail('entry is not in canonical (JCS) form');
  return envelope;
}
