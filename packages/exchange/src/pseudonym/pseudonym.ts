// Region-keyed pseudonyms, after the Dutch generic functions: a client's organisation turns her BSN
// into the region's pseudonym for her without the pseudonym service ever seeing the BSN, and
// without any organisation holding the region's key. The canonical BSN goes through HKDF; the
// result is blinded and evaluated with the service's key (RFC 9497 OPRF on ristretto255, from
// @noble/curves); the organisation unblinds and derives the pseudonym. Same BSN, same pseudonym,
// at every organisation; the BSN never leaves it.
import { hkdfSync } from 'node:crypto';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { parseBsn } from '@ketenlog/fhir';
import { fromBase64, toBase64 } from '@ketenlog/logbook';

const INPUT_INFO = 'ketenlog pseudonym input v1';
const KEY_INFO = 'ketenlog region pseudonym key v1';
/** Bytes of OPRF output in a pseudonym: 24 bytes, 32 base64url characters. */
const PSEUDONYM_BYTES = 24;

const oprf = ristretto255_oprf.oprf;

export class PseudonymError extends Error {
  override name = 'PseudonymError';
}

const base64url = (bytes: Uint8Array): string =>
  toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return fromBase64(padded);
}

/** The OPRF input for a BSN: HKDF-SHA256 over the canonical (validated, 9-digit) BSN. */
export function pseudonymInput(bsn: string, region: string): Uint8Array {
  let canonical: string;
  try {
    canonical = parseBsn(bsn.trim());
  } catch {
    throw new PseudonymError('not a valid BSN (11-proef)');
  }
  return new Uint8Array(hkdfSync('sha256', canonical, region, INPUT_INFO, 32));
}

/** The pseudonym service's key, derived from its secret seed. */
export function pseudonymServiceKey(seed: Uint8Array): Uint8Array {
  return oprf.deriveKeyPair(seed, new TextEncoder().encode(KEY_INFO)).secretKey;
}

export interface BlindedRequest {
  /** Keep locally: needed to unblind. */
  readonly blind: Uint8Array;
  /** Send to the service (base64url). */
  readonly blinded: string;
}

export function blindInput(input: Uint8Array): BlindedRequest {
  const { blind, blinded } = oprf.blind(input);
  return { blind, blinded: base64url(blinded) };
}

/** (Service) evaluates a blinded element; a malformed one is a PseudonymError. */
export function evaluateBlinded(secretKey: Uint8Array, blinded: string): string {
  const bytes = fromBase64url(blinded);
  if (!bytes || bytes.length !== 32)
    throw new PseudonymError('blinded must be a base64url ristretto255 element');
  try {
    return base64url(oprf.blindEvaluate(secretKey, bytes));
  } catch {
    throw new PseudonymError('blinded is not a valid ristretto255 element');
  }
}

/** (Organisation) unblinds the service's answer and derives the pseudonym. */
export function finalizePseudonym(input: Uint8Array, blind: Uint8Array, evaluated: string): string {
  const bytes = fromBase64url(evaluated);
  if (!bytes || bytes.length !== 32) throw new PseudonymError('the service answered no valid element');
  try {
    return `p${base64url(oprf.finalize(input, blind, bytes).slice(0, PSEUDONYM_BYTES))}`;
  } catch {
    throw new PseudonymError('the service answered no valid element');
  }
}
