// What an analysis run needs of the node it runs at, as interfaces this package defines: the
// node's membership of the region (its organisation and statement key), its logbook (the region's
// state, appends), and its study inputs (its own records, read from its own FHIR store by region
// pseudonym). The node (packages/node/src/analytics) implements them and wires them in.
import type { SignedStatement } from '@ketenlog/logbook';
import type { Organisation, RegionConfig, RegionState } from '@ketenlog/region';
import type { Result } from '@ketenlog/problem';
import type { PsiOwnList } from '../linkage/psi.ts';
import type { StudyRole } from '../study/study-parties.ts';

/** This node in the region: who it is and the key it signs statements with. */
export interface AnalyticsMember {
  readonly region: RegionConfig;
  readonly organisation: Organisation;
  /** This node's log origin (checkpoint origin line). */
  readonly origin: string;
  readonly statementKey: { readonly keyId: string; readonly secretKey: Uint8Array };
}

/** A statement's place on this node's log; a refusal is 400 (malformed) or 422 (a region rule). */
export type Logged = Result<{ readonly index: number }>;

/** The node's logbook as analytics uses it. */
export interface AnalyticsLogbook {
  /** The region's state, folded from every log the node holds. Read it; do not change it. */
  readonly state: RegionState;
  /** Appends a statement signed here, judged by the region's rules. */
  append(envelope: SignedStatement): Promise<Logged>;
  /** Validates an envelope from outside (400 when malformed), then appends it. */
  submit(value: unknown): Promise<Logged>;
  /** Catches this node's mirrors of the other members' logs up now. */
  syncMirrors(): Promise<void>;
}

/** What a party brings to a run. */
export interface PartyInputs {
  /**
   * This party's list for the linkage: its consented records by pseudonym with its columns in the
   * spec's order, padded with dummy pseudonyms (zeros in every column) to at least the size of the
   * cohort domain, so that the list's size — public in the linkage — says nothing.
   */
  readonly own: PsiOwnList;
  /** Records left out because the client objected to research. */
  readonly leftOut: number;
}

/** The node's own records for a study ("registratie aan de bron"). */
export interface StudyInputs {
  /**
   * This party's inputs as `role`, padded to at least `padTo` records. Throws a ProblemError when
   * the node cannot read them (409 when the region has no pseudonym service).
   */
  read(role: StudyRole, padTo: number): Promise<PartyInputs>;
}
