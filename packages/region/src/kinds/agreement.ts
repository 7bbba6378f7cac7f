// `agreement`: an analysis agreement's terms, signed by its parties — together in one envelope
// or each in a statement of its own with the same terms. Folds into the analysis register
// (state/analysis.ts), signers kept as key IDs and resolved to parties when asked.
import { KIND_AGREEMENT, type StatementOf } from '@ketenlog/logbook';
import {
  agreementVersion,
  termsKey,
  termsOf,
  type AgreementVersion,
  type AnalysisRegister,
} from '../state/analysis.ts';
import { setEarliest, type EntryPosition } from '../state/position.ts';
import { isMember, OK, refuse, signersAreParties, type RegionKind } from './kind.ts';

export type AgreementStatement = StatementOf<typeof KIND_AGREEMENT>;

export function applyAgreement(
  register: AnalysisRegister,
  statement: AgreementStatement,
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

export const agreementKind: RegionKind<typeof KIND_AGREEMENT> = {
  kind: KIND_AGREEMENT,
  multiParty: true,
  judged: true,
  judge(ctx, s) {
    const stranger = s.body.parties.find((p) => !isMember(ctx.config, p));
    if (stranger) return refuse(`party ${stranger} is not a member organisation`);
    const signers = signersAreParties(ctx, s.body.parties);
    if (!signers.ok) return signers;
    const existing = agreementVersion(ctx.state.analysis, s.body.agreement);
    if (existing && termsKey(existing.terms) !== termsKey(termsOf(s.body)))
      return refuse(`agreement ${s.body.agreement} already has other terms`);
    return OK;
  },
  fold: (state, s, fact) => applyAgreement(state.analysis, s, fact.hash, fact.at, fact.signers),
  // k1 the agreement.
  lookup: (s) => [s.body.agreement, null, null],
};
