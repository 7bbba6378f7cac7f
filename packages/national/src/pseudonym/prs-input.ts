// The client side of GF Pseudonymisation (minvws/generiekefuncties-docs, pseudonymisation.md,
// "Data model"): the personal identifier as JCS (RFC 8785) JSON, HKDF-SHA256 with the
// recipient-scoped info string `{recipient_organization}|{recipient_scope}|v1`, then OPRF blinding
// (RFC 9497, ristretto255-SHA512). Only the blinded input ever leaves the organisation.
import { hkdfSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { parseBsn } from '@ketenlog/fhir';
import { base64url, PseudonymError } from './encoding.ts';

/** The one recipient scope the guide defines (NlGfPrsRecipientScopeCS). */
export const NVI_SCOPE = 'nationale-verwijsindex';

/** A recipient: `ura:<URA>` and a scope; together they are the HKDF info string. */
export interface Recipient {
  readonly organisation: string;
  readonly scope: string;
}

const RECIPIENT_ORGANISATION = /^ura:\d{8}$/;
const RECIPIENT_SCOPE = /^[a-z][a-z0-9-]{0,63}$/;

/** A recipient as the PRS accepts it, or a PseudonymError naming what is wrong. */
export function parseRecipient(organisation: unknown, scope: unknown): Recipient {
  if (typeof organisation !== 'string' || !RECIPIENT_ORGANISATION.test(organisation))
    throw new PseudonymError('recipient_organization must be ura:<8 digits>');
  if (typeof scope !== 'string' || !RECIPIENT_SCOPE.test(scope))
    throw new PseudonymError('recipient_scope must be a scope code such as nationale-verwijsindex');
  return { organisation, scope };
}

/** The guide's HKDF `info`: binds the pseudonym to one recipient and scope. */
export function recipientInfo(recipient: Recipient): string {
  return `${recipient.organisation}|${recipient.scope}|v1`;
}

/** The personal identifier of a BSN, JCS-canonical: `{"landCode":"NL","type":"BSN","value":"…"}`. */
export function bsnIdentifier(bsn: string): string {
  let value: string;
  try {
    value = parseBsn(bsn.trim());
  } catch {
    throw new PseudonymError('not a valid BSN (11-proef)');
  }
  return canonicalize({ landCode: 'NL', type: 'BSN', value }) as string;
}

/** HKDF-SHA256, no salt, 32 bytes, over the canonical identifier, for one recipient. */
export function pseudonymInput(bsn: string, recipient: Recipient): Uint8Array {
  return new Uint8Array(
    hkdfSync('sha256', bsnIdentifier(bsn), new Uint8Array(0), recipientInfo(recipient), 32),
  );
}

export interface BlindedInput {
  /** Kept by the client, then handed to the recipient with the PRS's answer (base64url). */
  readonly blindFactor: string;
  /** Sent to the PRS (base64url). */
  readonly blindedInput: string;
}

export function blindForRecipient(bsn: string, recipient: Recipient): BlindedInput {
  const { blind, blinded } = ristretto255_oprf.oprf.blind(pseudonymInput(bsn, recipient));
  return { blindFactor: base64url(blind), blindedInput: base64url(blinded) };
}
