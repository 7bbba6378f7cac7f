// An in-memory cache of a log's tree nodes for serving proofs. Perfect-subtree hashes never change
// once stored, so caching them is always safe. Nodes below level 8 are cached a whole tlog tile at
// a time (a tile's 256 leaf hashes and the 255 nodes above them: one range read per level, 16 KiB),
// because random proof requests touch few nodes per tile; nodes at level 8 and up, and those in
// the incomplete rightmost tile, are few and cached one by one.
import { readInclusionProof, type Hash, type NodeId, type TreeStore } from '../merkle.ts';
import { LogStoreError, type SqlLogStore } from './log-store.ts';

const TILE_HEIGHT = 8;
const TILE_WIDTH = 256;
const HASH = 32;
/** Bound on nodes cached one by one (about 100 bytes each with their keys). */
const MAX_SINGLE_NODES = 20_000;

export interface NodeCacheOptions {
  /** Full tiles kept in memory, 16 KiB each; the default (4096, 64 MiB) holds a 1M-entry log. */
  readonly tiles?: number;
}

export class NodeCache implements TreeStore {
  readonly #store: SqlLogStore;
  readonly #maxTiles: number;
  /** Tile index → per level 0..7, that level's hashes within the tile, concatenated. */
  readonly #tiles = new Map<number, readonly Uint8Array[]>();
  readonly #loading = new Map<number, Promise<readonly Uint8Array[]>>();
  readonly #nodes = new Map<string, Hash>();
  /** Per full tile, the part of its entries' inclusion proofs above the tile, for #proofSize. */
  #upperProofs = new Map<number, readonly Hash[]>();
  #proofSize = -1;
  /** Leaves known to be stored (a checkpoint covered them), so which tiles are complete. */
  #storedLeaves = 0;

  constructor(store: SqlLogStore, options: NodeCacheOptions = {}) {
    this.#store = store;
    this.#maxTiles = options.tiles ?? 4096;
  }

  /** Tells the cache that a checkpoint covers `size` leaves: tiles below it are complete. */
  noteSize(size: number): void {
    if (size > this.#storedLeaves) this.#storedLeaves = size;
  }

  async #loadTile(tile: number): Promise<readonly Uint8Array[]> {
    const levels: Uint8Array[] = [];
    for (let level = 0; level < TILE_HEIGHT; level++) {
      const width = TILE_WIDTH >> level;
      const start = tile * width;
      const rows = await this.#store.readLevel(level, start, start + width);
      if (rows.length !== width) throw new LogStoreError(`log store: tile ${tile} is missing nodes at level ${level}`);
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
    const cached = this.#tiles.get(tile);
    if (cached) {
      this.#tiles.delete(tile);
      this.#tiles.set(tile, cached);
    }
    return cached;
  }

  async #load(tile: number): Promise<readonly Uint8Array[]> {
    let loading = this.#loading.get(tile);
    if (!loading) {
      loading = this.#loadTile(tile).finally(() => this.#loading.delete(tile));
      this.#loading.set(tile, loading);
    }
    const levels = await loading;
    if (this.#maxTiles > 0 && !this.#tiles.has(tile)) {
      if (this.#tiles.size >= this.#maxTiles) this.#tiles.delete(this.#tiles.keys().next().value as number);
      this.#tiles.set(tile, levels);
    }
    return levels;
  }

  async readNodes(ids: readonly NodeId[]): Promise<readonly Hash[]> {
    const result: (Hash | undefined)[] = new Array(ids.length);
    const missing: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const { level, index } = ids[i];
      const tile = Math.floor((index * 2 ** level) / TILE_WIDTH);
      if (level >= TILE_HEIGHT || (tile + 1) * TILE_WIDTH > this.#storedLeaves) {
        result[i] = this.#nodes.get(`${level}/${index}`);
        if (!result[i]) missing.push(i);
        continue;
      }
      // Synchronous when cached: a proof reads up to 8 nodes from one tile.
      const levels = this.#cached(tile) ?? (await this.#load(tile));
      const offset = (index - tile * (TILE_WIDTH >> level)) * HASH;
      result[i] = levels[level].subarray(offset, offset + HASH);
    }
    if (missing.length > 0) {
      const read = await this.#store.readNodes(missing.map((i) => ids[i]));
      missing.forEach((i, k) => {
        result[i] = read[k];
        const { level, index } = ids[i];
        if (this.#nodes.size >= MAX_SINGLE_NODES) this.#nodes.clear();
        this.#nodes.set(`${level}/${index}`, read[k]);
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
    if ((tile + 1) * TILE_WIDTH > Math.min(size, this.#storedLeaves)) return readInclusionProof(index, size, this);
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
      proof.push(levels[level].subarray(sibling, sibling + HASH));
    }
    for (const hash of upper) proof.push(hash);
    return proof;
  }
}
