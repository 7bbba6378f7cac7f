// The localisation index (DESIGN.md "Exchange" step 1): which organisations hold which
// categories for a pseudonym, folded from `index` statements (kinds/localisation-index.ts).

/** pseudonym → holder (`ura:<URA>`) → categories. */
export type LocalisationIndex = Map<string, Map<string, Set<string>>>;

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
