// The Recipient of GF Pseudonymisation (for instance an NVI): publishes an ECDH public key, decrypts
// the PRS's JWE with its private key and removes the client's blind, which leaves k·H(input) — the
// same element for the same BSN whoever asked, and useless to any other recipient (its key, its
// HKDF info and its OPRF key all differ). The stable pseudonym is a hash of that element.
import { createHash } from 'node:crypto';
import { compactDecrypt, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { base64url, fromBase64url, PseudonymError } from './encoding.ts';
import { JWE_ALG, JWE_ENC, type EvaluatedPayload } from './prs.ts';
import type { Recipient } from './prs-input.ts';

const PSEUDONYM_DOMAIN = 'ketenlog gf recipient pseudonym v1';

export interface RecipientKeyPair {
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function generateRecipientKey(): Promise<RecipientKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(JWE_ALG, { crv: 'P-256', extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: JWE_ALG, use: 'enc' };
  return { publicJwk, privateJwk: { ...(await exportJWK(privateKey)), alg: JWE_ALG, use: 'enc' } };
}

/** The pair a client packs into `subject.identifier.value`, or a PseudonymError. */
export function unpackIdentifier(value: string): { evaluatedOutput: string; blindFactor: Uint8Array } {
  const bytes = value.length <= 4096 ? fromBase64url(value) : undefined;
  let parsed: unknown;
  try {
    parsed = bytes ? JSON.parse(Buffer.from(bytes).toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const pair = parsed as { evaluated_output?: unknown; blind_factor?: unknown } | undefined;
  if (typeof pair?.evaluated_output !== 'string' || typeof pair.blind_factor !== 'string')
    throw new PseudonymError('the identifier is not base64url JSON with evaluated_output and blind_factor');
  // Clients in other languages send the blind factor in standard base64.
  const blindFactor = fromBase64url(pair.blind_factor.replace(/\+/g, '-').replace(/\//g, '_'));
  if (!blindFactor || blindFactor.length !== 32)
    throw new PseudonymError('blind_factor is not a 32-byte scalar');
  return { evaluatedOutput: pair.evaluated_output, blindFactor };
}

export class RecipientKey {
  readonly recipient: Recipient;
  readonly #privateJwk: JWK;

  constructor(recipient: Recipient, privateJwk: JWK) {
    this.recipient = recipient;
    this.#privateJwk = privateJwk;
  }

  /** This recipient's stable pseudonym behind an identifier value, or a PseudonymError. */
  async open(value: string): Promise<string> {
    const { evaluatedOutput, blindFactor } = unpackIdentifier(value);
    let payload: EvaluatedPayload;
    try {
      const key = await importJWK(this.#privateJwk, JWE_ALG);
      const { plaintext, protectedHeader } = await compactDecrypt(evaluatedOutput, key, {
        keyManagementAlgorithms: [JWE_ALG],
        contentEncryptionAlgorithms: [JWE_ENC],
      });
      if (protectedHeader.enc !== JWE_ENC) throw new Error('enc');
      payload = JSON.parse(new TextDecoder().decode(plaintext)) as EvaluatedPayload;
    } catch {
      throw new PseudonymError('evaluated_output is no JWE for this recipient');
    }
    if (
      payload.recipient_organization !== this.recipient.organisation ||
      payload.recipient_scope !== this.recipient.scope
    )
      throw new PseudonymError('evaluated_output was evaluated for another recipient or scope');
    const evaluated =
      typeof payload.evaluated_element === 'string' ? fromBase64url(payload.evaluated_element) : undefined;
    try {
      const { Fn } = ristretto255.Point;
      const blind = Fn.fromBytes(blindFactor);
      const element = ristretto255.Point.fromBytes(evaluated ?? new Uint8Array(0)).multiply(Fn.inv(blind));
      const digest = createHash('sha256').update(PSEUDONYM_DOMAIN).update(element.toBytes()).digest();
      return base64url(digest);
    } catch {
      throw new PseudonymError('the evaluated element or the blind factor is malformed');
    }
  }
}
