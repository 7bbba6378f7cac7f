// An in-memory cache of a log's entries for serving `entry/<index>`: entries never change once
// stored, so whole tlog entry bundles (256 entries, one range read) are kept, least recently used
// out first. Entries in the incomplete rightmost bundle are read one by one.
import type { SqlLogStore } from './log-store.ts';

const BUNDLE = 256;

export interface EntryCacheOptions {
  /**
   * Full bundles kept in memory (256 entries each). Default 0, off: a cache smaller than the set of
   * bundles being asked for only costs (each miss reads 256 entries), so size it to hold the log.
   */
  readonly entryBundles?: number;
}

export class EntryCache {
  readonly #store: SqlLogStore;
  readonly #max: number;
  readonly #bundles = new Map<number, readonly Uint8Array[]>();
  #storedEntries = 0;

  constructor(store: SqlLogStore, options: EntryCacheOptions = {}) {
    this.#store = store;
    this.#max = options.entryBundles ?? 0;
  }

  /** Tells the cache that a checkpoint covers `size` entries: bundles below it are complete. */
  noteSize(size: number): void {
    if (size > this.#storedEntries) this.#storedEntries = size;
  }

  /** Entry `index`, or undefined when it is not stored. */
  async entry(index: number): Promise<Uint8Array | undefined> {
    const bundle = Math.floor(index / BUNDLE);
    if (this.#max === 0 || (bundle + 1) * BUNDLE > this.#storedEntries) return this.#store.readEntry(index);
    let entries = this.#bundles.get(bundle);
    if (entries) {
      this.#bundles.delete(bundle);
    } else {
      const rows = await this.#store.readEntries(bundle * BUNDLE, (bundle + 1) * BUNDLE);
      if (rows.length !== BUNDLE) return this.#store.readEntry(index);
      entries = rows.map((r) => r.entry);
      if (this.#bundles.size >= this.#max) this.#bundles.delete(this.#bundles.keys().next().value as number);
    }
    this.#bundles.set(bundle, entries);
    return entries[index - bundle * BUNDLE];
  }
}
