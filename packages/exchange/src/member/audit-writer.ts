// The holder's local BALP AuditEvents, written in batches: every event noted within a short window
// goes into the node's FHIR store as one transaction Bundle (one commit). The authoritative trail
// is the `access` statement, which the holder appends and waits for before it answers; the local
// AuditEvent is its FHIR copy for the organisation's own audit tools, so it need not hold up the
// answer (on SQLite with synchronous=FULL a commit per answer would).
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { FhirRepository } from '@ketenlog/fhir';

export interface AuditWriterOptions {
  readonly repository: FhirRepository;
  /** Batch window. Default 100 ms. */
  readonly delayMs?: number;
  readonly onError?: (error: unknown) => void;
}

export class AuditWriter {
  readonly #options: AuditWriterOptions;
  #pending: AuditEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: AuditWriterOptions) {
    this.#options = options;
  }

  add(events: readonly AuditEvent[]): void {
    this.#pending.push(...events);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.delayMs ?? 100);
    this.#timer.unref?.();
  }

  /** Writes what is pending (errors go to onError). */
  flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return this.#flushing;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      // An AuditEvent with an id of its own (break-the-glass: its commitment) is found by that id.
      entry: batch.map((resource) => ({
        resource,
        request: resource.id
          ? { method: 'PUT', url: `AuditEvent/${resource.id}` }
          : { method: 'POST', url: 'AuditEvent' },
      })),
    };
    this.#flushing = this.#flushing
      .then(() => this.#options.repository.processBundle(bundle, 'http://local/fhir'))
      .then(
        () => undefined,
        (error: unknown) => this.#options.onError?.(error),
      );
    return this.#flushing;
  }

  /** Flushes and stops the timer. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
