// A Pseudonymization Client (GF Pseudonymisation, "Actors"): blinds the BSN for one recipient, asks
// the PRS to evaluate it, and packs the JWE with the blind factor as the recipient's identifier
// value (GF Localization, "Pseudonymization Integration"). Neither value is logged or kept.
import { blindForRecipient, type Recipient } from './prs-input.ts';
import { PseudonymError } from './encoding.ts';

/** The naming system of a pseudonymised BSN at the NVI (nl-gf-nvi-identifier). */
export const NVI_IDENTIFIER_SYSTEM =
  'http://minvws.github.io/generiekefuncties-docs/NamingSystem/nvi-identifier';

export interface PrsClientOptions {
  /** The PRS's base URL; `/evaluate` is appended. */
  readonly url: string;
  readonly fetch?: typeof fetch;
  /** A bearer token with scope prs:read, when the PRS asks for one. */
  readonly token?: () => Promise<string | undefined>;
  readonly timeoutMs?: number;
}

/** The pair a recipient needs, base64url-encoded JSON (`subject.identifier.value`). */
export function packIdentifier(evaluatedOutput: string, blindFactor: string): string {
  const json = JSON.stringify({ evaluated_output: evaluatedOutput, blind_factor: blindFactor });
  return Buffer.from(json, 'utf8').toString('base64url');
}

export class PrsClient {
  readonly #options: PrsClientOptions;

  constructor(options: PrsClientOptions) {
    this.#options = options;
  }

  /** A single-use identifier of this BSN for one recipient (never cached, per the guide). */
  async identifierFor(bsn: string, recipient: Recipient): Promise<string> {
    const { blindFactor, blindedInput } = blindForRecipient(bsn, recipient);
    const token = await this.#options.token?.();
    const response = await (this.#options.fetch ?? fetch)(
      `${this.#options.url.replace(/\/$/, '')}/evaluate`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          blinded_input: blindedInput,
          recipient_organization: recipient.organisation,
          recipient_scope: recipient.scope,
        }),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      },
    );
    if (!response.ok) throw new PseudonymError(`the PRS answered ${response.status}`);
    const body = (await response.json()) as { evaluated_output?: unknown };
    if (typeof body.evaluated_output !== 'string' || body.evaluated_output.split('.').length !== 5)
      throw new PseudonymError('the PRS answered no JWE');
    return packIdentifier(body.evaluated_output, blindFactor);
  }
}
