// Analysis agreements and runs (DESIGN.md "Analytics"). Parties sign an agreement either
// together in one envelope or each in their own statement with the same terms; signers are kept
// as key IDs and resolved to parties when asked. Should two statements give one agreement id
// different terms, the terms of the earliest (by position) are the agreement.
import { canonicalJson, type StatementOf } from '@ketenlog/logbook';
import { comparePositions, setEarliest, type EntryPosition, type Positioned } from './position.ts';

export interface AgreementTerms {
  readonly agreement: string;
  /** Sorted. */
  readonly parties: readonly string[];
  readonly purpose: string;
  readonly specHash: string;
  readonly validUntil?: string;
}

export interface AgreementSigning extends Positioned {
  readonly signerKeyIds: readonly string[];
}

export interface AgreementVersion {
  readonly terms: AgreementTerms;
  /** statement hash → who signed it. */
  readonly signings: Map<string, AgreementSigning>;
}

export interface RunRecord extends Positioned {
  readonly agreement: string;
  readonly specHash: string;
  readonly outputDigest: string;
  readonly parties: readonly string[];
  readonly signerKeyIds: readonly string[];
}

export interface AnalysisRegister {
  /** agreement id → canonical terms → version. */
  readonly agreements: Map<string, Map<string, AgreementVersion>>;
  /** run statement hash → run. */
  readonly runs: Map<string, RunRecord>;
}

export function emptyAnalysis(): AnalysisRegister {
  return { agreements: new Map(), runs: new Map() };
}

export function termsOf(body: StatementOf<'agreement'>['body']): AgreementTerms {
  return {
    agreement: body.agreement,
    parties: [...body.parties].sort(),
    purpose: body.purpose,
    specHash: body.specHash,
    ...(body.validUntil === undefined ? {} : { validUntil: body.validUntil }),
  };
}

export function termsKey(terms: AgreementTerms): string {
  return canonicalJson(terms as unknown as Parameters<typeof canonicalJson>[0]);
}

export function applyAgreement(
  register: AnalysisRegister,
  statement: StatementOf<'agreement'>,
  hash: string,
  at: EntryPosition,
  signerKeyIds: readonly string[],
): void {
  const terms = termsOf(statement.body);
  const versions = register.agreements.get(terms.agreement) ?? new Map<string, AgreementVersion>();
  register.agreements.set(terms.agreement, versions);
  const key = termsKey(terms);
  const version = versions.get(key) ?? { terms, signings: new Map() };
  versions.set(key, version);
  setEarliest(version.signings, hash, { hash, at, signerKeyIds: [...signerKeyIds].sort() });
}

export function applyRun(
  register: AnalysisRegister,
  statement: StatementOf<'analysis.run'>,
  hash: string,
  at: EntryPosition,
  signerKeyIds: readonly string[],
): void {
  const { agreement, specHash, outputDigest, parties } = statement.body;
  setEarliest(register.runs, hash, {
    hash,
    at,
    agreement,
    specHash,
    outputDigest,
    parties: [...parties].sort(),
    signerKeyIds: [...signerKeyIds].sort(),
  });
}

function firstAt(version: AgreementVersion): EntryPosition {
  return [...version.signings.values()].map((s) => s.at).sort(comparePositions)[0];
}

/** The version whose first statement came earliest; later conflicting terms are ignored. */
export function agreementVersion(
  register: AnalysisRegister,
  agreement: string,
): AgreementVersion | undefined {
  const versions = [...(register.agreements.get(agreement)?.values() ?? [])];
  return versions.sort((a, b) => comparePositions(firstAt(a), firstAt(b)))[0];
}

/** Runs under an agreement, sorted by position. */
export function runsOf(register: AnalysisRegister, agreement: string): RunRecord[] {
  return [...register.runs.values()]
    .filter((r) => r.agreement === agreement)
    .sort((a, b) => comparePositions(a.at, b.at));
}
