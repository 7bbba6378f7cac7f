// An in-memory cache of a log's tree nodes for serving proofs. Perfect-subtree hashes never change
// once stored, so caching them is always safe. Nodes below level 8 are cached a whole tlog tile at
// a time (a tile's 256 leaf hashes and the 255 nodes above them: one range read per level, 16 KiB),
// because random proof requests touch few nodes per tile; the tiles' memory is a budget shared by
// the logs of a node (./tile-budget.ts). Nodes at level 8 and up, and those in
// the incomplete rightmost tile, are few and cached one by one. A node of the incomplete tile is
// dropped when its tile completes (from then on the tile serves it): kept, they piled up with the
// log (the region soak's heap grew by ~1,600 of them a minute per region, issue 9).
import { readInclusionProof, type Hash, type NodeId, type TreeStore } from '../merkle.ts';
import { LogStoreError, type SqlLogStore } from './log-store.ts';
import { TileBudget } from './tile-budget.ts';

const TILE_HEIGHT = 8;
const TILE_WIDTH = 256;
const HASH = 32;
/** Bound on nodes at level 8 and up cached one by one (about 300 bytes each with key and buffer). */
const MAX_SINGLE_NODES = 20_000;

export interface NodeCacheOptions {
  /** Where full tiles are kept, shared with the node's other logs; default: 64 MiB for this log alone. */
  readonly tileBudget?: TileBudget;
}

/** One level of a loaded tile (a tile holds TILE_HEIGHT levels, level 0 its leaves' hashes). */
function levelOf(levels: readonly Uint8Array[], level: number): Uint8Array {
  const hashes = levels[level];
  if (!hashes) throw new LogStoreError(`log store: a tile has no level ${level}`);
  return hashes;
}

export class NodeCache implements TreeStore {
  readonly #store: SqlLogStore;
  /** Tile index → per level 0..7, that level's hashes within the tile, concatenated. */
  readonly #tiles: TileBudget;
  /** This log's number in #tiles. */
  readonly #log: number;
  readonly #loading = new Map<number, Promise<readonly Uint8Array[]>>();
  /** Nodes at level 8 and up, one by one. */
  readonly #nodes = new Map<string, Hash>();
  /** Tile index → nodes below level 8 of that still incomplete tile, one by one. */
  readonly #partial = new Map<number, Map<string, Hash>>();
  /** Per full tile, the part of its entries' inclusion proofs above the tile, for #proofSize. */
  #upperProofs = new Map<number, readonly Hash[]>();
  #proofSize = -1;
  /** Leaves known to be stored (a checkpoint covered them), so which tiles are complete. */
  #storedLeaves = 0;

  constructor(store: SqlLogStore, options: NodeCacheOptions = {}) {
    this.#store = store;
    this.#tiles = options.tileBudget ?? new TileBudget();
    this.#log = this.#tiles.register();
  }

  /** Tells the cache that a checkpoint covers `size` leaves: tiles below it are complete. */
  noteSize(size: number): void {
    if (size <= this.#storedLeaves) return;
    this.#storedLeaves = size;
    const complete = Math.floor(size / TILE_WIDTH);
    for (const tile of this.#partial.keys()) if (tile < complete) this.#partial.delete(tile);
  }

  /** Nodes cached one by one (the tiles are counted by their budget). */
  get singleNodes(): number {
    let nodes = this.#nodes.size;
    for (const partial of this.#partial.values()) nodes += partial.size;
    return nodes;
  }

  /** Where node `level/index` is kept one by one: by level, or with its incomplete tile. */
  #singles(level: number, tile: number): Map<string, Hash> {
    if (level >= TILE_HEIGHT) return this.#nodes;
    let partial = this.#partial.get(tile);
    if (!partial) this.#partial.set(tile, (partial = new Map()));
    return partial;
  }

  async #loadTile(tile: number): Promise<readonly Uint8Array[]> {
    const levels: Uint8Array[] = [];
    for (let level = 0; level < TILE_HEIGHT; level++) {
      const width = TILE_WIDTH >> level;
      const start = tile * width;
      const rows = await this.#store.readLevel(level, start, start + width);
      if (rows.length !== width)
        throw new LogStoreError(`log store: tile ${tile} is missing nodes at level ${level}`);
      const hashes = new Uint8Array(width * HASH);
      rows.forEach((row, i) => {
        const hash = Buffer.from(row.hash, 'base64');
        if (row.index !== start + i || hash.length !== HASH) {
          throw new LogStoreError(`log store: node ${level}/${start + i} is missing or not a hash`);
        }
        hashes.set(hash, i * HASH);
      });
      levels.push(hashes);
    }
    return levels;
  }

  /** A cached tile, moved to the back of the eviction order (least recently used goes first). */
  #cached(tile: number): readonly Uint8Array[] | undefined {
    return this.#tiles.get(this.#log, tile);
  }

