// Finality for one log: after the log signs a checkpoint, ask every region witness to cosign it
// (C2SP tlog-witness add-checkpoint, with a consistency proof from what each last cosigned). A
// checkpoint is final once the region's quorum has cosigned it; the cosigned note is stored and
// receipts are built from it. A witness that is down or slow does not hold up a round that reached
// the quorum without it; rounds repeat with the newest checkpoint until it is final, and retry on a
// timer while the quorum is out of reach, so finality resumes by itself when witnesses return.
import { parseNote, type NoteVerifier, openNote } from '../note.ts';
import { formatAddCheckpoint, TLOG_SIZE_TYPE } from '../witness/add-checkpoint.ts';
import type { Fetch } from '../mirror/tile-client.ts';
import type { LogReader } from '../store/log-reader.ts';
import type { StoredCheckpoint } from '../store/log-store.ts';
import type { CosignedStore } from './cosigned-store.ts';

export interface WitnessEndpoint {
  /** The witness's cosigner key name. */
  readonly name: string;
  /** Its add-checkpoint URL. */
  readonly url: string;
  /** Its tlog-cosignature verifier. */
  readonly verifier: NoteVerifier;
}

export interface FinalityOptions {
  readonly reader: LogReader;
  readonly store: CosignedStore;
  readonly witnesses: readonly WitnessEndpoint[];
  readonly quorum: number;
  readonly fetch: Fetch;
  /** Per add-checkpoint request. Default 5 s. */
  readonly timeoutMs?: number;
  /** Wait before another round while the quorum is out of reach. Default 1 s. */
  readonly retryMs?: number;
  readonly onFinal?: (checkpoint: StoredCheckpoint) => void;
}

export interface WitnessStatus {
  readonly name: string;
  /** The size this witness last cosigned for the log, when known. */
  readonly cosignedSize?: number;
  readonly lastError?: string;
  /** Milliseconds since the epoch of its last cosignature. */
  readonly lastCosignedAt?: number;
}

interface WitnessState {
  readonly endpoint: WitnessEndpoint;
  size: number | undefined;
  busy: boolean;
  lastError?: string;
  lastCosignedAt?: number;
}

export class FinalityError extends Error {
  override name = 'FinalityError';
}

export class Finality {
  readonly #options: FinalityOptions;
  readonly #witnesses: WitnessState[];
  #final: StoredCheckpoint | undefined;
  #offered: StoredCheckpoint | undefined;
  #waiters: { size: number; resolve: (final: boolean) => void }[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  #loop: Promise<void> | undefined;

  private constructor(options: FinalityOptions, final: StoredCheckpoint | undefined) {
    if (!Number.isInteger(options.quorum) || options.quorum < 1)
      throw new FinalityError('quorum must be at least 1');
    if (options.quorum > options.witnesses.length) {
      throw new FinalityError(
        `quorum ${options.quorum} is more than the ${options.witnesses.length} witnesses`,
      );
    }
    this.#options = options;
    this.#witnesses = options.witnesses.map((endpoint) => ({ endpoint, size: undefined, busy: false }));
    this.#final = final;
  }

  static async open(options: FinalityOptions): Promise<Finality> {
    const finality = new Finality(options, await options.store.latest());
    finality.#loop = finality.#run();
    const latest = await options.reader.latestCheckpoint();
    if (latest) finality.offer(latest);
    return finality;
  }

  /** The latest final (quorum-cosigned) checkpoint. */
  get final(): StoredCheckpoint | undefined {
    return this.#final;
  }

  get finalSize(): number {
    return this.#final?.size ?? 0;
  }

  get quorum(): number {
    return this.#options.quorum;
  }

