// `index`: organisation X holds category Y for client Z (DESIGN.md "Exchange" step 1). Folds into
// the localisation index (state/localisation.ts) as a set union, so order never matters.
import { KIND_INDEX, type StatementOf } from '@ketenlog/logbook';
import { organisationRef } from '../config/region-config.ts';
import type { LocalisationIndex } from '../state/localisation.ts';
import { OK, refuse, type RegionKind } from './kind.ts';

export type IndexStatement = StatementOf<typeof KIND_INDEX>;

export function applyIndexStatement(index: LocalisationIndex, statement: IndexStatement): void {
  const subject = statement.subject as string;
  const holders = index.get(subject) ?? new Map<string, Set<string>>();
  index.set(subject, holders);
  const categories = holders.get(statement.body.holder) ?? new Set<string>();
  holders.set(statement.body.holder, categories);
  categories.add(statement.body.category);
}

export const localisationIndexKind: RegionKind<typeof KIND_INDEX> = {
  kind: KIND_INDEX,
  multiParty: false,
  // No witness rule reads the index: a judging state may leave it out (most of the volume).
  judged: false,
  judge(ctx, s) {
    const own = organisationRef(ctx.logOwner.ura);
    return s.body.holder === own
      ? OK
      : refuse(`an organisation indexes only its own records (holder must be ${own})`);
  },
  fold: (state, s) => applyIndexStatement(state.index, s),
  // k1 the client, k2 the holder (so a holder's clients are read from the index alone).
  lookup: (s) => [s.subject ?? null, s.body.holder, null],
};
