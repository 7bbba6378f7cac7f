// An organisation's side of the pseudonym service: from a BSN it holds to the region's pseudonym.
import { blindInput, finalizePseudonym, pseudonymInput, PseudonymError } from './pseudonym.ts';

export interface PseudonymClientOptions {
  /** e.g. `https://rso.example/pseudonyms/evaluate`. */
  readonly url: string;
  /** The region's name: salt of the BSN's HKDF, so pseudonyms differ per region. */
  readonly region: string;
  /** Member-only fetch (SSRF guard). */
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** A fresh node token for the service's node. */
  readonly token: () => Promise<string>;
}

export class PseudonymClient {
  readonly #options: PseudonymClientOptions;

  constructor(options: PseudonymClientOptions) {
    this.#options = options;
  }

  async pseudonymOf(bsn: string): Promise<string> {
    const input = pseudonymInput(bsn, this.#options.region);
    const { blind, blinded } = blindInput(input);
    const response = await this.#options.fetch(this.#options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.#options.token()}` },
      body: JSON.stringify({ blinded }),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new PseudonymError(`the pseudonym service answered HTTP ${response.status}`);
    }
    const { evaluated } = (await response.json()) as { evaluated?: unknown };
    if (typeof evaluated !== 'string') throw new PseudonymError('the pseudonym service answered no element');
    return finalizePseudonym(input, blind, evaluated);
  }
}
