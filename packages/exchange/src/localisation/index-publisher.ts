// The localisation index, written as care is recorded: when a resource about a client is stored
// at a node, the node states on its log that it holds that category for her pseudonym (an
// `index` statement: holder, category, pseudonym — no dates, no content). Writes are batched:
// within a short window every (pseudonym, category) is stated once, and not again once the
// region's state already shows this holder holding it.
import type { Resource } from '@medplum/fhirtypes';
import { STATEMENT_VERSION, type SignedStatement, type Statement } from '@ketenlog/logbook';
import { categoryOf, patientOf, type Category } from './categories.ts';

export interface IndexPublisherOptions {
  /** This node's organisation (URA). */
  readonly holder: string;
  /** This node's statement key ID (the statements' author). */
  readonly author: string;
  readonly sign: (statement: Statement) => SignedStatement;
  /** The client's region pseudonym for a local Patient id; undefined when she has no BSN here. */
  readonly pseudonymOf: (patientId: string) => Promise<string | undefined>;
  /** Whether the region's state already shows this holder holding the category for her. */
  readonly holds: (pseudonym: string, category: string) => boolean;
  readonly append: (envelope: SignedStatement) => Promise<{ readonly ok: boolean; readonly reason?: string }>;
  /** Batch window. Default 200 ms. */
  readonly delayMs?: number;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

/** Pseudonym lookups in flight at once during a flush. */
const LOOKUPS_AT_ONCE = 16;

export class IndexPublisher {
  readonly #options: IndexPublisherOptions;
  /** patient id → categories written since the last flush. */
  #pending = new Map<string, Set<Category>>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<number> = Promise.resolve(0);

  constructor(options: IndexPublisherOptions) {
    this.#options = options;
  }

  /** Notes a stored resource; its index statement follows within the batch window. */
  written(resource: Resource): void {
    const category = categoryOf(resource);
    const patient = patientOf(resource);
    if (!category || !patient) return;
    const set = this.#pending.get(patient) ?? new Set();
    set.add(category);
    this.#pending.set(patient, set);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.delayMs ?? 200);
    this.#timer.unref?.();
  }

  /** Publishes what is pending; resolves with the number of statements appended. */
  flush(): Promise<number> {
    const run = this.#flushing.then(() => this.#publish());
    this.#flushing = run.catch(() => 0);
    return run;
  }

  async #publish(): Promise<number> {
    const batch = [...this.#pending];
    this.#pending = new Map();
    const { holder, author, sign, pseudonymOf, holds, append, now = Date.now } = this.#options;
    // Pseudonyms are looked up a few at a time (each may be a round trip to the pseudonym service);
    // the statements are then appended together, so the log commits them as one group.
    const pseudonyms: (string | undefined)[] = [];
    for (let i = 0; i < batch.length; i += LOOKUPS_AT_ONCE) {
      const chunk = batch.slice(i, i + LOOKUPS_AT_ONCE);
      pseudonyms.push(...(await Promise.all(chunk.map(([patient]) => pseudonymOf(patient)))));
    }
    const stated = new Set<string>();
    const appends: Promise<{ readonly ok: boolean; readonly reason?: string }>[] = [];
    batch.forEach(([, categories], i) => {
      const pseudonym = pseudonyms[i];
      if (!pseudonym) return;
      for (const category of categories) {
        const key = `${pseudonym}|${category}`;
        if (stated.has(key) || holds(pseudonym, category)) continue;
        stated.add(key);
        appends.push(
          append(
            sign({
              kind: 'index',
              v: STATEMENT_VERSION,
              author,
              iat: Math.floor(now() / 1000),
              subject: pseudonym,
              body: { holder: `ura:${holder}`, category },
            }),
          ),
        );
      }
    });
    const refused = (await Promise.all(appends)).find((r) => !r.ok);
    if (refused) throw new Error(`index statement refused: ${refused.reason}`);
    return appends.length;
  }

  /** Stops the batch timer (pending writes are dropped; call flush first to keep them). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
