// The Pseudonymization Register Service (GF Pseudonymisation, "Evaluate blinded input"): evaluates a
// blinded input with an OPRF key bound to the recipient and scope, and returns the result only as a
// JWE for that recipient. It stores nothing: no input, no output, no link between them.
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { base64url, fromBase64url, PseudonymError } from './encoding.ts';
import { parseRecipient, recipientInfo, type Recipient } from './prs-input.ts';

/** The JWE's algorithms: ECDH-ES key agreement on P-256 with AES key wrap, AES-GCM content. */
export const JWE_ALG = 'ECDH-ES+A256KW';
export const JWE_ENC = 'A256GCM';

/** What the JWE carries: the evaluated element and whom it was evaluated for. */
export interface EvaluatedPayload {
  readonly evaluated_element: string;
  readonly recipient_organization: string;
  readonly recipient_scope: string;
}

export interface PrsOptions {
  /** The PRS's secret seed (32 bytes or more); every OPRF key derives from it. */
  readonly seed: Uint8Array;
  /** A recipient organisation's published public key (JWK, ECDH on P-256), or undefined. */
  readonly recipientKey: (organisation: string) => Promise<JWK | undefined>;
}

export class Prs {
  readonly #options: PrsOptions;

  constructor(options: PrsOptions) {
    if (options.seed.length < 32) throw new Error('the PRS seed must be at least 32 bytes');
    this.#options = options;
  }

  /** The OPRF key for one recipient and scope (RFC 9497 §3.2.1 DeriveKeyPair). */
  #keyFor(recipient: Recipient): Uint8Array {
    const info = new TextEncoder().encode(`ketenlog prs key|${recipientInfo(recipient)}`);
    return ristretto255_oprf.oprf.deriveKeyPair(this.#options.seed, info).secretKey;
  }

  /** POST /evaluate: `{blinded_input, recipient_organization, recipient_scope}` → `{evaluated_output}`. */
  async evaluate(body: unknown): Promise<{ evaluated_output: string }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new PseudonymError('the request body must be a JSON object');
    const request = body as Record<string, unknown>;
    const recipient = parseRecipient(request.recipient_organization, request.recipient_scope);
    const blinded =
      typeof request.blinded_input === 'string' ? fromBase64url(request.blinded_input) : undefined;
    if (!blinded || blinded.length !== 32)
      throw new PseudonymError('blinded_input must be a base64url ristretto255 element');
    let evaluated: Uint8Array;
    try {
      evaluated = ristretto255_oprf.oprf.blindEvaluate(this.#keyFor(recipient), blinded);
    } catch {
      throw new PseudonymError('blinded_input is not a valid ristretto255 element');
    }
    const jwk = await this.#options.recipientKey(recipient.organisation);
    if (!jwk) throw new PseudonymError(`no published key for recipient ${recipient.organisation}`);
    const payload: EvaluatedPayload = {
      evaluated_element: base64url(evaluated),
      recipient_organization: recipient.organisation,
      recipient_scope: recipient.scope,
    };
    const key = await importJWK(jwk, JWE_ALG);
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC, cty: 'json' })
      .encrypt(key);
    return { evaluated_output: jwe };
  }
}
