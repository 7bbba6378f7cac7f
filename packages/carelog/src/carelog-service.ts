// Mijn Zorg Log at one kraamzorg node: indications and re-indications, the carer's entries, the
// client's approvals, and declarations, each checked here and then appended to the logbook, whose
// region state (packages/region, state/carelog.ts) is the one truth every view reads.
import { createHash } from 'node:crypto';
import {
  isKind,
  validateSignedStatement,
  type SignedStatement,
  type Statement,
  KIND_CARELOG_APPROVAL,
  KIND_CARELOG_ENTRY,
} from '@ketenlog/logbook';
import {
  approvalOf,
  comparePositions,
  currentIndication,
  keyStatus,
  partyOfKey,
  type CareEntryRecord,
  type EntryPosition,
  type IndicationRecord,
  type CarelogStateView,
} from '@ketenlog/region';
import type { CareFile, CareFiles, Declaration, PaymentStatus } from './care-file.ts';
import { carePeriodOf, minutesOfTime } from './care-protocol.ts';
import { challengeOf, checkSchema, hashOf, statementOf } from './drafts.ts';
import { carerKeyBinding } from './carer-keys.ts';
import { careEntryStatus, counts, type CareEntryStatus } from './entry-status.ts';
import {
  budgetLines,
  draftIndication,
  draftReindication,
  type BudgetLine,
  type IndicationInput,
  type ReindicationInput,
} from './indication.ts';
import { problem, success, type Outcome } from './problem.ts';
import type { Result } from '@ketenlog/problem';
import { checkVisit, type Visit } from './visit-rules.ts';

/**
 * The logbook as this package needs it: the node's append, and what it may read of the region
 * state the log folds into — Mijn Zorg Log, the keys, and whether an insurer may see a client's
 * hours (never the consent register or the localisation index themselves).
 */
export interface CarelogLogbook {
  readonly state: CarelogStateView;
  append(envelope: SignedStatement): Promise<Result<{ readonly index: number }>>;
}

/** Signs statements as the care organisation (its node key). */
export interface OrganisationSigner {
  readonly keyId: string;
  sign(statement: Statement): SignedStatement;
}

/** A final C2SP tlog-proof receipt for the entry at a position, or undefined while not final. */
export type ReceiptSource = (at: EntryPosition) => Promise<string | undefined>;

export interface CarelogServiceOptions {
  readonly logbook: CarelogLogbook;
  readonly files: CareFiles;
  readonly organisation: OrganisationSigner;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  readonly receipts?: ReceiptSource;
  readonly timeZone?: string;
}

export interface Signable {
  readonly statement: Statement;
  /** base64 statement hash (what an approval cites). */
  readonly hash: string;
  /** base64url statement hash: the WebAuthn challenge for a passkey signature. */
  readonly challenge: string;
}

export interface Logged {
  readonly hash: string;
  readonly index: number;
}

export interface Budget {
  readonly indication: IndicationRecord;
  readonly lines: readonly BudgetLine[];
  readonly budgetMinutes: number;
  readonly approvedMinutes: number;
  readonly pendingMinutes: number;
  readonly rejectedMinutes: number;
  /** Budget minus approved: what the mother sees as left. */
  readonly remainingMinutes: number;
  /** Budget minus approved and pending: what a carer may still log. */
  readonly availableMinutes: number;
}

export interface EntryView extends CareEntryRecord {
  readonly status: CareEntryStatus;
  readonly reason?: string;
  readonly supersedes?: string;
  readonly supersededBy?: string;
  readonly declaration?: string;
  /** Professional id of the carer, when the key is bound to one. */
  readonly carer?: string;
  readonly approval?: { readonly hash: string; readonly at: EntryPosition; readonly author: string };
}

export interface ReceiptedEntry {
  readonly entry: EntryView;
  /** tlog-proof receipts of the carer's entry and of the client's approval (once final). */
  readonly entryReceipt?: string;
  readonly approvalReceipt?: string;
}

