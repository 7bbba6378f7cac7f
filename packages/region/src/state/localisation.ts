// The localisation index (DESIGN.md "Exchange" step 1): which organisations hold which
// categories for a pseudonym, from `index` statements. A set union, so order never matters.
import type { StatementOf } from '@ketenlog/logbook';

/** pseudonym → holder (`ura:<URA>`) → categories. */
export type LocalisationIndex = Map<string, Map<string, Set<string>>>;

export function applyIndexStatement(index: LocalisationIndex, statement: StatementOf<'index'>): void {
  const subject = statement.subject as string;
  const holders = index.get(subject) ?? new Map<string, Set<string>>();
  index.set(subject, holders);
  const categories = holders.get(statement.body.holder) ?? new Set<string>();
  holders.set(statement.body.holder, categories);
  categories.add(statement.body.category);
}

export interface Holding {
  readonly holder: string;
  readonly categories: readonly string[];
}

/** The holders of a pseudonym's records, sorted by holder, categories sorted. */
export function holdersOf(index: LocalisationIndex, pseudonym: string): Holding[] {
  const holders = index.get(pseudonym);
  if (!holders) return [];
  return [...holders]
    .map(([holder, categories]) => ({ holder, categories: [...categories].sort() }))
    .sort((a, b) => (a.holder < b.holder ? -1 : a.holder > b.holder ? 1 : 0));
}
