// `carelog.approval`: the client's (or her delegate's) decision on a care entry, cited by the
// entry's hash. Folds into Mijn Zorg Log (state/carelog.ts); the first decision by position stands.
import { KIND_CARELOG_APPROVAL, type StatementOf } from '@ketenlog/logbook';
import { approvalOf, type Carelog } from '../state/carelog.ts';
import { insertByPosition, type Positioned } from '../state/position.ts';
import { OK, refuse, type RegionKind } from './kind.ts';

export type ApprovalStatement = StatementOf<typeof KIND_CARELOG_APPROVAL>;

export function applyApproval(
  carelog: Carelog,
  statement: ApprovalStatement,
  hash: string,
  at: Positioned['at'],
): void {
  const { entry, decision, reason } = statement.body;
  const list = carelog.approvals.get(entry) ?? [];
  carelog.approvals.set(entry, list);
  insertByPosition(list, {
    hash,
    at,
    entry,
    subject: statement.subject as string,
    decision,
    author: statement.author,
    ...(reason === undefined ? {} : { reason }),
  });
}

export const carelogApprovalKind: RegionKind<typeof KIND_CARELOG_APPROVAL> = {
  kind: KIND_CARELOG_APPROVAL,
  multiParty: false,
  judged: true,
  judge(ctx, s) {
    const entry = ctx.state.carelog.entries.get(s.body.entry);
    if (!entry) return refuse(`approval of unknown entry ${s.body.entry}`);
    if (entry.subject !== s.subject) return refuse(`entry ${s.body.entry} is not this client's`);
    const decided = approvalOf(ctx.state.carelog, s.body.entry);
    if (decided) return refuse(`entry ${s.body.entry} is already ${decided.decision}`);
    return OK;
  },
  fold: (state, s, fact) => applyApproval(state.carelog, s, fact.hash, fact.at),
  // k1 the entry's hash, k3 the client.
  lookup: (s) => [s.body.entry, null, s.subject ?? null],
};