  status(): WitnessStatus[] {
    return this.#witnesses.map((w) => ({
      name: w.endpoint.name,
      ...(w.size !== undefined ? { cosignedSize: w.size } : {}),
      ...(w.lastError ? { lastError: w.lastError } : {}),
      ...(w.lastCosignedAt ? { lastCosignedAt: w.lastCosignedAt } : {}),
    }));
  }

  /** A new checkpoint of the log: make it final. */
  offer(checkpoint: StoredCheckpoint): void {
    if (checkpoint.size > (this.#offered?.size ?? -1)) this.#offered = checkpoint;
    this.#wake?.();
  }

  /** Resolves true once a final checkpoint covers `size` entries, false after `timeoutMs`. */
  waitFinal(size: number, timeoutMs: number): Promise<boolean> {
    if (this.finalSize >= size) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { size, resolve };
      this.#waiters.push(waiter);
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      waiter.resolve = (final) => {
        clearTimeout(timer);
        resolve(final);
      };
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    for (const waiter of this.#waiters) waiter.resolve(false);
    this.#waiters = [];
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const target = this.#offered;
      if (!target || target.size <= this.finalSize) {
        await this.#sleep();
        continue;
      }
      // A round whose final checkpoint could not be stored (the database restarting) is retried;
      // a rejection here would end the loop, and with it the process.
      const reached = await this.#round(target).catch(() => false);
      if (!reached && !this.#closed && this.#offered === target)
        await this.#sleep(this.#options.retryMs ?? 1000);
    }
  }

  #sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done(): void {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /** Asks every idle witness to cosign `target`; true when the quorum cosigned it. */
  async #round(target: StoredCheckpoint): Promise<boolean> {
    const { quorum } = this.#options;
    const lines: string[] = [];
    const idle = this.#witnesses.filter((w) => !w.busy);
    await new Promise<void>((resolve) => {
      let pending = idle.length;
      if (pending === 0) resolve();
      for (const witness of idle) {
        witness.busy = true;
        void this.#submit(witness, target)
          .then(
            (line) => {
              if (line) lines.push(line);
            },
            (error: unknown) => {
              witness.lastError = (error as Error).message;
            },
          )
          .finally(() => {
            witness.busy = false;
            pending--;
            if (lines.length >= quorum || pending === 0) resolve();
          });
      }
    });
    if (lines.length < quorum) return false;
    const final = { size: target.size, note: `${target.note}${lines.join('')}` };
    await this.#options.store.add(final);
    this.#advance(final);
    return true;
  }

  #advance(final: StoredCheckpoint): void {
    if (final.size <= this.finalSize) return;
    this.#final = final;
    this.#options.onFinal?.(final);
    const [done, waiting] = partition(this.#waiters, (w) => w.size <= final.size);
    this.#waiters = waiting;
    for (const waiter of done) waiter.resolve(true);
  }

  /**
   * Adopts a newer final checkpoint another process of this node stored (several processes on
   * one PostgreSQL): receipts and waiters here need not wait for a round of their own.
   */
  async refresh(): Promise<void> {
    const stored = await this.#options.store.latest();
    if (stored) this.#advance({ size: Number(stored.size), note: stored.note });
  }

  /** One witness's cosignature line(s) on `target`, or undefined (the reason kept in its status). */
  async #submit(witness: WitnessState, target: StoredCheckpoint): Promise<string | undefined> {
    const { endpoint } = witness;
    // Two tries: the first may learn the witness's size from a 409.
    for (let attempt = 0; attempt < 2; attempt++) {
      const old = witness.size ?? 0;
      if (old > target.size) {
        witness.lastError = `witness has cosigned size ${old}, beyond ${target.size}`;
        return undefined;
      }
      const proof =
        old === 0 || old === target.size
          ? []
          : (await this.#options.reader.consistency(old, target.size)).proof;
      let response: Response;
      try {
        response = await this.#options.fetch(endpoint.url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: formatAddCheckpoint({ oldSize: old, proof, checkpoint: target.note }),
          signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
        });
      } catch (error) {
        witness.lastError = `unreachable: ${(error as Error).message}`;
        return undefined;
      }
      const body = await response.text();
      if (response.status === 200) {
        const lines = cosignatureLinesOf(target.note, body, endpoint);
        witness.size = target.size;
        witness.lastCosignedAt = Date.now();
        delete witness.lastError;
        return lines;
      }
      if (response.status === 409 && response.headers.get('content-type')?.startsWith(TLOG_SIZE_TYPE)) {
        const size = Number(body.trim());
        if (!Number.isSafeInteger(size) || size < 0 || size === old) {
          witness.lastError = `witness refuses: conflict at size ${body.trim()}`;
          return undefined;
        }
        witness.size = size;
        continue;
      }
      witness.lastError = `HTTP ${response.status}: ${body.trim().slice(0, 200)}`;
      return undefined;
    }
    return undefined;
  }
}

/** The response lines by this witness, after checking its cosignature on the checkpoint. */
function cosignatureLinesOf(note: string, body: string, endpoint: WitnessEndpoint): string {
  const prefix = `\u2014 ${endpoint.name} `;
  const mine = body
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => `${line}\n`)
    .join('');
  if (!mine) throw new FinalityError(`${endpoint.name}: the response holds no cosignature by this witness`);
  // Throws unless the witness's signature verifies over the checkpoint text.
  openNote(`${parseNote(note).text}\n${mine}`, [endpoint.verifier]);
  return mine;
}

function partition<T>(list: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of list) (test(item) ? yes : no).push(item);
  return [yes, no];
}
