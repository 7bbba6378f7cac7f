// `analysis.run`: a run under a complete agreement, with the digest of its output, signed by
// every party that computed it. Folds into the analysis register (state/analysis.ts).
import { KIND_ANALYSIS_RUN, type StatementOf } from '@ketenlog/logbook';
import { agreementStatus, type AnalysisRegister } from '../state/analysis.ts';
import { setEarliest, type EntryPosition } from '../state/position.ts';
import { refuse, signersAreParties, type RegionKind } from './kind.ts';

export type RunStatement = StatementOf<typeof KIND_ANALYSIS_RUN>;

export function applyRun(
  register: AnalysisRegister,
  statement: RunStatement,
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

export const analysisRunKind: RegionKind<typeof KIND_ANALYSIS_RUN> = {
  kind: KIND_ANALYSIS_RUN,
  multiParty: true,
  judged: true,
  judge(ctx, s) {
    const status = agreementStatus(ctx.state, s.body.agreement);
    if (!status) return refuse(`run under unknown agreement ${s.body.agreement}`);
    if (!status.complete) return refuse(`agreement ${s.body.agreement} is not signed by every party`);
    if (status.terms.specHash !== s.body.specHash)
      return refuse(`run's spec hash is not the one agreed in ${s.body.agreement}`);
    const stranger = s.body.parties.find((p) => !status.terms.parties.includes(p));
    if (stranger) return refuse(`run party ${stranger} is not a party to ${s.body.agreement}`);
    const until = status.terms.validUntil;
    if (until !== undefined && s.iat >= Date.parse(`${until}T00:00:00Z`) / 1000 + 86_400)
      return refuse(`agreement ${s.body.agreement} expired on ${until}`);
    return signersAreParties(ctx, s.body.parties);
  },
  fold: (state, s, fact) => applyRun(state.analysis, s, fact.hash, fact.at, fact.signers),
  // k1 the agreement.
  lookup: (s) => [s.body.agreement, null, null],
};
