// One memory budget for the full tiles a node keeps to serve proofs (./node-cache.ts), shared by
// its own log and every log it mirrors. A bound per log grows with the region: 64 MiB a log was
// 640 MiB for a node in a region of ten, and the demo region runs ten such nodes in one process.
// The least recently used tile goes first, whichever log it belongs to.

/** A full tile's levels 0..7 in memory: 256 + 128 + … + 2 hashes of 32 bytes. */
export const TILE_BYTES = 510 * 32;

/** The default: 4,096 tiles, enough for the proofs of a 1M-entry log. */
export const DEFAULT_TILE_BUDGET_BYTES = 64 * 2 ** 20;

/** Keys are `log * 2^32 + tile`: exact as long as logs stay below 2^21 and tiles below 2^32. */
const LOG_STRIDE = 2 ** 32;

export class TileBudget {
  readonly maxBytes: number;
  /** Tiles of every log, in order of use: least recently used first. */
  readonly #tiles = new Map<number, readonly Uint8Array[]>();
  #logs = 0;

  constructor(maxBytes = DEFAULT_TILE_BUDGET_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** A number for one log's tiles within this budget. */
  register(): number {
    return this.#logs++;
  }

  /** Bytes held for all logs together; never above `maxBytes`. */
  get bytes(): number {
    return this.#tiles.size * TILE_BYTES;
  }

  /** A tile of log `log` when held, moved to the back of the eviction order. */
  get(log: number, tile: number): readonly Uint8Array[] | undefined {
    const key = log * LOG_STRIDE + tile;
    const levels = this.#tiles.get(key);
    if (levels) {
      this.#tiles.delete(key);
      this.#tiles.set(key, levels);
    }
    return levels;
  }

  /** Holds a tile, first evicting the least recently used tiles of any log to stay within budget. */
  set(log: number, tile: number, levels: readonly Uint8Array[]): void {
    const key = log * LOG_STRIDE + tile;
    this.#tiles.delete(key);
    if (TILE_BYTES > this.maxBytes) return;
    while (this.bytes + TILE_BYTES > this.maxBytes) {
      this.#tiles.delete(this.#tiles.keys().next().value as number);
    }
    this.#tiles.set(key, levels);
  }
}
