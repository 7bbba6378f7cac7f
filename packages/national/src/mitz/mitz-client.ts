// The Mitz connector's wire side: the closed question (SOAP over HTTPS, mTLS in production: the
// caller passes a fetch bound to the organisation's certificate) and the subscription endpoint.
// Mitz's own errors become MitzUnavailable; the caller decides (the holder treats it as "no
// national answer", never as a permit).
import { randomUUID } from 'node:crypto';
import type { Subscription } from '@medplum/fhirtypes';
import {
  CLOSED_QUESTION_PATH,
  closedQuestionXml,
  parseDecision,
  type ClosedQuestion,
  type MitzDecision,
} from './closed-question.ts';
import { SUBSCRIPTION_PATH } from './subscription.ts';

export class MitzUnavailable extends Error {}

export interface MitzClientOptions {
  /** e.g. https://tst-api.mijn-mitz.nl */
  readonly base: string;
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  readonly timeoutMs?: number;
}

export class MitzClient {
  readonly #base: string;
  readonly #fetch: (url: string, init?: RequestInit) => Promise<Response>;
  readonly #timeoutMs: number;

  constructor(options: MitzClientOptions) {
    this.#base = options.base.replace(/\/$/, '');
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 3000;
  }

  async #post(path: string, type: string, body: string): Promise<Response> {
    try {
      return await this.#fetch(`${this.#base}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, accept: type },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new MitzUnavailable(`Mitz unreachable: ${(error as Error).name}`);
    }
  }

  /** Asks the closed question; the decision, or MitzUnavailable. */
  async ask(question: ClosedQuestion): Promise<MitzDecision> {
    const url = `${this.#base}${CLOSED_QUESTION_PATH}`;
    const response = await this.#post(
      CLOSED_QUESTION_PATH,
      'application/soap+xml; charset=utf-8',
      closedQuestionXml(question, url, randomUUID()),
    );
    const text = await response.text();
    if (!response.ok) throw new MitzUnavailable(`Mitz answered HTTP ${response.status}`);
    try {
      return parseDecision(text);
    } catch (error) {
      throw new MitzUnavailable(`Mitz's answer is unreadable: ${(error as Error).message}`);
    }
  }

  /** Places a subscription; Mitz answers 201 or 202 with the subscription's Location. */
  async subscribe(subscription: Subscription): Promise<string | undefined> {
    const response = await this.#post(
      SUBSCRIPTION_PATH,
      'application/fhir+json',
      JSON.stringify(subscription),
    );
    await response.body?.cancel();
    if (response.status !== 201 && response.status !== 202)
      throw new MitzUnavailable(`Mitz refused the subscription: HTTP ${response.status}`);
    return response.headers.get('location') ?? undefined;
  }
}
