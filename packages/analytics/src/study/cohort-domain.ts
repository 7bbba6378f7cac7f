// The cohort domain of a study: the pseudonyms every party's list is padded to and aligned on.
import { holdersOf, type RegionState } from '@ketenlog/region';

/** Every pseudonym the insurer holds per the region's localisation index, sorted. */
export function cohortDomain(state: RegionState, insurer: string): string[] {
  return [...state.index.keys()]
    .filter((p) => holdersOf(state.index, p).some((h) => h.holder === insurer))
    .sort();
}
