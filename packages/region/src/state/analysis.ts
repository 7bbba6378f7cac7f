// Analysis agreements and runs (DESIGN.md "Analytics"), folded from `agreement` and `analysis.run`
// statements (kinds/agreement.ts, kinds/analysis-run.ts). Parties sign an agreement either
// together in one envelope or each in their own statement with the same terms; signers are kept
// as key IDs and resolved to parties when asked. Should two statements give one agreement id
// different terms, the terms of the earliest (by position) are the agreement.
import { canonicalJson, type AgreementBody } from '@ketenlog/logbook';
import { organisationRef } from '../config/region-config.ts';
import { organisationOfKey } from './keys.ts';
import { comparePositions, type EntryPosition, type Positioned } from './position.ts';
import type { AnalyticsStateView } from './views.ts';

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

export function termsOf(body: AgreementBody): AgreementTerms {
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

function firstAt(version: AgreementVersion): EntryPosition {
  const [first] = [...version.signings.values()].map((s) => s.at).sort(comparePositions);
  // A version exists only once a signing of its terms has been recorded (kinds/agreement.ts).
  if (!first) throw new Error('agreement version without a signing');
  return first;
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

export interface AgreementStatus {
  readonly terms: AgreementTerms;
  /** Parties (`ura:<URA>`) whose node or professional signed these terms, sorted. */
  readonly signedBy: readonly string[];
  /** Every party signed. */
  readonly complete: boolean;
}

/** An agreement's terms and which parties signed them (their keys resolved in the key register). */
export function agreementStatus(state: AnalyticsStateView, agreement: string): AgreementStatus | undefined {
  const version = agreementVersion(state.analysis, agreement);
  if (!version) return undefined;
  const signedBy = new Set<string>();
  for (const signing of version.signings.values()) {
    for (const keyId of signing.signerKeyIds) {
      const org = organisationOfKey(state.config, state.keys, keyId);
      if (org && version.terms.parties.includes(organisationRef(org.ura)))
        signedBy.add(organisationRef(org.ura));
    }
  }
  const sorted = [...signedBy].sort();
  return { terms: version.terms, signedBy: sorted, complete: sorted.length === version.terms.parties.length };
}
