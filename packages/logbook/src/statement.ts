// Logbook statements: RFC 8785 (JCS) canonical JSON, one schema per kind (DESIGN.md "The
// logbook"), and a signature envelope open to WebAuthn assertions. entryBytes() is the log leaf.
import { sha256 } from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';
import { concatBytes, fromBase64, fromUtf8, toBase64, toHex, utf8 } from './bytes.ts';
import { ed25519Verify } from './ed25519.ts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Sign } from './ed25519.ts';

export const STATEMENT_KINDS = [
  'index',
  'consent',
  'carelog.indication',
  'carelog.entry',
  'carelog.approval',
  'agreement',
  'analysis.run',
  'access',
  'key',
] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

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

type Hash64 = string;

/** The body of each kind, as KIND_RULES checks it (identifiers, base64 hashes, no content). */
export interface StatementBodies {
  index: { holder: string; category: string };
  consent: {
    decision: 'grant' | 'objection' | 'revocation';
    grantee?: string;
    category?: string;
    purpose?: string;
    /** Hash of the consent statement a revocation revokes. */
    revokes?: Hash64;
  };
  'carelog.indication': {
    indication: string;
    provider: string;
    hours: number;
    days: number;
    replaces?: Hash64;
  };
  'carelog.entry': { indication: string; date: string; start: string; end: string; activities: string[] };
  'carelog.approval': { entry: Hash64; decision: 'approved' | 'rejected'; reason?: string };
  agreement: { agreement: string; parties: string[]; purpose: string; specHash: Hash64; validUntil?: string };
  'analysis.run': { agreement: string; specHash: Hash64; outputDigest: Hash64; parties: string[] };
  access: {
    accessor: string;
    organisation: string;
    role: string;
    category: string;
    purpose: string;
    /** The holder's decision; absent in statements written before it existed (see exchange). */
    outcome?: 'permit' | 'deny';
    breakTheGlass?: boolean;
    /** Free text; a break-the-glass reason is no longer written here (see reasonCommitment). */
    reason?: string;
    /** Break-the-glass: SHA-256 of a salt and the reason, both kept by the holder (base64). */
    reasonCommitment?: Hash64;
  };
  key: {
    action: 'bind' | 'rotate' | 'revoke';
    keyId: string;
    alg: SignatureAlg;
    publicKey?: string;
    holder: string;
    organisation?: string;
    role?: string;
    replaces?: string;
    /** Why a key is revoked (RFC 5280 §5.3.1 in brief); never free text on a public log. */
    reason?: 'compromised' | 'superseded' | 'retired';
  };
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

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(reason: string): Result<T> => ({ ok: false, reason });

/** RFC 8785 canonical JSON text; throws on values JSON cannot carry (NaN, lone surrogates, …). */
export function canonicalJson(value: Json): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

export function canonicalBytes(value: Json): Uint8Array {
  return utf8(canonicalJson(value));
}

// --- field checks: each returns a reason, or undefined when the field is fine ---

type Check = (value: Json | undefined) => string | undefined;
type Shape = Record<string, { readonly required: boolean; readonly check: Check }>;

const PSEUDONYM = /^[A-Za-z0-9_-]{16,128}$/;
const IDENTIFIER = /^[A-Za-z0-9._:/-]{1,200}$/;

const text: Check = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= 500 ? undefined : 'must be a non-empty string';
const identifier: Check = (v) =>
  typeof v === 'string' && IDENTIFIER.test(v) ? undefined : 'must be an identifier';
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
const oneOf =
  (...options: string[]): Check =>
  (v) =>
    typeof v === 'string' && options.includes(v) ? undefined : `must be one of ${options.join(', ')}`;
const hash: Check = (v) =>
  typeof v === 'string' && fromBase64(v)?.length === 32 ? undefined : 'must be a base64 SHA-256 hash';
const integerIn =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `must be an integer in ${min}..${max}`;
const date: Check = (v) =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))
    ? undefined
    : 'must be a date YYYY-MM-DD';
const time: Check = (v) =>
  typeof v === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? undefined : 'must be a time HH:MM';
const listOf =
  (item: Check, min: number): Check =>
  (v) => {
    if (!Array.isArray(v) || v.length < min) return `must be a list of at least ${min}`;
    const bad = v.map(item).find((r) => r !== undefined);
    if (bad) return `has an item that ${bad}`;
    return new Set(v.map((x) => JSON.stringify(x))).size === v.length ? undefined : 'has duplicates';
  };

const req = (check: Check) => ({ required: true, check });
const opt = (check: Check) => ({ required: false, check });

