// The node's part of the region's logbook, wired from the logbook's parts: its own log (one
// sequencer), a validating mirror of every other member's log, the witness that cosigns them,
// finality for its own log by the region's witness quorum, and the region's state folded from all
// of them. Statements enter through `submit`: validated, judged by the same rules the witnesses
// apply (so the node never logs what the region would refuse), appended, and made final.
import type { Db } from '@ketenlog/storage';
import {
  cosignatureVerifierFromKey,
  CosignedStore,
  Election,
  entryBytes,
  Finality,
  LogMirror,
  receiptFor,
  SharedLog,
  TileBudget,
  TileClient,
  validateSignedStatement,
  Witness,
  WitnessStore,
  type Evidence,
  type LogRef,
  type SignedStatement,
  type StoredCheckpoint,
  type WebAuthnVerify,
  type WitnessStatus,
} from '@ketenlog/logbook';
import { logOriginOf, memberFetch, RegionPolicy, type MemberFetch, type RegionState } from '@ketenlog/region';
import { fail, ok, type Result } from '@ketenlog/problem';
import type { Membership } from '../region/membership.ts';

/** The node's own log of statements. */
export const OWN_LOG_ID = 'statements';
/** Where a node serves its logs (tlog-tiles), relative to its base URL. */
export const LOGS_PATH = '/logs';

export const mirrorLogId = (nodeId: string): string => `mirror-${nodeId}`;

/** How often a process looks for a final checkpoint another process stored, while waiting. */
const FINAL_POLL_MS = 100;

/** Memory for the tiles proofs are served from, for the own log and all mirrors together. */
const TILE_CACHE_BYTES = 64 * 2 ** 20;

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface NodeLogbookOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly log: Logger;
  /** Verifies client passkey signatures (the identity layer's WebAuthn check). */
  readonly webauthnVerify?: WebAuthnVerify;
  /** Outbound HTTP to members; default: memberFetch over the region (SSRF-guarded). */
  readonly fetch?: MemberFetch;
  /** How often the mirrors poll the other members' checkpoints. Default 2 s. */
  readonly mirrorIntervalMs?: number;
  /** Retry interval while the witness quorum is out of reach. Default 1 s. */
  readonly finalityRetryMs?: number;
}

/** A statement on the own log: its index, under a signed checkpoint (final later). */
export interface Appended {
  readonly index: number;
  readonly checkpoint: StoredCheckpoint;
}

/**
 * Why a statement was not logged, as the FHIR issue type it answers with: 400 `structure` (not a
 * well-formed signed statement), 422 `business-rule` (against the region's rules).
 */
export type RefusalCode = 'structure' | 'business-rule';

export interface MirrorStatus {
  readonly origin: string;
  readonly logId: string;
  readonly size: number;
  readonly lastError?: string;
}

