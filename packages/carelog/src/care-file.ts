// The care organisation's own record of an indication (registratie aan de bron): what must not go
// on the logbook — the birth date, the package, the assigned carers, why the budget changed, which
// entry corrects which — and the declarations made from approved entries.
import type { CarePackage } from './care-protocol.ts';

/** Why a version of the indication was made: the first indication, or a re-indication. */
export type BudgetReason = 'indicatie' | 'verloskundige' | 'ziekenhuisopname' | 'overig';

export interface BudgetNote {
  /** Hash of the carelog.indication version this note explains. */
  readonly version: string;
  readonly reason: BudgetReason;
  /** Free text from the care organisation (kept at the source, never on the log). */
  readonly note?: string;
}

export interface CareFile {
  readonly indication: string;
  /** The client's pseudonym. */
  readonly subject: string;
  /** `ura:<URA>` of the kraamzorg organisation. */
  readonly provider: string;
  readonly birthDate: string;
  readonly carePackage: CarePackage;
  /** Professional ids (`pro:…`) of the carers assigned to this client. */
  readonly carers: readonly string[];
  readonly notes: readonly BudgetNote[];
}

export type PaymentStatus = 'ingediend' | 'goedgekeurd' | 'afgewezen' | 'betaald';
export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'ingediend',
  'goedgekeurd',
  'afgewezen',
  'betaald',
];

export interface Declaration {
  readonly id: string;
  /** `ura:<URA>` of the insurer. */
  readonly insurer: string;
  readonly subject: string;
  readonly indication: string;
  /** Entry hashes, each approved by the client when declared. */
  readonly entries: readonly string[];
  readonly minutes: number;
  /** ISO timestamp. */
  readonly created: string;
  readonly paymentStatus: PaymentStatus;
}

/**
 * Where the care organisation keeps its care files, corrections and declarations. Reads are
 * synchronous (the views read many); a save updates what reads see at once and resolves when the
 * change is durable, so callers await it before they answer.
 */
export interface CareFiles {
  file(indication: string): CareFile | undefined;
  files(): readonly CareFile[];
  saveFile(file: CareFile): void | Promise<void>;
  /** The rejected entry a corrected entry supersedes, by the corrected entry's hash. */
  correctionOf(entry: string): string | undefined;
  /** The corrected entry that supersedes a rejected one, by the rejected entry's hash. */
  supersededBy(entry: string): string | undefined;
  saveCorrection(corrected: string, rejected: string): void | Promise<void>;
  declarationOf(entry: string): string | undefined;
  declaration(id: string): Declaration | undefined;
  declarations(insurer?: string): readonly Declaration[];
  /** Saves a new declaration, or the new payment status of a saved one. */
  saveDeclaration(declaration: Declaration): void | Promise<void>;
}

/** CareFiles held in memory, for one node process or a test. */
export class MemoryCareFiles implements CareFiles {
  readonly #files = new Map<string, CareFile>();
  readonly #corrections = new Map<string, string>();
  readonly #superseded = new Map<string, string>();
  readonly #declarations = new Map<string, Declaration>();
  readonly #declared = new Map<string, string>();

  file(indication: string): CareFile | undefined {
    return this.#files.get(indication);
  }
  files(): readonly CareFile[] {
    return [...this.#files.values()];
  }
  saveFile(file: CareFile): void {
    this.#files.set(file.indication, file);
  }
  correctionOf(entry: string): string | undefined {
    return this.#corrections.get(entry);
  }
  supersededBy(entry: string): string | undefined {
    return this.#superseded.get(entry);
  }
  saveCorrection(corrected: string, rejected: string): void {
    this.#corrections.set(corrected, rejected);
    this.#superseded.set(rejected, corrected);
  }
  declarationOf(entry: string): string | undefined {
    return this.#declared.get(entry);
  }
  declaration(id: string): Declaration | undefined {
    return this.#declarations.get(id);
  }
  declarations(insurer?: string): readonly Declaration[] {
    return [...this.#declarations.values()].filter((d) => insurer === undefined || d.insurer === insurer);
  }
  saveDeclaration(declaration: Declaration): void {
    this.#declarations.set(declaration.id, declaration);
    for (const entry of declaration.entries) this.#declared.set(entry, declaration.id);
  }
}
