// The demo stand-in for DigiD: a page on the node itself where a tester picks a demo person. It is
// labelled on every screen as not being DigiD, and it is only ever wired in the demo region.
import { randomBytes } from 'node:crypto';
import type { EphemeralSpace, EphemeralStore } from '@ketenlog/storage';
import type { IdentityProvider, VerifiedIdentity } from './identity-check.ts';

export const DEMO_DIGID_LABEL = 'Demo-DigiD — geen echte DigiD';
const CODE_TTL_MS = 60_000;

export interface DemoPerson {
  readonly bsn: string;
  /** Shown on the demo page only. */
  readonly name: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The demo identity provider. `start` hands out a one-time code per demo person choice; the page
 * at `pagePath` lists the demo persons and posts the choice back to the callback.
 */
export class DemoDigiD implements IdentityProvider {
  readonly id = 'demo-digid';
  readonly label = DEMO_DIGID_LABEL;
  readonly #persons: readonly DemoPerson[];
  readonly #pagePath: string;
  readonly #now: () => number;
  /**
   * One-time codes → BSN, issued by the demo page and redeemed once, within a minute, by `complete`
   * (in the node's ephemeral store: the callback may reach another process of the node).
   */
  readonly #codes: EphemeralSpace;

  constructor(
    persons: readonly DemoPerson[],
    store: EphemeralStore,
    pagePath = '/demo-digid',
    now: () => number = Date.now,
  ) {
    this.#persons = persons;
    this.#codes = store.space('demo-digid-codes');
    this.#pagePath = pagePath;
    this.#now = now;
  }

  async start(state: string, callbackUrl: string) {
    const query = new URLSearchParams({ state, callback: callbackUrl });
    return { redirectTo: `${this.#pagePath}?${query}` };
  }

  /** Issues a one-time code for a demo person (what the demo page's button does). */
  async authorize(bsn: string): Promise<string | undefined> {
    if (!this.#persons.some((p) => p.bsn === bsn)) return undefined;
    const code = randomBytes(16).toString('base64url');
    await this.#codes.put(code, bsn, this.#now() + CODE_TTL_MS);
    return code;
  }

  async complete(query: Readonly<Record<string, string | undefined>>): Promise<VerifiedIdentity | undefined> {
    const code = query.code;
    if (code === undefined) return undefined;
    const bsn = await this.#codes.take(code, this.#now());
    if (bsn === undefined) return undefined;
    return { bsn, assurance: 'substantial', provider: this.id };
  }

  /** The demo login page (Dutch): one button per demo person, clearly not DigiD. */
  page(state: string, callbackUrl: string): string {
    const buttons = this.#persons
      .map(
        (p, i) => `<li><button type="submit" name="person" value="${i}">${escapeHtml(p.name)}</button></li>`,
      )
      .join('');
    return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${DEMO_DIGID_LABEL}</title></head>
<body><h1>${DEMO_DIGID_LABEL}</h1>
<p><strong>Let op:</strong> dit is een demonstratie. Er wordt niet met DigiD ingelogd.</p>
<form method="post" action="${escapeHtml(this.#pagePath)}">
<input type="hidden" name="state" value="${escapeHtml(state)}">
<input type="hidden" name="callback" value="${escapeHtml(callbackUrl)}">
<p>Kies een demopersoon:</p><ul>${buttons}</ul></form></body></html>`;
  }

  /** The BSN of the demo person chosen on the page, by list position. */
  personAt(index: number): DemoPerson | undefined {
    return this.#persons[index];
  }
}