  async #load(tile: number): Promise<readonly Uint8Array[]> {
    let loading = this.#loading.get(tile);
    if (!loading) {
      loading = this.#loadTile(tile).finally(() => this.#loading.delete(tile));
      this.#loading.set(tile, loading);
    }
    const levels = await loading;
    this.#tiles.set(this.#log, tile, levels);
    return levels;
  }

  async readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]> {
    const result: (Hash | undefined)[] = new Array(ids.length);
    const missing: { at: number; id: NodeId }[] = [];
    for (const [i, id] of ids.entries()) {
      const { level, index } = id;
      const tile = Math.floor((index * 2 ** level) / TILE_WIDTH);
      if (level >= TILE_HEIGHT || (tile + 1) * TILE_WIDTH > this.#storedLeaves) {
        result[i] = (level >= TILE_HEIGHT ? this.#nodes : this.#partial.get(tile))?.get(`${level}/${index}`);
        if (!result[i]) missing.push({ at: i, id });
        continue;
      }
      // Synchronous when cached: a proof reads up to 8 nodes from one tile.
      const levels = this.#cached(tile) ?? (await this.#load(tile));
      const offset = (index - tile * (TILE_WIDTH >> level)) * HASH;
      result[i] = levelOf(levels, level).subarray(offset, offset + HASH);
    }
    if (missing.length > 0) {
      const read = await this.#store.readNodes(missing.map(({ id }) => id));
      missing.forEach(({ at, id: { level, index } }, k) => {
        const hash = read[k];
        if (!hash) throw new LogStoreError(`log store: node ${level}/${index} is missing`);
        result[at] = hash;
        const singles = this.#singles(level, Math.floor((index * 2 ** level) / TILE_WIDTH));
        if (singles.size >= MAX_SINGLE_NODES) singles.clear();
        singles.set(`${level}/${index}`, hash);
      });
    }
    return result as Hash[];
  }

  /**
   * RFC 9162 §2.1.3.1 inclusion proof of `index` in the tree of `size`. For an entry in a full tile
   * the proof is the 8 siblings inside the tile (bottom-up) followed by the path of the tile's own
   * subtree, which all 256 entries of the tile share: that part is computed once per tile and size.
   */
  async inclusionProof(index: number, size: number): Promise<Hash[]> {
    const tile = Math.floor(index / TILE_WIDTH);
    if ((tile + 1) * TILE_WIDTH > Math.min(size, this.#storedLeaves))
      return readInclusionProof(index, size, this);
    if (size !== this.#proofSize) {
      this.#upperProofs = new Map();
      this.#proofSize = size;
    }
    const upper = this.#upperProofs.get(tile);
    if (!upper) {
      const proof = await readInclusionProof(index, size, this);
      if (size === this.#proofSize) this.#upperProofs.set(tile, proof.slice(TILE_HEIGHT));
      return proof;
    }
    const levels = this.#cached(tile) ?? (await this.#load(tile));
    const proof: Hash[] = [];
    const offset = index - tile * TILE_WIDTH;
    for (let level = 0; level < TILE_HEIGHT; level++) {
      const sibling = ((offset >> level) ^ 1) * HASH;
      proof.push(levelOf(levels, level).subarray(sibling, sibling + HASH));
    }
    for (const hash of upper) proof.push(hash);
    return proof;
  }
}
