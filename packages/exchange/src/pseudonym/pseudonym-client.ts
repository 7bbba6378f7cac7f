// An organisation's side of the pseudonym service: from a BSN it holds to the client's logbook
// subject. The BSN is blinded for the OPRF (the service never sees it); the resulting region
// pseudonym is then turned into her subject with her salt at the service (subject-salts.ts).
import { blindInput, finalizePseudonym, pseudonymInput, PseudonymError } from './pseudonym.ts';

export interface PseudonymClientOptions {
  /** e.g. `https://rso.example/pseudonyms/evaluate`; the subject route is its sibling `subject`. */
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

  async #post(url: string, body: object): Promise<Record<string, unknown>> {
    const response = await this.#options.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.#options.token()}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new PseudonymError(`the pseudonym service answered HTTP ${response.status}`);
    }
    return (await response.json()) as Record<string, unknown>;
  }

  /** Her region pseudonym (the OPRF output): for linking, never written to a log. */
  async #regionPseudonymOf(bsn: string): Promise<string> {
    const input = pseudonymInput(bsn, this.#options.region);
    const { blind, blinded } = blindInput(input);
    const { evaluated } = await this.#post(this.#options.url, { blinded });
    if (typeof evaluated !== 'string') throw new PseudonymError('the pseudonym service answered no element');
    return finalizePseudonym(input, blind, evaluated);
  }

  /** Her logbook subject: what every statement about her names her by. */
  async pseudonymOf(bsn: string): Promise<string> {
    const pseudonym = await this.#regionPseudonymOf(bsn);
    const { subject } = await this.#post(new URL('subject', this.#options.url).href, { pseudonym });
    if (typeof subject !== 'string') throw new PseudonymError('the pseudonym service answered no subject');
    return subject;
  }
}
