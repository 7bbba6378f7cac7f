// `access`: NEN 7513, who read (or was refused) which category of whose data, for which purpose.
// Folds into the access trail (state/access-trail.ts), sorted by position so every node shows the
// client the same list.
import { KIND_ACCESS, type StatementOf } from '@ketenlog/logbook';
import type { AccessTrail } from '../state/access-trail.ts';
import { insertByPosition, type EntryPosition } from '../state/position.ts';
import { isMember, OK, refuse, type RegionKind } from './kind.ts';

export type AccessStatement = StatementOf<typeof KIND_ACCESS>;

export function applyAccess(
  trail: AccessTrail,
  statement: AccessStatement,
  hash: string,
  at: EntryPosition,
): void {
  const subject = statement.subject as string;
  const list = trail.get(subject) ?? [];
  trail.set(subject, list);
  const {
    accessor,
    organisation,
    role,
    category,
    purpose,
    outcome,
    breakTheGlass,
    reason,
    reasonCommitment,
  } = statement.body;
  insertByPosition(list, {
    hash,
    at,
    accessor,
    organisation,
    role,
    category,
    purpose,
    breakTheGlass: breakTheGlass ?? false,
    recordedBy: statement.author,
    ...(outcome === undefined ? {} : { outcome }),
    ...(reason === undefined ? {} : { reason }),
    ...(reasonCommitment === undefined ? {} : { reasonCommitment }),
  });
}

export const accessKind: RegionKind<typeof KIND_ACCESS> = {
  kind: KIND_ACCESS,
  multiParty: false,
  // No witness rule reads the access trail: a judging state may leave it out.
  judged: false,
  judge: (ctx, s) =>
    isMember(ctx.config, s.body.organisation)
      ? OK
      : refuse(`accessing organisation ${s.body.organisation} is not a member`),
  fold: (state, s, fact) => applyAccess(state.access, s, fact.hash, fact.at),
  // k1 the client.
  lookup: (s) => [s.subject ?? null, null, null],
};
