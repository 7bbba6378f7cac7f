// C2SP tlog-tiles read API for one log, framework-free: `checkpoint`, `tile/<L>/<N>[.p/<W>]`,
// `tile/entries/<N>[.p/<W>]`, plus two conveniences for clients that do not compute proofs from
// tiles: `entry/<index>` (one entry with its inclusion proof against the latest checkpoint, JSON)
// and `proof/consistency?from=&to=` (JSON). Only what the latest checkpoint covers is served.
import { concatBytes, utf8 } from './bytes.ts';
import { LogReadError, type LogReader } from './store/log-reader.ts';
import { decodeStored, encodeStored as toBase64, type StoredCheckpoint } from './store/log-store.ts';
import { isDecimal } from './decimal.ts';

/** tlog-tiles: tiles have height 8, so a full tile is 256 hashes wide. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
/** tlog-tiles: entry bundles use uint16 length prefixes, so no entry can be longer. */
export const MAX_ENTRY_BYTES = 0xffff;

export interface TileResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Bytes, or an ASCII-only string. */
  readonly body: Uint8Array | string;
}

/** A parsed tile path: level is 'entries' for entry bundles; width < 256 only for partial tiles. */
export interface TileCoordinate {
  readonly level: number | 'entries';
  readonly index: number;
  readonly width: number;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const OCTETS = 'application/octet-stream';
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';
const LEVEL = /^(0|[1-9][0-9]?)$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;
/** Entry indexes in a URL: at most 16 digits, so they stay exact as numbers. */
const INDEX_DIGITS = 16;
/** Full tiles kept in memory per log: they never change, and mirrors fetch the newest ones. */
const CACHED_TILES = 64;

/** tlog-tiles: N as zero-padded 3-digit path elements, all but the last prefixed with `x`. */
export function encodeTileIndex(index: number): string {
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The tile path of a coordinate, e.g. `tile/0/x001/x234/067.p/12` or `tile/entries/000`. */
export function tilePath(tile: TileCoordinate): string {
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${partial}`;
}

/** Parses `tile/...` strictly (no leading zeros, 3-digit groups); undefined when malformed. */
export function parseTilePath(path: string): TileCoordinate | undefined {
  const [tile, levelText, ...groups] = path.split('/');
  if (tile !== 'tile' || levelText === undefined || groups.length === 0) return undefined;
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (LEVEL.test(levelText) && Number(levelText) <= 63) level = Number(levelText);
  else return undefined;
  let rest = groups;
  let width = TILE_WIDTH;
  const [partial, last] = rest.slice(-2);
  if (partial?.endsWith('.p') && last !== undefined) {
    if (!WIDTH.test(last) || Number(last) >= TILE_WIDTH) return undefined;
    width = Number(last);
    rest = [...rest.slice(0, -2), partial.slice(0, -2)];
  }
  let index = 0;
  for (const [i, group] of rest.entries()) {
    const digits = i < rest.length - 1 ? /^x([0-9]{3})$/.exec(group)?.[1] : /^([0-9]{3})$/.exec(group)?.[1];
    if (digits === undefined) return undefined;
    index = index * 1000 + Number(digits);
  }
  // Non-canonical: a leading x000 group would give two paths for one tile.
  if (rest.length > 1 && rest[0] === 'x000') return undefined;
  if (!Number.isSafeInteger(index)) return undefined;
  return { level, index, width };
}

/** tlog-tiles: entry bundles are big-endian uint16 length-prefixed entries. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  return concatBytes(
    ...entries.flatMap((entry) => [Uint8Array.of(entry.length >> 8, entry.length & 0xff), entry]),
  );
}

/** Splits an entry bundle; undefined when it is malformed. */
export function decodeEntryBundle(bundle: Uint8Array): Uint8Array[] | undefined {
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < bundle.length) {
    const [high, low] = bundle.subarray(offset, offset + 2);
    if (high === undefined || low === undefined) return undefined;
    const length = (high << 8) | low;
    if (offset + 2 + length > bundle.length) return undefined;
    entries.push(bundle.slice(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  return entries;
}

const plain = (status: number, message: string): TileResponse => ({
  status,
  headers: { 'content-type': TEXT, 'cache-control': 'no-store' },
  body: `${message}\n`,
});

/** JSON with every non-ASCII character escaped (the checkpoint's em dash): one-byte strings are much cheaper to send. */
const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

const json = (value: unknown): TileResponse => ({
  status: 200,
  headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-cache' },
  body: asciiJson(value),
});

/** The JSON of `entry/<index>`: base64 entry and proof hashes, and the signed checkpoint. */
export interface EntryResponse {
  readonly index: number;
  readonly entry: string;
  readonly treeSize: number;
  readonly inclusionProof: readonly string[];
  readonly checkpoint: string;
}

/** The JSON of `proof/consistency`. */
export interface ConsistencyResponse {
  readonly from: number;
  readonly to: number;
  readonly proof: readonly string[];
}

/** The latest checkpoint note as UTF-8 bytes and as ASCII JSON: both are asked for again and again. */
function noteCache(): (note: string) => { readonly bytes: Uint8Array; readonly json: string } {
  let last: { note: string; bytes: Uint8Array; json: string } | undefined;
  return (note) => {
    if (last?.note !== note) last = { note, bytes: utf8(note), json: asciiJson(note) };
    return last;
  };
}

/** A log's read API: `path` is relative to the log's prefix, `query` its query parameters. */
export type TileHandler = (
  path: string,
  query?: Readonly<Record<string, string | undefined>>,
) => Promise<TileResponse>;

/** Creates the request handler for one log. Storage failures are thrown, not turned into 404s. */
export function createTileHandler(reader: LogReader): TileHandler {
  const tiles = new Map<string, Uint8Array>();
  const notes = noteCache();

  async function readTile(coordinate: TileCoordinate): Promise<Uint8Array> {
    const { level, index, width } = coordinate;
    const start = index * TILE_WIDTH;
    if (level === 'entries') {
      const entries = await reader.store.readEntries(start, start + width);
      if (entries.length !== width) throw new Error(`log ${reader.logId}: entries ${start}+${width} missing`);
      return encodeEntryBundle(entries.map((e) => e.entry));
    }
    const treeLevel = level * TILE_HEIGHT;
    const nodes = await reader.store.readLevel(treeLevel, start, start + width);
    if (nodes.length !== width) throw new Error(`log ${reader.logId}: ${tilePath(coordinate)} incomplete`);
    return concatBytes(...nodes.map((n) => decodeStored(n.hash, `node ${treeLevel}/${n.index}`)));
  }

  async function tile(coordinate: TileCoordinate, latest: StoredCheckpoint): Promise<TileResponse> {
    const { level, index, width } = coordinate;
    // tlog-tiles: a tile at level l holds hashes of subtrees of 256^l leaves.
    const available = Math.floor(latest.size / TILE_WIDTH ** (level === 'entries' ? 0 : level));
    if (index * TILE_WIDTH + width > available) return plain(404, 'not covered by the latest checkpoint');
    const full = width === TILE_WIDTH;
    const key = tilePath(coordinate);
    let body = full ? tiles.get(key) : undefined;
    if (!body) {
      body = await readTile(coordinate);
      if (full) {
        if (tiles.size >= CACHED_TILES) tiles.delete(tiles.keys().next().value as string);
        tiles.set(key, body);
      }
    }
    // A tile's bytes never change: a partial tile is replaced by wider ones, not changed.
    return { status: 200, headers: { 'content-type': OCTETS, 'cache-control': IMMUTABLE }, body };
  }

  async function entry(indexText: string): Promise<TileResponse> {
    if (!isDecimal(indexText, INDEX_DIGITS))
      return plain(400, 'entry index must be a decimal without leading zeros');
    const found = await reader.entry(Number(indexText));
    // The EntryResponse JSON, written out: this is the hot path of serving proofs.
    const proof = found.inclusionProof.map((h) => `"${toBase64(h)}"`).join(',');
    return {
      status: 200,
      headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-cache' },
      body:
        `{"index":${found.index},"entry":"${toBase64(found.entry)}","treeSize":${found.checkpoint.size},` +
        `"inclusionProof":[${proof}],"checkpoint":${notes(found.checkpoint.note).json}}`,
    };
  }

  async function consistency(query: Readonly<Record<string, string | undefined>>): Promise<TileResponse> {
    const { from, to } = query;
    if (
      from === undefined ||
      to === undefined ||
      !isDecimal(from, INDEX_DIGITS) ||
      !isDecimal(to, INDEX_DIGITS)
    ) {
      return plain(400, 'from and to must be decimal tree sizes');
    }
    const proof = await reader.consistency(Number(from), Number(to));
    const body: ConsistencyResponse = { from: proof.from, to: proof.to, proof: proof.proof.map(toBase64) };
    return json(body);
  }

  async function route(
    path: string,
    query: Readonly<Record<string, string | undefined>>,
  ): Promise<TileResponse> {
    if (path === 'proof/consistency') return consistency(query);
    const latest = await reader.latestCheckpoint();
    if (!latest) return plain(404, 'no checkpoint yet');
    if (path === 'checkpoint') {
      // tlog-tiles: the checkpoint is mutable; headers prevent caching beyond a few seconds.
      const body = notes(latest.note).bytes;
      return { status: 200, headers: { 'content-type': TEXT, 'cache-control': 'no-cache' }, body };
    }
    if (path.startsWith('entry/')) return entry(path.slice('entry/'.length));
    if (path.startsWith('tile/')) {
      const coordinate = parseTilePath(path);
      return coordinate ? tile(coordinate, latest) : plain(400, 'malformed tile path');
    }
    return plain(404, 'no such resource');
  }

  return async (path, query = {}) => {
    try {
      return await route(path.replace(/^\/+/, ''), query);
    } catch (error) {
      if (error instanceof LogReadError) return plain(error.kind === 'not-found' ? 404 : 400, error.message);
      throw error;
    }
  };
}
