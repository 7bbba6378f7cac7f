// A holder's connector to Mitz: asks the closed question for a request about one client, places
// her subscription the first time she is asked about (so a change of her choices reaches this
// holder), and keeps each answer for a short while — until it expires or a notification says her
// choices changed, whichever comes first. BSNs stay in memory only and are never logged.
import { createHash } from 'node:crypto';
import type { ClosedQuestion, MitzDecision } from './closed-question.ts';
import type { MitzClient } from './mitz-client.ts';
import type { ConsentChange } from './notification.ts';
import { otvSubscription } from './subscription.ts';

export interface MitzConnectorOptions {
  readonly client: MitzClient;
  /** Where Mitz posts notifications for this holder. */
  readonly notifyEndpoint: string;
  readonly gatewaySystem?: string;
  readonly sourceSystem?: string;
  /** How long an answer is used without asking again. Default 5 minutes. */
  readonly cacheMs?: number;
  readonly now?: () => number;
  /** Told when a subscription could not be placed (the holder then just asks every time). */
  readonly onSubscriptionFailure?: (error: Error) => void;
}

/** A key for her cached answers that does not hold the BSN itself. */
const bsnKey = (bsn: string) => createHash('sha256').update(`mitz-cache|${bsn}`).digest('base64url');

export class MitzConnector {
  readonly #options: MitzConnectorOptions;
  /** bsnKey → question key → answer. */
  readonly #answers = new Map<string, Map<string, { decision: MitzDecision; until: number }>>();
  readonly #subscribed = new Set<string>();

  constructor(options: MitzConnectorOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  async decide(question: ClosedQuestion): Promise<MitzDecision> {
    const client = bsnKey(question.bsn);
    const key = JSON.stringify([question.holder, question.requester, question.purpose]);
    const cached = this.#answers.get(client)?.get(key);
    if (cached && cached.until > this.#now()) return cached.decision;
    await this.#subscribe(question, client);
    const decision = await this.#options.client.ask(question);
    // Indeterminate is not kept: the next request asks again.
    if (decision !== 'Indeterminate') {
      const answers = this.#answers.get(client) ?? new Map();
      answers.set(key, { decision, until: this.#now() + (this.#options.cacheMs ?? 300_000) });
      this.#answers.set(client, answers);
    }
    return decision;
  }

  async #subscribe(question: ClosedQuestion, client: string): Promise<void> {
    if (this.#subscribed.has(client)) return;
    try {
      await this.#options.client.subscribe(
        otvSubscription({
          bsn: question.bsn,
          holder: question.holder,
          endpoint: this.#options.notifyEndpoint,
          ...(this.#options.gatewaySystem ? { gatewaySystem: this.#options.gatewaySystem } : {}),
          ...(this.#options.sourceSystem ? { sourceSystem: this.#options.sourceSystem } : {}),
        }),
      );
      this.#subscribed.add(client);
    } catch (error) {
      this.#options.onSubscriptionFailure?.(error as Error);
    }
  }

  /** A notification: her answers are asked afresh from now on. The number of clients affected. */
  changed(changes: readonly ConsentChange[]): number {
    const clients = new Set(changes.map((c) => bsnKey(c.bsn)));
    for (const client of clients) this.#answers.delete(client);
    return clients.size;
  }
}
