// A Localization Client (GF Localization, "Localization client"): registers an organisation's
// holdings at an NVI as transaction Bundles of localisation records, and asks an NVI which
// organisations hold data about a client. BSNs go in only as PRS identifiers for that NVI, one
// fresh identifier per client per request (the guide's single use).
import type { Bundle, List } from '@medplum/fhirtypes';
import { NVI_IDENTIFIER_SYSTEM, type PrsClient } from '../pseudonym/prs-client.ts';
import { NVI_SCOPE } from '../pseudonym/prs-input.ts';
import { DATA_CATEGORY_SYSTEM } from './data-categories.ts';
import { CUSTODIAN_EXTENSION, localizationList } from './localization-list.ts';

export interface NviClientOptions {
  /** The NVI's FHIR base URL (its List and transaction endpoints). */
  readonly url: string;
  /** The NVI's URA: the pseudonyms are derived for it. */
  readonly ura: string;
  /** This organisation's URA and the client id it registers with. */
  readonly custodian: string;
  readonly clientId: string;
  readonly prs: PrsClient;
  /** A bearer token for the NVI. */
  readonly token?: () => Promise<string | undefined>;
  readonly fetch?: typeof fetch;
  /** Records per transaction. Default 200. */
  readonly batch?: number;
  readonly timeoutMs?: number;
}

/** What an organisation holds about one client: her BSN and the GF data categories. */
export interface Holding {
  readonly bsn: string;
  readonly categories: readonly string[];
}

export interface Holder {
  /** URA of the custodian. */
  readonly ura: string;
  readonly categories: readonly string[];
}

export class NviError extends Error {
  override name = 'NviError';
}

export class NviClient {
  readonly #options: NviClientOptions;

  constructor(options: NviClientOptions) {
    this.#options = options;
  }

  get #recipient() {
    return { organisation: `ura:${this.#options.ura}`, scope: NVI_SCOPE };
  }

  async #request(path: string, init: RequestInit): Promise<unknown> {
    const token = await this.#options.token?.();
    const response = await (this.#options.fetch ?? fetch)(`${this.#options.url.replace(/\/$/, '')}${path}`, {
      ...init,
      headers: {
        accept: 'application/fhir+json',
        ...(init.body ? { 'content-type': 'application/fhir+json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 15_000),
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const text = (body as { issue?: { diagnostics?: string }[] } | undefined)?.issue?.[0]?.diagnostics;
      throw new NviError(`the NVI answered ${response.status}${text ? `: ${text}` : ''}`);
    }
    return body;
  }

  /** Registers holdings (idempotent at the NVI); how many records were sent. */
  async register(holdings: readonly Holding[]): Promise<number> {
    const lists: List[] = [];
    for (const holding of holdings) {
      if (holding.categories.length === 0) continue;
      const subject = await this.#options.prs.identifierFor(holding.bsn, this.#recipient);
      for (const category of holding.categories)
        lists.push(
          localizationList({
            custodian: this.#options.custodian,
            subject,
            category,
            source: this.#options.clientId,
          }),
        );
    }
    const size = this.#options.batch ?? 200;
    for (let start = 0; start < lists.length; start += size) {
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: lists
          .slice(start, start + size)
          .map((resource) => ({ resource, request: { method: 'POST', url: 'List' } })),
      };
      await this.#request('', { method: 'POST', body: JSON.stringify(bundle) });
    }
    return lists.length;
  }

  /** The organisations that hold data about her (optionally: of these categories only). */
  async holders(bsn: string, categories: readonly string[] = []): Promise<Holder[]> {
    const subject = await this.#options.prs.identifierFor(bsn, this.#recipient);
    const query = new URLSearchParams({ 'subject:identifier': `${NVI_IDENTIFIER_SYSTEM}|${subject}` });
    if (categories.length) query.set('code', categories.map((c) => `${DATA_CATEGORY_SYSTEM}|${c}`).join(','));
    const bundle = (await this.#request(`/List?${query}`, { method: 'GET' })) as Bundle<List> | undefined;
    if (bundle?.resourceType !== 'Bundle') throw new NviError('the NVI answered no Bundle');
    const byHolder = new Map<string, Set<string>>();
    for (const entry of bundle.entry ?? []) {
      const list = entry.resource;
      const ura = list?.extension?.find((e) => e.url === CUSTODIAN_EXTENSION)?.valueReference?.identifier
        ?.value;
      const code = list?.code?.coding?.find((c) => c.system === DATA_CATEGORY_SYSTEM)?.code;
      if (!ura || !code) continue;
      byHolder.set(ura, (byHolder.get(ura) ?? new Set()).add(code));
    }
    return [...byHolder]
      .map(([ura, codes]) => ({ ura, categories: [...codes].sort() }))
      .sort((a, b) => a.ura.localeCompare(b.ura));
  }
}