/** Checks an object against a shape; unknown fields are rejected so no content slips in. */
function checkShape(body: { readonly [key: string]: Json }, shape: Shape): string | undefined {
  for (const key of Object.keys(body)) if (!(key in shape)) return `body.${key} is not allowed`;
  for (const [key, field] of Object.entries(shape)) {
    const value = body[key];
    if (value === undefined) {
      if (field.required) return `body.${key} is required`;
      continue;
    }
    const reason = field.check(value);
    if (reason) return `body.${key} ${reason}`;
  }
  return undefined;
}

interface KindRule {
  readonly subject: 'required' | 'forbidden' | 'optional';
  readonly shape: Shape;
  /** Checks across fields, after the shape holds. */
  readonly cross?: (body: { readonly [key: string]: Json }) => string | undefined;
}

/** One schema per statement kind (DESIGN.md "Statement kinds"). */
export const KIND_RULES: Record<StatementKind, KindRule> = {
  // Organisation X holds category Y for pseudonym Z; deliberately no dates.
  index: { subject: 'required', shape: { holder: req(identifier), category: req(identifier) } },
  consent: {
    subject: 'required',
    shape: {
      decision: req(oneOf('grant', 'objection', 'revocation')),
      grantee: opt(identifier),
      category: opt(identifier),
      purpose: opt(identifier),
      revokes: opt(hash),
    },
    cross: (b) =>
      b.decision === 'revocation' && b.revokes === undefined
        ? 'a revocation names the consent it revokes (body.revokes)'
        : b.decision !== 'revocation' && b.revokes !== undefined
          ? 'only a revocation may name body.revokes'
          : undefined,
  },
  // Landelijk Indicatieprotocol Kraamzorg: 24 to 80 hours.
  'carelog.indication': {
    subject: 'required',
    shape: {
      indication: req(identifier),
      provider: req(identifier),
      hours: req(integerIn(24, 80)),
      days: req(integerIn(1, 10)),
      replaces: opt(hash),
    },
  },
  'carelog.entry': {
    subject: 'required',
    shape: {
      indication: req(identifier),
      date: req(date),
      start: req(time),
      end: req(time),
      activities: req(listOf(identifier, 1)),
    },
    cross: (b) => ((b.start as string) < (b.end as string) ? undefined : 'body.end must be after body.start'),
  },
  'carelog.approval': {
    subject: 'required',
    shape: { entry: req(hash), decision: req(oneOf('approved', 'rejected')), reason: opt(text) },
    cross: (b) =>
      b.decision === 'rejected' && b.reason === undefined ? 'a rejection gives body.reason' : undefined,
  },
  agreement: {
    subject: 'forbidden',
    shape: {
      agreement: req(identifier),
      parties: req(listOf(identifier, 2)),
      purpose: req(text),
      specHash: req(hash),
      validUntil: opt(date),
    },
  },
  'analysis.run': {
    subject: 'forbidden',
    shape: {
      agreement: req(identifier),
      specHash: req(hash),
      outputDigest: req(hash),
      parties: req(listOf(identifier, 2)),
    },
  },
  // NEN 7513: who read which category of whose data, for which purpose.
  access: {
    subject: 'required',
    shape: {
      accessor: req(identifier),
      organisation: req(identifier),
      role: req(identifier),
      category: req(identifier),
      purpose: req(identifier),
      outcome: opt(oneOf('permit', 'deny')),
      breakTheGlass: opt(bool),
      reason: opt(text),
      reasonCommitment: opt(hash),
    },
    cross: (b) =>
      b.breakTheGlass === true && b.reason === undefined && b.reasonCommitment === undefined
        ? 'break-the-glass needs body.reasonCommitment'
        : undefined,
  },
  key: {
    subject: 'optional',
    shape: {
      action: req(oneOf('bind', 'rotate', 'revoke')),
      keyId: req(identifier),
      alg: req(oneOf('Ed25519', 'webauthn-es256')),
      publicKey: opt(text),
      holder: req(identifier),
      organisation: opt(identifier),
      role: opt(identifier),
      replaces: opt(identifier),
      reason: opt(oneOf('compromised', 'superseded', 'retired')),
    },
    cross: (b) =>
      b.action !== 'revoke' && b.publicKey === undefined
        ? 'binding or rotating a key needs body.publicKey'
        : b.action !== 'revoke' && b.reason !== undefined
          ? 'only a revocation gives a reason'
          : b.action === 'rotate' && b.replaces === undefined
            ? 'a rotation names the key it replaces (body.replaces)'
            : undefined,
  },
};

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STATEMENT_FIELDS = new Set(['kind', 'v', 'author', 'iat', 'subject', 'body']);

/** Validates an untrusted value as a Statement; the reason names the first problem found. */
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
  if (!valid.ok) throw new TypeError(`invalid statement: ${valid.reason}`);
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
