/**
 * "Before": a node runs only a spec whose hash is in a valid agreement it signed (per the region's
 * analysis fold); consent filtering at the source with the count left out; and the
 * `analysis.run` statement body with the output digest ("after"). Hashes are base64 SHA-256 over
 * the logbook's JCS canonical JSON, as KIND_RULES expects.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Json, KIND_ANALYSIS_RUN } from '@ketenlog/logbook';
import { agreementVersion, type AgreementTerms, type AnalysisRegister } from '@ketenlog/region';

export function digestOf(value: Json): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64');
}

/** End of validity in ms: a bare date (the statement's form) is valid through that whole day (UTC). */
export function validThrough(until: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(until)
    ? Date.parse(`${until}T00:00:00Z`) + 86_400_000
    : Date.parse(until);
}

export type RunRefusal =
  | { readonly reason: 'no-agreement' }
  | { readonly reason: 'spec-hash-differs'; readonly agreed: string; readonly actual: string }
  | { readonly reason: 'not-signed-by-this-node' }
  | { readonly reason: 'expired'; readonly validUntil: string };

export type RunAuthorization =
  | { readonly ok: true; readonly terms: AgreementTerms; readonly specHash: string }
  | ({ readonly ok: false } & RunRefusal);

export function authorizeRun(o: {
  readonly register: AnalysisRegister;
  readonly agreement: string;
  readonly spec: Json;
  /** key IDs of this node's statement keys */
  readonly myKeyIds: readonly string[];
  readonly now: Date;
}): RunAuthorization {
  const version = agreementVersion(o.register, o.agreement);
  if (!version) return { ok: false, reason: 'no-agreement' };
  const specHash = digestOf(o.spec);
  if (version.terms.specHash !== specHash)
    return { ok: false, reason: 'spec-hash-differs', agreed: version.terms.specHash, actual: specHash };
  const signed = [...version.signings.values()].some((s) =>
    s.signerKeyIds.some((k) => o.myKeyIds.includes(k)),
  );
  if (!signed) return { ok: false, reason: 'not-signed-by-this-node' };
  const until = version.terms.validUntil;
  if (until !== undefined && !(validThrough(until) > o.now.getTime()))
    return { ok: false, reason: 'expired', validUntil: until };
  return { ok: true, terms: version.terms, specHash };
}

/** Apply the consent predicate before anything is shared; report how many records were left out. */
export function consentFilter<R>(
  records: readonly R[],
  allows: (r: R) => boolean,
): { kept: R[]; leftOut: number } {
  const kept = records.filter((r) => allows(r));
  return { kept, leftOut: records.length - kept.length };
}

/** The body of the `analysis.run` statement every party signs before the result is released. */
export function analysisRunDraft(terms: AgreementTerms, specHash: string, output: Json) {
  return {
    kind: KIND_ANALYSIS_RUN,
    body: {
      agreement: terms.agreement,
      specHash,
      outputDigest: digestOf(output),
      parties: [...terms.parties],
    },
  };
}
