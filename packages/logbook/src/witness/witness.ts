// A C2SP tlog-witness: checks a submitted checkpoint against the log's key and against the last
// checkpoint it cosigned for that origin, lets a validator (the region's rules over the log's
// entries) judge what the checkpoint adds, and only then records and cosigns it. Whatever shows a
// log misbehaving (two roots for one size, an inconsistent checkpoint, entries that do not match
// the root, an entry the rules forbid) is kept as evidence and reported.
import { NoteError, parseNote, signNote, type NoteSigner, type NoteVerifier } from '../note.ts';
import {
  CheckpointError,
  checkpointOfNote,
  isConsistentSuccessor,
  openCheckpoint,
  type Checkpoint,
} from '../checkpoint.ts';
import {
  AddCheckpointFormatError,
  parseAddCheckpoint,
  TLOG_SIZE_TYPE,
  type AddCheckpointRequest,
} from './add-checkpoint.ts';
import type { Evidence, EvidenceKind, WitnessStore } from './witness-store.ts';

/** The verdict of a validating witness's own check of the entries a checkpoint adds. */
export type Validation =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** 409: the log contradicts what the witness holds; 422: the checkpoint cannot be accepted. */
      readonly status: 409 | 422 | 503;
      readonly kind?: EvidenceKind;
      readonly reason: string;
      /** Other signed checkpoints that are part of the evidence. */
      readonly notes?: readonly string[];
    };

export type CheckpointValidator = (checkpoint: Checkpoint, note: string) => Promise<Validation>;

/** A log this witness follows: its log key and, for a validating witness, its entry check. */
export interface WitnessedLog {
  readonly origin: string;
  readonly verifier: NoteVerifier;
  readonly validate?: CheckpointValidator;
}

export interface WitnessOptions {
  readonly store: WitnessStore;
  /** The witness's cosigner (tlog-cosignature, e.g. ed25519Cosigner). */
  readonly cosigner: NoteSigner;
  readonly log: (origin: string) => WitnessedLog | undefined;
  /** Called after evidence is stored: raise the alarm (log line, metric). */
  readonly onEvidence?: (evidence: Evidence) => void;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

export interface WitnessResponse {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422 | 503;
  readonly contentType: string;
  readonly body: string;
}

const TEXT = 'text/plain; charset=utf-8';
const reply = (status: WitnessResponse['status'], message: string): WitnessResponse => ({
  status,
  contentType: TEXT,
  body: `${message}\n`,
});
const conflict = (size: number): WitnessResponse => ({
  status: 409,
  contentType: TLOG_SIZE_TYPE,
  body: `${size}\n`,
});

export class Witness {
  readonly #options: WitnessOptions;
  /** One add-checkpoint at a time per origin: the old-size check and the update are atomic. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: WitnessOptions) {
    this.#options = options;
  }

  get name(): string {
    return this.#options.cosigner.name;
  }

  /** Handles one add-checkpoint request body (tlog-witness), returning the HTTP response. */
  async addCheckpoint(body: string): Promise<WitnessResponse> {
    let request: AddCheckpointRequest;
    let origin: string;
    try {
      request = parseAddCheckpoint(body);
      origin = checkpointOfNote(request.checkpoint).origin;
    } catch (error) {
      if (
        error instanceof AddCheckpointFormatError ||
        error instanceof NoteError ||
        error instanceof CheckpointError
      ) {
        return reply(400, error.message);
      }
      throw error;
    }
    const log = this.#options.log(origin);
    if (!log) return reply(404, `unknown log origin ${origin}`);
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(request.checkpoint, origin, log.verifier).checkpoint;
    } catch (error) {
      return reply(403, `checkpoint signature: ${(error as Error).message}`);
    }
    if (request.oldSize > checkpoint.size) return reply(400, 'old size is larger than the checkpoint size');
    return this.#serial(origin, () => this.#add(log, request, checkpoint));
  }

  async #serial<T>(origin: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(origin) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.#queues.set(origin, settled);
    try {
      return await next;
    } finally {
      if (this.#queues.get(origin) === settled) this.#queues.delete(origin);
    }
  }

  async #add(
    log: WitnessedLog,
    request: AddCheckpointRequest,
    checkpoint: Checkpoint,
  ): Promise<WitnessResponse> {
    const { store } = this.#options;
    const latest = await store.latest(log.origin);
    const latestSize = latest?.size ?? 0;
    if (request.oldSize !== latestSize) return conflict(latestSize);
    if (latest) {
      const cosigned = checkpointOfNote(latest.note);
      const proof = request.oldSize === checkpoint.size ? [] : request.proof;
      if (!isConsistentSuccessor(cosigned, checkpoint, proof)) {
        const splitView = cosigned.size === checkpoint.size;
        await this.recordEvidence(
          log.origin,
          splitView ? 'split-view' : 'inconsistent',
          splitView
            ? `two different roots for tree size ${checkpoint.size}`
            : `no valid consistency proof from size ${cosigned.size} to ${checkpoint.size}`,
          [latest.note, request.checkpoint],
        );
        return splitView ? conflict(latestSize) : reply(422, 'consistency proof does not verify');
      }
    } else if (request.proof.length > 0) {
      return reply(422, 'the consistency proof must be empty when the old size is 0');
    }
    if (log.validate && checkpoint.size > latestSize) {
      const validation = await log.validate(checkpoint, request.checkpoint);
      if (!validation.ok) {
        if (validation.kind) {
          await this.recordEvidence(log.origin, validation.kind, validation.reason, [
            ...(validation.notes ?? []),
            request.checkpoint,
          ]);
        }
        return validation.status === 409 ? conflict(latestSize) : reply(validation.status, validation.reason);
      }
    }
    if (!(await store.advance(log.origin, latestSize, { size: checkpoint.size, note: request.checkpoint }))) {
      const now = await store.latest(log.origin);
      return conflict(now?.size ?? 0);
    }
    return { status: 200, contentType: TEXT, body: this.cosignatureLines(request.checkpoint) };
  }

  /** The witness's cosignature on a checkpoint, as note signature lines. */
  cosignatureLines(note: string): string {
    const { text } = parseNote(note);
    return signNote(text, [this.#options.cosigner]).slice(text.length + 1);
  }

  /** Stores evidence and raises the alarm. */
  async recordEvidence(
    origin: string,
    kind: EvidenceKind,
    detail: string,
    notes: readonly string[],
  ): Promise<void> {
    const now = this.#options.now ?? Date.now;
    const stored = await this.#options.store.addEvidence({ origin, kind, detail, notes, observedAt: now() });
    this.#options.onEvidence?.(stored);
  }
}
