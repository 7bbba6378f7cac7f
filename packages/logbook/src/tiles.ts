// C2SP tlog-tiles read API for one log, framework-free: `/checkpoint`, `/tile/<L>/<N>[.p/<W>]`,
// `/tile/entries/<N>[.p/<W>]`, plus `/entry/<index>` (one entry with its inclusion proof against
// the latest checkpoint). Only what the latest checkpoint covers is served.
import { concatBytes, toBase64 } from './bytes.ts';
import { readInclusionProof } from './merkle.ts';
import { decodeStored, type SqlLogStore, type StoredCheckpoint } from './store/log-store.ts';

/** tlog-tiles: tiles have height 8, so a full tile is 256 hashes wide. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export interface TileResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
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
const LEVEL = /^(0|[1-9][0-9]?)$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;

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
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) return undefined;
  const levelText = parts[1];
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (LEVEL.test(levelText) && Number(levelText) <= 63) level = Number(levelText);
  else return undefined;
  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const last = rest[rest.length - 1];
  if (rest.length >= 2 && rest[rest.length - 2].endsWith('.p')) {
    if (!WIDTH.test(last) || Number(last) >= TILE_WIDTH) return undefined;
    width = Number(last);
    rest = [...rest.slice(0, -2), rest[rest.length - 2].slice(0, -2)];
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

function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  // tlog-tiles: entry bundles are big-endian uint16 length-prefixed entries.
  return concatBytes(
    ...entries.flatMap((entry) => [Uint8Array.of(entry.length >> 8, entry.length & 0xff), entry]),
  );
}

const notFound = (message: string): TileResponse => ({
  status: 404,
  headers: { 'content-type': TEXT, 'cache-control': 'no-store' },
  body: `${message}\n`,
});

/** Creates the request handler for one log's store. `path` is relative to the log's prefix. */
export function createTileHandler(store: SqlLogStore): (path: string) => Promise<TileResponse> {
  async function tile(coordinate: TileCoordinate, latest: StoredCheckpoint): Promise<TileResponse> {
    const { level, index, width } = coordinate;
    const treeLevel = level === 'entries' ? 0 : level * TILE_HEIGHT;
    // The number of hashes at this tile level that the checkpoint's tree has.
    const available = Math.floor(latest.size / 2 ** treeLevel);
    const start = index * TILE_WIDTH;
    if (start + width > available) return notFound('beyond the tree');
    let body: Uint8Array;
    if (level === 'entries') {
      const entries = await store.readEntries(start, start + width);
      if (entries.length !== width) throw new Error(`log store: entries ${start}+${width} missing`);
      if (entries.some((e) => e.entry.length > 0xffff)) throw new Error('entry too long for a bundle');
      body = encodeEntryBundle(entries.map((e) => e.entry));
    } else {
      const nodes = await store.readLevel(treeLevel, start, start + width);
      if (nodes.length !== width) throw new Error(`log store: tile ${tilePath(coordinate)} incomplete`);
      body = concatBytes(...nodes.map((n) => decodeStored(n.hash, `node ${treeLevel}/${n.index}`)));
    }
    const headers: Record<string, string> = { 'content-type': OCTETS };
    // Full tiles never change; a partial tile is replaced by a wider one, but its own bytes are fixed.
    headers['cache-control'] = width === TILE_WIDTH ? IMMUTABLE : 'public, max-age=3600';
    return { status: 200, headers, body };
  }

  async function entry(indexText: string, latest: StoredCheckpoint): Promise<TileResponse> {
    if (!/^(0|[1-9][0-9]*)$/.test(indexText)) return notFound('no such entry');
    const index = Number(indexText);
    if (!Number.isSafeInteger(index) || index >= latest.size) return notFound('beyond the tree');
    const [stored] = await store.readEntries(index, index + 1);
    if (!stored) throw new Error(`log store: entry ${index} missing`);
    const proof = await readInclusionProof(index, latest.size, store);
    const body = JSON.stringify({
      index,
      entry: toBase64(stored.entry),
      treeSize: latest.size,
      inclusionProof: proof.map(toBase64),
      checkpoint: latest.note,
    });
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
      body,
    };
  }

  return async (path) => {
    const relative = path.replace(/^\/+/, '');
    const latest = await store.latestCheckpoint();
    if (!latest) return notFound('no checkpoint yet');
    if (relative === 'checkpoint') {
      // tlog-tiles: the checkpoint is mutable; caching beyond a few seconds is prevented.
      return { status: 200, headers: { 'content-type': TEXT, 'cache-control': 'no-cache' }, body: latest.note };
    }
    if (relative.startsWith('entry/')) return entry(relative.slice('entry/'.length), latest);
    const coordinate = parseTilePath(relative);
    if (!coordinate) return notFound('no such resource');
    return tile(coordinate, latest);
  };
}
