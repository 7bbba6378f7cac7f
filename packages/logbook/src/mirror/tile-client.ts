// Reads another node's log over C2SP tlog-tiles: its latest checkpoint and its entries, fetched as
// entry bundles (full tiles where the range allows, else the partial tile). The fetch function is
// injected: the node passes one that only reaches configured region members (SSRF guard).
import { fromBase64 } from '../bytes.ts';
import { HASH_SIZE, type Hash } from '../merkle.ts';
import { decodeEntryBundle, tilePath, TILE_WIDTH, type ConsistencyResponse } from '../tiles.ts';

/** The subset of `fetch` the client needs. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export class TileFetchError extends Error {
  override name = 'TileFetchError';
}

/** Entry bundles fetched at once. */
const PARALLEL_TILES = 4;

export class TileClient {
  /** The log's tlog-tiles prefix, ending in `/`. */
  readonly baseUrl: string;
  readonly #fetch: Fetch;

  constructor(baseUrl: string, fetch: Fetch) {
    this.baseUrl = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    this.#fetch = fetch;
  }

  async #get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`);
    } catch (error) {
      throw new TileFetchError(`${this.baseUrl}${path}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new TileFetchError(`${this.baseUrl}${path}: HTTP ${response.status}`);
    }
    return response;
  }

  /** The log's latest signed checkpoint note (not yet verified). */
  async checkpoint(): Promise<string> {
    return (await this.#get('checkpoint')).text();
  }

  /** A consistency proof between two tree sizes (Ketenlog's `proof/consistency` next to the tiles). */
  async consistency(from: number, to: number): Promise<Hash[]> {
    const body = (await (
      await this.#get(`proof/consistency?from=${from}&to=${to}`)
    ).json()) as ConsistencyResponse;
    const proof = Array.isArray(body?.proof)
      ? body.proof.map((h) => (typeof h === 'string' ? fromBase64(h) : undefined))
      : [];
    if (proof.some((h) => !h || h.length !== HASH_SIZE))
      throw new TileFetchError(`${this.baseUrl}: malformed consistency proof`);
    return proof as Hash[];
  }

  /** Entries [from, to), in order. */
  async entries(from: number, to: number): Promise<Uint8Array[]> {
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && 0 <= from && from <= to)) {
      throw new RangeError(`invalid entry range ${from}..${to}`);
    }
    const firstTile = Math.floor(from / TILE_WIDTH);
    const tiles: number[] = [];
    for (let tile = firstTile; tile * TILE_WIDTH < to; tile++) tiles.push(tile);
    const bundles: Uint8Array[][] = new Array(tiles.length);
    for (let i = 0; i < tiles.length; i += PARALLEL_TILES) {
      await Promise.all(
        tiles.slice(i, i + PARALLEL_TILES).map(async (tile, j) => {
          bundles[i + j] = await this.#bundle(tile, Math.min(TILE_WIDTH, to - tile * TILE_WIDTH));
        }),
      );
    }
    const first = from - firstTile * TILE_WIDTH;
    return bundles.flat().slice(first, first + (to - from));
  }

  async #bundle(index: number, width: number): Promise<Uint8Array[]> {
    const path = tilePath({ level: 'entries', index, width });
    const body = new Uint8Array(await (await this.#get(path)).arrayBuffer());
    const entries = decodeEntryBundle(body);
    if (!entries || entries.length < width)
      throw new TileFetchError(`${this.baseUrl}${path}: malformed entry bundle`);
    return entries.slice(0, width);
  }
}
