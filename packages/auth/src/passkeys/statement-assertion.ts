// Checks a WebAuthn assertion that signs a logbook statement (WebAuthn Level 3 §7.2, "Verifying an
// Authentication Assertion", steps that apply without a server-side ceremony): the challenge is
// the statement hash, so any witness can check it later against the registered public key alone.
// The signature counter is not checked: witnesses keep no per-authenticator state, and synced
// passkeys report 0.
import { createHash, verify } from 'node:crypto';
import {
  bytesEqual,
  fromBase64,
  fromUtf8,
  type WebAuthnSignature,
  type WebAuthnVerify,
} from '@ketenlog/logbook';
import { fail as problemFail, type Result } from '@ketenlog/problem';
import { p256KeyObject } from './es256-public-key.ts';

/** A relying party whose passkeys may sign statements: its RP ID and the origins it serves. */
export interface RelyingParty {
  readonly rpId: string;
  /** Web origins (scheme://host[:port]) the RP's pages run on. */
  readonly origins: readonly string[];
}

// WebAuthn §6.1 authenticator data: rpIdHash (32) ‖ flags (1) ‖ signCount (4) ‖ …
const RP_ID_HASH_LENGTH = 32;
const AUTHENTICATOR_DATA_MIN = 37;
const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;

const sha256 = (bytes: Uint8Array): Uint8Array => createHash('sha256').update(bytes).digest();
const fail = (text: string): Result<never> => problemFail(400, 'invalid', text);

/** The challenge a statement's WebAuthn assertion carries: base64url of the statement hash. */
export function challengeOf(statementHash: Uint8Array): string {
  return Buffer.from(statementHash).toString('base64url');
}

interface ClientData {
  readonly type: unknown;
  readonly challenge: unknown;
  readonly origin: unknown;
  readonly crossOrigin?: unknown;
  readonly topOrigin?: unknown;
}

function parseClientData(bytes: Uint8Array): ClientData | undefined {
  const text = fromUtf8(bytes);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as ClientData)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies `signature` as an assertion over `statementHash` by the passkey whose uncompressed
 * P-256 point is `publicKey`, made on a page of one of `relyingParties`. The problem names the
 * first check that failed.
 */
export function verifyStatementAssertion(
  signature: WebAuthnSignature,
  statementHash: Uint8Array,
  publicKey: Uint8Array,
  relyingParties: readonly RelyingParty[],
): Result<{ readonly rpId: string; readonly origin: string }> {
  const authenticatorData = fromBase64(signature.authenticatorData);
  const clientDataJSON = fromBase64(signature.clientDataJSON);
  const sig = fromBase64(signature.sig);
  if (!authenticatorData || !clientDataJSON || !sig) return fail('assertion fields must be base64');
  const clientData = parseClientData(clientDataJSON);
  if (!clientData) return fail('clientDataJSON is not a JSON object');
  if (clientData.type !== 'webauthn.get') return fail('clientDataJSON type is not webauthn.get');
  if (clientData.challenge !== challengeOf(statementHash))
    return fail('the assertion challenge is not the statement hash');
  if (clientData.crossOrigin === true || clientData.topOrigin !== undefined)
    return fail('the assertion was made in a cross-origin frame');
  const origin = clientData.origin;
  const rp = relyingParties.find((r) => typeof origin === 'string' && r.origins.includes(origin));
  if (!rp || typeof origin !== 'string') return fail(`origin ${JSON.stringify(origin)} is not allowed`);
  if (authenticatorData.length < AUTHENTICATOR_DATA_MIN) return fail('authenticatorData is too short');
  if (
    !bytesEqual(authenticatorData.subarray(0, RP_ID_HASH_LENGTH), sha256(new TextEncoder().encode(rp.rpId)))
  )
    return fail(`authenticatorData is not for RP ID ${rp.rpId}`);
  const flags = authenticatorData[RP_ID_HASH_LENGTH] ?? 0;
  if (!(flags & FLAG_USER_PRESENT)) return fail('the user was not present (UP flag)');
  if (!(flags & FLAG_USER_VERIFIED)) return fail('the user was not verified (UV flag)');
  const key = p256KeyObject(publicKey);
  if (!key) return fail('the registered key is not a P-256 point');
  // §7.2 step 21: the signature covers authenticatorData ‖ SHA-256(clientDataJSON); ES256 is DER.
  const signed = Buffer.concat([authenticatorData, sha256(clientDataJSON)]);
  let valid: boolean;
  try {
    valid = verify('sha256', signed, { key, dsaEncoding: 'der' }, sig);
  } catch {
    valid = false;
  }
  return valid ? { ok: true, value: { rpId: rp.rpId, origin } } : fail('the ES256 signature does not verify');
}

/** The logbook's WebAuthnVerify hook for a region's relying parties. */
export function createWebAuthnVerify(relyingParties: readonly RelyingParty[]): WebAuthnVerify {
  return (signature, statementHash, publicKey) =>
    verifyStatementAssertion(signature, statementHash, publicKey, relyingParties).ok;
}