export class NodeLogbook {
  /** The own log: integrated by one elected process of the organisation, appended to by any. */
  readonly sequencer: SharedLog;
  readonly finality: Finality;
  readonly witness: Witness;
  readonly witnessStore: WitnessStore;
  /** Mirrors by log id. */
  readonly mirrors: ReadonlyMap<string, LogMirror>;
  readonly #policy: RegionPolicy;
  readonly #ref: LogRef;
  readonly #options: NodeLogbookOptions;
  readonly #mirrorErrors = new Map<string, string>();
  #evidenceCount = 0;
  #nextIndex: number;
  #catchingUp: Promise<void> | undefined;
  /** Counts rebuilds, so a catch-up that overlapped one folds nothing twice. */
  #rebuilds = 0;
  /** The mirror worker runs in one process of the organisation at a time (always on SQLite). */
  #mirrorElection: Election | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    options: NodeLogbookOptions,
    parts: {
      sequencer: SharedLog;
      finality: Finality;
      witness: Witness;
      witnessStore: WitnessStore;
      mirrors: Map<string, LogMirror>;
      policy: RegionPolicy;
    },
  ) {
    this.#options = options;
    this.sequencer = parts.sequencer;
    this.finality = parts.finality;
    this.witness = parts.witness;
    this.witnessStore = parts.witnessStore;
    this.mirrors = parts.mirrors;
    this.#policy = parts.policy;
    this.#ref = { logId: OWN_LOG_ID, origin: parts.sequencer.origin };
    this.#nextIndex = parts.sequencer.size;
  }

  static async open(options: NodeLogbookOptions): Promise<NodeLogbook> {
    const { db, membership, log } = options;
    const { region, organisation } = membership;
    const fetch = options.fetch ?? memberFetch(region);
    const policy = new RegionPolicy(
      region,
      options.webauthnVerify ? { webauthnVerify: options.webauthnVerify } : {},
    );
    // One budget for the proof tiles of the own log and all mirrors: a bound per log would grow
    // with the region (issue 9).
    const tileBudget = new TileBudget(TILE_CACHE_BYTES);
    const sequencer = await SharedLog.open(db, {
      logId: OWN_LOG_ID,
      origin: membership.origin,
      signer: membership.logSigner,
      verifierKey: organisation.logKey,
      tileBudget,
      onRole: (integrating) =>
        log.info(
          { integrating },
          integrating ? 'logbook: integrating the log' : 'logbook: no longer integrating the log',
        ),
      onError: (error) => log.warn({ err: error }, 'logbook: log coordination failed; retrying'),
    });
    const mirrors = new Map<string, LogMirror>();
    for (const member of region.organisations) {
      if (member.ura === organisation.ura) continue;
      const logId = mirrorLogId(member.node.id);
      mirrors.set(
        logId,
        await LogMirror.open(db, {
          logId,
          origin: logOriginOf(region, member),
          verifierKey: member.logKey,
          client: new TileClient(`${member.node.baseUrl}${LOGS_PATH}/${OWN_LOG_ID}/`, fetch),
          policy,
          tileBudget,
        }),
      );
    }
    // The state is a fold over everything stored: the own log and every mirror.
    await foldStored(policy, { logId: OWN_LOG_ID, origin: sequencer.origin }, sequencer);
    for (const mirror of mirrors.values()) await foldStored(policy, mirror.ref, mirror);

    const byOrigin = new Map([...mirrors.values()].map((m) => [m.origin, m]));
    const witnessStore = await WitnessStore.open(db);
    // The alarm goes to the logbook, which exists only once the witness does.
    const alarm: { raise?: (evidence: Evidence) => void } = {};
    const witness = new Witness({
      store: witnessStore,
      cosigner: membership.cosigner,
      log: (origin) => {
        const mirror = byOrigin.get(origin);
        const member = region.organisations.find((o) => logOriginOf(region, o) === origin);
        if (!mirror || !member) return undefined;
        return {
          origin,
          verifier: mirror.verifier,
          validate: (_checkpoint, note) => mirror.sync(note),
        };
      },
      onEvidence: (evidence) => alarm.raise?.(evidence),
    });
    const witnesses = region.witnesses.members
      .filter((ura) => ura !== organisation.ura)
      .map((ura) => region.organisations.find((o) => o.ura === ura))
      .filter((o) => o !== undefined)
      .map((o) => {
        const verifier = cosignatureVerifierFromKey(o.cosignerKey);
        return { name: verifier.name, url: `${o.node.baseUrl}/witness/add-checkpoint`, verifier };
      });
    const finality = await Finality.open({
      reader: sequencer.reader,
      store: await CosignedStore.open(db, OWN_LOG_ID),
      witnesses,
      quorum: region.witnesses.quorum,
      fetch,
      ...(options.finalityRetryMs ? { retryMs: options.finalityRetryMs } : {}),
      onFinal: (checkpoint) => log.info({ size: checkpoint.size }, 'logbook: checkpoint final'),
    });
    const logbook = new NodeLogbook(options, { sequencer, finality, witness, witnessStore, mirrors, policy });
    alarm.raise = (evidence) => logbook.alarm(evidence);
    logbook.#evidenceCount = (await witnessStore.evidence(1000)).length;
    logbook.#mirrorElection = await Election.start(db, {
      role: 'mirrors',
      onElected: async () => logbook.#schedule(0),
      onDeposed: async () => clearTimeout(logbook.#timer),
      onError: (error) => log.warn({ err: error }, 'logbook: mirror election failed; retrying'),
    });
    return logbook;
  }

  /** The region's state, folded from every log this node holds. Read it; do not change it. */
  get state(): RegionState {
    return this.#policy.state;
  }

  get origin(): string {
    return this.sequencer.origin;
  }

  get evidenceCount(): number {
    return this.#evidenceCount;
  }

  /**
   * Logs one signed statement: malformed → 400; against the region's rules → 422 with the rule
   * it breaks; else appended (durable, under a signed checkpoint) and offered for finality.
   */
  async submit(value: unknown): Promise<Result<Appended, RefusalCode>> {
    const parsed = validateSignedStatement(value);
    if (!parsed.ok) return fail(400, 'structure', parsed.problem.text);
    return this.append(parsed.value);
  }

  async append(envelope: SignedStatement): Promise<Result<Appended, RefusalCode>> {
    const entry = entryBytes(envelope);
    // Entries other processes of the organisation appended are folded first, in log order.
    while ((await this.sequencer.refresh()) > this.#nextIndex) {
      const before = this.#nextIndex;
      this.#catchingUp ??= this.#catchUp().finally(() => (this.#catchingUp = undefined));
      await this.#catchingUp;
      if (this.#nextIndex === before) break;
    }
    // Judge and fold before appending, in one synchronous step, so each statement is judged with
    // every earlier one (also those still being written) in the state, in log order.
    const verdict = this.#policy.check(this.#ref, this.#nextIndex, entry);
    if (!verdict.ok) return fail(422, 'business-rule', verdict.reason);
    const index = this.#nextIndex++;
    this.#policy.accept(this.#ref, index, entry);
    let result;
    try {
      result = await this.sequencer.append(entry);
    } catch (error) {
      // The log may or may not hold the entry: the state is rebuilt from what is stored.
      await this.#rebuild();
      throw error;
    }
    if (result.index !== index) {
      this.#options.log.error(
        { expected: index, got: result.index },
        'logbook: index out of step; rebuilding state',
      );
      await this.#rebuild();
    }
    this.finality.offer(result.checkpoint);
    return ok({ index: result.index, checkpoint: result.checkpoint });
  }

  /**
   * Waits until entry `index` is final; false after `timeoutMs`. With several processes (a
   * database that has sessions) the final checkpoint may be stored by another one: looked up too.
   */
  async waitFinal(index: number, timeoutMs: number): Promise<boolean> {
    const final = this.finality.waitFinal(index + 1, timeoutMs);
    if (!this.#options.db.session) return final;
    let settled = false;
    void final.then(() => (settled = true));
    while (!settled && !this.#closed) {
      await Promise.race([final, new Promise((resolve) => setTimeout(resolve, FINAL_POLL_MS).unref())]);
      if (!settled) await this.finality.refresh().catch(() => undefined);
    }
    return final;
  }

  /** The tlog-proof receipt of entry `index`, or undefined while it is not final. */
  async receipt(index: number): Promise<string | undefined> {
    if (index >= this.finality.finalSize && this.#options.db.session) await this.finality.refresh();
    const final = this.finality.final;
    if (!final || index >= final.size) return undefined;
    return receiptFor(this.sequencer.reader, final, index);
  }

  status(): {
    origin: string;
    size: number;
    finalSize: number;
    quorum: number;
    witnesses: WitnessStatus[];
    mirrors: MirrorStatus[];
    evidence: number;
  } {
    return {
      origin: this.origin,
      size: this.sequencer.size,
      finalSize: this.finality.finalSize,
      quorum: this.finality.quorum,
      witnesses: this.finality.status(),
      mirrors: [...this.mirrors.entries()].map(([logId, m]) => {
        const lastError = this.#mirrorErrors.get(logId);
        return { origin: m.origin, logId, size: m.size, ...(lastError ? { lastError } : {}) };
      }),
      evidence: this.#evidenceCount,
    };
  }

  /** Brings every mirror up to its log's latest checkpoint. */
  async syncMirrors(): Promise<void> {
    await Promise.all([...this.mirrors.entries()].map(([logId, mirror]) => this.#syncMirror(logId, mirror)));
  }

  /**
   * Brings the mirror of one member's log up to date now (notified pull: that member said its log
   * has news). False when this node mirrors no log of that origin.
   */
  async syncMirrorOf(origin: string): Promise<boolean> {
    const found = [...this.mirrors.entries()].find(([, mirror]) => mirror.origin === origin);
    if (!found) return false;
    await this.#syncMirror(...found);
    return true;
  }

  async #syncMirror(logId: string, mirror: LogMirror): Promise<void> {
    const result = await mirror.sync();
    if (result.ok) {
      this.#mirrorErrors.delete(logId);
      return;
    }
    this.#mirrorErrors.set(logId, result.reason);
    if (result.kind) {
      await this.witness.recordEvidence(mirror.origin, result.kind, result.reason, result.notes ?? []);
    }
  }

  /** Evidence of a misbehaving log: an error line and a metric (the API lists the evidence). */
  alarm(evidence: Evidence): void {
    this.#evidenceCount++;
    this.#options.log.error(
      { origin: evidence.origin, kind: evidence.kind, detail: evidence.detail, evidence: evidence.id },
      'logbook ALARM: a log misbehaved; evidence kept',
    );
  }

  #schedule(ms: number): void {
    if (this.#closed || this.#mirrorElection?.elected === false) return;
    this.#timer = setTimeout(() => {
      this.syncMirrors()
        .catch((error: unknown) => this.#options.log.warn({ err: error }, 'logbook: mirror sync failed'))
        .finally(() => this.#schedule(this.#options.mirrorIntervalMs ?? 2000));
    }, ms);
    this.#timer.unref();
  }

  /**
   * The region's state folded afresh from what this node stored (its log and its mirrors), in
   * storage order: equal to the live state, which was folded entry by entry as they arrived.
   */
  async foldFromStorage(): Promise<RegionState> {
    const policy = new RegionPolicy(this.#options.membership.region);
    await foldStored(policy, this.#ref, this.sequencer);
    for (const mirror of this.mirrors.values()) await foldStored(policy, mirror.ref, mirror);
    return policy.state;
  }

  async #rebuild(): Promise<void> {
    await this.sequencer.flush().catch(() => undefined);
    this.#rebuilds++;
    this.#policy.reset();
    await foldStored(this.#policy, this.#ref, this.sequencer);
    for (const mirror of this.mirrors.values()) await foldStored(this.#policy, mirror.ref, mirror);
    this.#nextIndex = await this.sequencer.store.entryCount();
  }

  /** Folds the own log's entries that other processes appended since this one last folded. */
  async #catchUp(): Promise<void> {
    const from = this.#nextIndex;
    const rebuilds = this.#rebuilds;
    const entries = await this.sequencer.store.readEntries(from, this.sequencer.size);
    // Only when no append of this process took an index meanwhile (that path rebuilds on a
    // mismatch) and no rebuild refolded the log.
    if (this.#nextIndex !== from || this.#rebuilds !== rebuilds) return;
    for (const e of entries) this.#policy.accept(this.#ref, e.index, e.entry);
    this.#nextIndex = from + entries.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#mirrorElection?.close();
    await this.finality.close();
    await this.sequencer.close();
  }
}

/** Folds every stored entry of a log into the policy's state (they were judged when stored). */
async function foldStored(
  policy: RegionPolicy,
  ref: LogRef,
  log: { entries(): AsyncGenerator<{ index: number; entry: Uint8Array }> } | SharedLog,
): Promise<void> {
  if (log instanceof SharedLog) {
    const count = await log.store.entryCount();
    for (let start = 0; start < count; start += 4096) {
      for (const e of await log.store.readEntries(start, Math.min(count, start + 4096)))
        policy.accept(ref, e.index, e.entry);
    }
    return;
  }
  for await (const e of log.entries()) policy.accept(ref, e.index, e.entry);
}

/** Prometheus lines for the logbook: sizes, finality and the evidence alarm. */
export function logbookMetrics(logbook: NodeLogbook): () => string[] {
  return () => {
    const status = logbook.status();
    const origin = `origin="${status.origin}"`;
    return [
      '# HELP ketenlog_logbook_entries Entries in the log under a signed checkpoint.',
      '# TYPE ketenlog_logbook_entries gauge',
      `ketenlog_logbook_entries{${origin}} ${status.size}`,
      ...status.mirrors.map((m) => `ketenlog_logbook_entries{origin="${m.origin}",mirror="true"} ${m.size}`),
      '# HELP ketenlog_logbook_final_entries Entries under a checkpoint cosigned by the witness quorum.',
      '# TYPE ketenlog_logbook_final_entries gauge',
      `ketenlog_logbook_final_entries{${origin}} ${status.finalSize}`,
      '# HELP ketenlog_logbook_evidence_total Misbehaviour a witness or mirror of this node saw (split views, ...).',
      '# TYPE ketenlog_logbook_evidence_total counter',
      `ketenlog_logbook_evidence_total ${status.evidence}`,
    ];
  };
}