/** The consent an insurer needs to see a client's care hours: category and purpose (issue 6 item 5). */
export const BILLING_CONSENT = { category: 'kraamzorg', purpose: 'billing' } as const;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export class CarelogService {
  readonly #options: CarelogServiceOptions;
  readonly #now: () => number;

  constructor(options: CarelogServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get state(): CarelogStateView {
    return this.#options.logbook.state;
  }

  get files(): CareFiles {
    return this.#options.files;
  }

  #iat(): number {
    return Math.floor(this.#now() / 1000);
  }

  async #append(envelope: SignedStatement): Promise<Outcome<Logged>> {
    const result = await this.#options.logbook.append(envelope);
    if (!result.ok)
      return problem(
        'refused-by-logbook',
        `Het logboek weigerde deze verklaring: ${result.problem.text}`,
        422,
      );
    return success({ hash: hashOf(envelope.statement), index: result.value.index });
  }

  // --- indications ---

  async recordIndication(input: IndicationInput): Promise<Outcome<Logged>> {
    const drafted = draftIndication(input);
    if (!drafted.ok) return drafted;
    const { draft, file } = drafted.value;
    if (this.files.file(file.indication) || currentIndication(this.state.carelog, file.indication))
      return problem(
        'indication-exists',
        `Indicatie ${file.indication} bestaat al; maak een herindicatie.`,
        409,
      );
    const statement = statementOf(draft, this.#options.organisation.keyId, this.#iat());
    const schema = checkSchema(statement);
    if (!schema.ok) return schema;
    const logged = await this.#append(this.#options.organisation.sign(statement));
    if (logged.ok)
      await this.files.saveFile({ ...file, notes: [{ version: logged.value.hash, reason: 'indicatie' }] });
    return logged;
  }

  async reindicate(indication: string, input: ReindicationInput): Promise<Outcome<Logged>> {
    const current = currentIndication(this.state.carelog, indication);
    const file = this.files.file(indication);
    if (!current || !file) return problem('indication-unknown', `Indicatie ${indication} is onbekend.`, 404);
    const drafted = draftReindication(current, input);
    if (!drafted.ok) return drafted;
    const statement = statementOf(drafted.value, this.#options.organisation.keyId, this.#iat());
    const schema = checkSchema(statement);
    if (!schema.ok) return schema;
    const logged = await this.#append(this.#options.organisation.sign(statement));
    if (logged.ok) {
      const note = {
        version: logged.value.hash,
        reason: input.reason,
        ...(input.note ? { note: input.note } : {}),
      };
      await this.files.saveFile({ ...file, notes: [...file.notes, note] });
    }
    return logged;
  }

  budget(indication: string): Outcome<Budget> {
    const current = currentIndication(this.state.carelog, indication);
    if (!current) return problem('indication-unknown', `Indicatie ${indication} is onbekend.`, 404);
    const totals = { approved: 0, pending: 0, rejected: 0 };
    for (const entry of this.#entriesOf(indication)) {
      const status = careEntryStatus(this.state.carelog, this.files, entry.hash);
      totals[status === 'superseded' ? 'rejected' : status] += entry.minutes;
    }
    const budgetMinutes = current.hours * 60;
    return success({
      indication: current,
      lines: budgetLines(this.state.carelog, current, this.files.file(indication)?.notes),
      budgetMinutes,
      approvedMinutes: totals.approved,
      pendingMinutes: totals.pending,
      rejectedMinutes: totals.rejected,
      remainingMinutes: budgetMinutes - totals.approved,
      availableMinutes: budgetMinutes - totals.approved - totals.pending,
    });
  }

  #entriesOf(indication: string): CareEntryRecord[] {
    const current = currentIndication(this.state.carelog, indication);
    return [...(this.state.carelog.entriesByIndication.get(indication) ?? [])]
      .map((h) => this.state.carelog.entries.get(h))
      .filter((e): e is CareEntryRecord => e !== undefined && e.subject === current?.subject);
  }

  // --- entries ---

  /**
   * Binds a carer's own Ed25519 key (held on her device) on the logbook, signed by the care
   * organisation; her entries are then signed with it. `provider` is `ura:<URA>` of this node.
   */
  async bindCarerKey(
    provider: string,
    carer: string,
    publicKey: string,
  ): Promise<Outcome<Logged & { keyId: string }>> {
    const statement = carerKeyBinding(
      this.state,
      provider,
      carer,
      publicKey,
      this.#options.organisation.keyId,
      this.#iat(),
    );
    if (!statement.ok) return statement;
    const logged = await this.#append(this.#options.organisation.sign(statement.value));
    return logged.ok ? success({ ...logged.value, keyId: String(statement.value.body.keyId) }) : logged;
  }

  /** The professional id of a carer's active key, or undefined. */
  carerOfKey(keyId: string): string | undefined {
    const party = partyOfKey(this.state.config, this.state.keys, keyId);
    return party?.kind === 'professional' && keyStatus(this.state.keys, keyId) === 'active'
      ? party.id
      : undefined;
  }

  #checkEntry(indication: string, carerKeyId: string, visit: Visit, supersedes?: string): Outcome<CareFile> {
    const current = currentIndication(this.state.carelog, indication);
    const file = this.files.file(indication);
    if (!current || !file) return problem('indication-unknown', `Indicatie ${indication} is onbekend.`, 404);
    if (supersedes !== undefined) {
      const old = this.state.carelog.entries.get(supersedes);
      if (!old || old.indication !== indication)
        return problem('entry-unknown', 'De te corrigeren regel hoort niet bij deze indicatie.', 404);
      const status = careEntryStatus(this.state.carelog, this.files, supersedes);
      if (status === 'superseded')
        return problem('correction-already-made', 'Deze afgewezen regel is al gecorrigeerd.', 409);
      if (status !== 'rejected')
        return problem(
          'correction-of-unrejected-entry',
          'Alleen een afgewezen regel kan worden gecorrigeerd.',
          409,
        );
    }
    const carer = this.carerOfKey(carerKeyId);
    const counted = (e: CareEntryRecord) => counts(careEntryStatus(this.state.carelog, this.files, e.hash));
    const mine = this.#entriesOf(indication).filter(counted);
    const carersOther = [...this.state.carelog.entries.values()].filter(
      (e) => e.author === carerKeyId && e.indication !== indication && counted(e),
    );
    const checked = checkVisit(visit, {
      now: this.#now(),
      carePeriod: carePeriodOf(file.birthDate, current.days),
      budgetMinutes: current.hours * 60,
      usedMinutes: mine.reduce((sum, e) => sum + e.minutes, 0),
      others: [...mine, ...carersOther],
      carerAssigned: carer !== undefined && file.carers.includes(carer),
      ...(this.#options.timeZone ? { timeZone: this.#options.timeZone } : {}),
    });
    return checked.ok ? success(file) : checked;
  }

  /** The entry statement for the carer to sign (her key), after every visit rule passed. */
  draftEntry(indication: string, carerKeyId: string, visit: Visit, supersedes?: string): Outcome<Signable> {
    const checked = this.#checkEntry(indication, carerKeyId, visit, supersedes);
    if (!checked.ok) return checked;
    const statement = statementOf(
      {
        kind: KIND_CARELOG_ENTRY,
        subject: checked.value.subject,
        body: {
          indication,
          date: visit.date,
          start: visit.start,
          end: visit.end,
          activities: [...visit.activities],
        },
      },
      carerKeyId,
      this.#iat(),
    );
    const schema = checkSchema(statement);
    if (!schema.ok) return schema;
    return success({ statement, hash: hashOf(statement), challenge: challengeOf(statement) });
  }

  /** Logs an entry the carer signed (also one queued offline); `supersedes` corrects a rejected one. */
  async submitEntry(value: unknown, supersedes?: string): Promise<Outcome<Logged>> {
    const envelope = validateSignedStatement(value);
    if (!envelope.ok) return problem('invalid-input', `Ongeldige verklaring: ${envelope.problem.text}`, 400);
    const { statement } = envelope.value;
    if (!isKind(statement, KIND_CARELOG_ENTRY))
      return problem('statement-mismatch', 'Dit is geen urenregel (carelog.entry).', 400);
    const { indication, date, start, end, activities } = statement.body;
    const checked = this.#checkEntry(
      indication,
      statement.author,
      { date, start, end, activities },
      supersedes,
    );
    if (!checked.ok) return checked;
    if (statement.subject !== checked.value.subject)
      return problem('statement-mismatch', 'De urenregel is voor een andere cliënt dan de indicatie.', 422);
    const logged = await this.#append(envelope.value);
    if (logged.ok && supersedes !== undefined) await this.files.saveCorrection(logged.value.hash, supersedes);
    return logged;
  }

  // --- approvals ---

  #checkApproval(
    entryHash: string,
    signerKeyId: string,
    decision: string,
    reason: string | undefined,
  ): Outcome<CareEntryRecord> {
    const entry = this.state.carelog.entries.get(entryHash);
    if (!entry) return problem('entry-unknown', 'Deze urenregel is onbekend.', 404);
    if (decision !== 'approved' && decision !== 'rejected')
      return problem('invalid-input', 'Kies akkoord (approved) of afwijzen (rejected).', 400);
    if (decision === 'rejected' && (reason === undefined || reason.trim() === ''))
      return problem('approval-needs-reason', 'Geef een reden als u uren afwijst.');
    const decided = approvalOf(this.state.carelog, entryHash);
    if (decided)
      return problem(
        'approval-already-decided',
        `Over deze urenregel is al besloten (${decided.decision === 'approved' ? 'akkoord' : 'afgewezen'}).`,
        409,
      );
    const party = partyOfKey(this.state.config, this.state.keys, signerKeyId);
    if (party?.kind !== 'person' || (party.role === 'client' && party.subject !== entry.subject))
      return problem('approval-not-client', 'Alleen de cliënt of haar gemachtigde kan uren goedkeuren.');
    return success(entry);
  }

  /** The approval statement for the client (or her delegate) to sign with her passkey. */
  draftApproval(
    entryHash: string,
    signerKeyId: string,
    decision: 'approved' | 'rejected',
    reason?: string,
  ): Outcome<Signable> {
    const checked = this.#checkApproval(entryHash, signerKeyId, decision, reason);
    if (!checked.ok) return checked;
    const statement = statementOf(
      {
        kind: KIND_CARELOG_APPROVAL,
        subject: checked.value.subject,
        body: {
          entry: entryHash,
          decision,
          ...(decision === 'rejected' ? { reason: reason as string } : {}),
        },
      },
      signerKeyId,
      this.#iat(),
    );
    const schema = checkSchema(statement);
    if (!schema.ok) return schema;
    return success({ statement, hash: hashOf(statement), challenge: challengeOf(statement) });
  }

  async submitApproval(value: unknown): Promise<Outcome<Logged>> {
    const envelope = validateSignedStatement(value);
    if (!envelope.ok) return problem('invalid-input', `Ongeldige verklaring: ${envelope.problem.text}`, 400);
    const { statement } = envelope.value;
    if (!isKind(statement, KIND_CARELOG_APPROVAL))
      return problem('statement-mismatch', 'Dit is geen akkoord (carelog.approval).', 400);
    const { entry, decision, reason } = statement.body;
    const checked = this.#checkApproval(entry, statement.author, decision, reason);
    if (!checked.ok) return checked;
    if (statement.subject !== checked.value.subject)
      return problem('statement-mismatch', 'Het akkoord is voor een andere cliënt dan de urenregel.', 422);
    return this.#append(envelope.value);
  }

  // --- views ---

  entryView(entry: CareEntryRecord): EntryView {
    const decision = approvalOf(this.state.carelog, entry.hash);
    const supersedes = this.files.correctionOf(entry.hash);
    const supersededBy = this.files.supersededBy(entry.hash);
    const declaration = this.files.declarationOf(entry.hash);
    const carer = partyIdOf(this.state, entry.author);
    return {
      ...entry,
      status: careEntryStatus(this.state.carelog, this.files, entry.hash),
      ...(decision?.reason === undefined ? {} : { reason: decision.reason }),
      ...(supersedes === undefined ? {} : { supersedes }),
      ...(supersededBy === undefined ? {} : { supersededBy }),
      ...(declaration === undefined ? {} : { declaration }),
      ...(carer === undefined ? {} : { carer }),
      ...(decision === undefined
        ? {}
        : { approval: { hash: decision.hash, at: decision.at, author: decision.author } }),
    };
  }

  /** Every entry of one indication (one client's care period), in visit order. */
  entries(indication: string): EntryView[] {
    return this.#entriesOf(indication)
      .map((e) => this.entryView(e))
      .sort(byVisit);
  }

  /** Every entry a carer logged (any client), in visit order. */
  carerEntries(carer: string): EntryView[] {
    return [...this.state.carelog.entries.values()]
      .map((e) => this.entryView(e))
      .filter((e) => e.carer === carer)
      .sort(byVisit);
  }

  // --- insurer and declarations ---

  /**
   * Approved entries of the insurer's clients who granted it consent for billing, each with its
   * receipts once final.
   */
  async insurerEntries(insurer: string): Promise<ReceiptedEntry[]> {
    const receipts = this.#options.receipts;
    const out: ReceiptedEntry[] = [];
    for (const entry of this.#approvedFor(insurer)) {
      const view = this.entryView(entry);
      const entryReceipt = await receipts?.(entry.at);
      const approvalReceipt = view.approval ? await receipts?.(view.approval.at) : undefined;
      out.push({
        entry: view,
        ...(entryReceipt === undefined ? {} : { entryReceipt }),
        ...(approvalReceipt === undefined ? {} : { approvalReceipt }),
      });
    }
    return out;
  }

  #approvedFor(insurer: string): CareEntryRecord[] {
    return [...this.state.carelog.entries.values()]
      .filter(
        (e) =>
          careEntryStatus(this.state.carelog, this.files, e.hash) === 'approved' &&
          this.state.insurerConsented(e.subject, insurer, BILLING_CONSENT),
      )
      .sort(byVisit);
  }

  /**
   * Declares the approved, not yet declared entries of the insurer's clients: one declaration per
   * client per care period (indication). Idempotent: entries already declared are never declared
   * again, so a repeated call declares nothing new. `only` limits it to named entries, each of
   * which must be approved.
   */
  async declare(insurer: string, only?: readonly string[]): Promise<Outcome<Declaration[]>> {
    const approved = this.#approvedFor(insurer);
    if (only !== undefined) {
      for (const hash of only) {
        const entry = this.state.carelog.entries.get(hash);
        if (!entry) return problem('entry-unknown', `Urenregel ${hash} is onbekend.`, 404);
        if (!approved.some((e) => e.hash === hash))
          return problem(
            'entry-not-approved',
            'Alleen uren waarvoor de cliënt akkoord gaf, kunnen worden gedeclareerd.',
          );
        if (this.files.declarationOf(hash) !== undefined)
          return problem('entry-already-declared', 'Deze urenregel is al gedeclareerd.', 409);
      }
    }
    const open = approved.filter(
      (e) => this.files.declarationOf(e.hash) === undefined && (only === undefined || only.includes(e.hash)),
    );
    const byIndication = new Map<string, CareEntryRecord[]>();
    for (const entry of open)
      byIndication.set(entry.indication, [...(byIndication.get(entry.indication) ?? []), entry]);
    const created: Declaration[] = [];
    const saves: (void | Promise<void>)[] = [];
    for (const [indication, entries] of byIndication) {
      const hashes = entries.map((e) => e.hash);
      const declaration: Declaration = {
        id: `decl-${sha256Hex(JSON.stringify([insurer, indication, hashes])).slice(0, 24)}`,
        insurer,
        subject: entries[0]!.subject, // grouped from open entries: one at least
        indication,
        entries: hashes,
        minutes: entries.reduce((sum, e) => sum + e.minutes, 0),
        created: new Date(this.#now()).toISOString(),
        paymentStatus: 'ingediend',
      };
      // Saved before any await, so a concurrent call finds these entries declared.
      saves.push(this.files.saveDeclaration(declaration));
      created.push(declaration);
    }
    await Promise.all(saves);
    return success(created);
  }

  async setPaymentStatus(insurer: string, id: string, status: PaymentStatus): Promise<Outcome<Declaration>> {
    const declaration = this.files.declaration(id);
    if (!declaration || declaration.insurer !== insurer)
      return problem('declaration-unknown', `Declaratie ${id} is onbekend.`, 404);
    const updated = { ...declaration, paymentStatus: status };
    await this.files.saveDeclaration(updated);
    return success(updated);
  }
}

function partyIdOf(state: CarelogStateView, keyId: string): string | undefined {
  const party = partyOfKey(state.config, state.keys, keyId);
  return party?.kind === 'professional' ? party.id : undefined;
}

/** In visit order: date, start time, then position on the log (a correction after what it corrects). */
function byVisit(a: CareEntryRecord, b: CareEntryRecord): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return minutesOfTime(a.start) - minutesOfTime(b.start) || comparePositions(a.at, b.at);
}
