// The localisation index, written as care is recorded: when a resource about a client is stored
// at a node, the node states on its log that it holds that category for her pseudonym (an
// `index` statement: holder, category, pseudonym — no dates, no content). Writes are batched:
// within a short window every (pseudonym, category) is stated once, and not again once the
// region's state already shows this holder holding it.
//
// Nothing noted is lost: a batch whose pseudonym lookup or append fails (a timeout, the pseudonym
// service down, the log refusing) goes back into the queue and is tried again with a growing
// delay; a retry states only what the region's state does not show yet (a timed-out append that
// did reach the log is not stated twice). What a crash lost from memory is found again by
// `reconcile`, which the node runs at start and on demand over everything its store holds —
// otherwise a holder missing from the index is skipped by overview, export and erasure.
import type { Resource } from '@medplum/fhirtypes';
import { STATEMENT_VERSION, type SignedStatement, type Statement, KIND_INDEX } from '@ketenlog/logbook';
import type { Result } from '@ketenlog/problem';
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
  readonly append: (envelope: SignedStatement) => Promise<Result<unknown>>;
  /** Batch window. Default 200 ms. */
  readonly delayMs?: number;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
  /** First retry delay after a failed batch; doubled per failure up to 60 s. Default 1000 ms. */
  readonly retryMs?: number;
}

const MAX_RETRY_MS = 60_000;

/** Pseudonym lookups in flight at once during a flush. */
const LOOKUPS_AT_ONCE = 16;

export class IndexPublisher {
  readonly #options: IndexPublisherOptions;
  /** patient id → categories written since the last flush. */
  #pending = new Map<string, Set<Category>>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<number> = Promise.resolve(0);
  #failures = 0;
  #closed = false;

  constructor(options: IndexPublisherOptions) {
    this.#options = options;
  }

  /** Notes a stored resource; its index statement follows within the batch window. */
  written(resource: Resource): void {
    const category = categoryOf(resource);
    const patient = patientOf(resource);
    if (!category || !patient) return;
    this.#queue(patient, [category]);
    this.#schedule(this.#options.delayMs ?? 200);
  }

  /** Whether anything noted is still waiting to be stated. */
  get pending(): boolean {
    return this.#pending.size > 0;
  }

  /**
   * States every category of every resource given that the region's state does not show yet: the
   * node passes its whole store (at start, and on demand), so that nothing it holds stays out of
   * the index. Resolves with the number of statements appended; rejects when some could not be
   * (they stay queued).
   */
  async reconcile(resources: AsyncIterable<Resource>): Promise<number> {
    for await (const resource of resources) {
      const category = categoryOf(resource);
      const patient = patientOf(resource);
      if (category && patient) this.#queue(patient, [category]);
    }
    return this.flush();
  }

  #queue(patient: string, categories: Iterable<Category>): void {
    const set = this.#pending.get(patient) ?? new Set();
    for (const category of categories) set.add(category);
    this.#pending.set(patient, set);
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch((error: unknown) => this.#options.onError?.(error));
    }, delayMs);
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
    /** Whatever could not be stated goes back into the queue (merged with what arrived since). */
    const failed: unknown[] = [];
    const requeue = (patient: string, categories: Iterable<Category>, error: unknown) => {
      this.#queue(patient, categories);
      failed.push(error);
    };
    // Pseudonyms are looked up a few at a time (each may be a round trip to the pseudonym service);
    // the statements are then appended together, so the log commits them as one group.
    const pseudonyms: (string | undefined)[] = [];
    for (let i = 0; i < batch.length; i += LOOKUPS_AT_ONCE) {
      const chunk = batch.slice(i, i + LOOKUPS_AT_ONCE);
      pseudonyms.push(
        ...(await Promise.all(
          chunk.map(([patient, categories]) =>
            pseudonymOf(patient).catch((error: unknown) => {
              requeue(patient, categories, error);
              return undefined;
            }),
          ),
        )),
      );
    }
    const stated = new Set<string>();
    const appends: Promise<boolean>[] = [];
    batch.forEach(([patient, categories], i) => {
      const pseudonym = pseudonyms[i];
      if (!pseudonym) return;
      for (const category of categories) {
        const key = `${pseudonym}|${category}`;
        // Idempotent: what the region's state shows (also a statement of an earlier, timed-out
        // attempt that did reach the log) is not stated again.
        if (stated.has(key) || holds(pseudonym, category)) continue;
        stated.add(key);
        const statement = sign({
          kind: KIND_INDEX,
          v: STATEMENT_VERSION,
          author,
          iat: Math.floor(now() / 1000),
          subject: pseudonym,
          body: { holder: `ura:${holder}`, category },
        });
        appends.push(
          append(statement).then(
            (result) => {
              if (result.ok) return true;
              requeue(patient, [category], new Error(`index statement refused: ${result.problem.text}`));
              return false;
            },
            (error: unknown) => {
              requeue(patient, [category], error);
              return false;
            },
          ),
        );
      }
    });
    const appended = (await Promise.all(appends)).filter(Boolean).length;
    if (failed.length) {
      this.#failures++;
      const retryMs = Math.min((this.#options.retryMs ?? 1000) * 2 ** (this.#failures - 1), MAX_RETRY_MS);
      this.#schedule(retryMs);
      throw new AggregateError(
        failed,
        `localisation index: ${failed.length} not stated; retrying in ${retryMs} ms`,
      );
    }
    this.#failures = 0;
    return appended;
  }

  /** Stops the batch and retry timers (what is pending stays unstated; reconcile finds it again). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
