import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64, utf8 } from './bytes.ts';
import { checkpointOfNote } from './checkpoint.ts';
import { leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from './merkle.ts';
import { Sequencer } from './sequencer.ts';
import { testLogOptions } from './testing/log-keys.ts';
import {
  createTileHandler,
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  parseTilePath,
  tilePath,
  type EntryResponse,
  type TileHandler,
} from './tiles.ts';

const entry = (i: number): Uint8Array => utf8(`entry number ${i}`);

describe('tlog-tiles paths', () => {
  it('encodes N in 3-digit groups with x on all but the last', () => {
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 'entries', index: 5, width: 12 })).toBe('tile/entries/005.p/12');
  });

  it('parses every path it encodes back to the same tile', () => {
    for (const index of [0, 1, 999, 1000, 1001, 999_999, 1_000_000, 123_456_789_012]) {
      for (const level of [0, 1, 63, 'entries'] as const) {
        for (const width of [1, 100, 255, 256]) {
          expect(parseTilePath(tilePath({ level, index, width }))).toEqual({ level, index, width });
        }
      }
    }
  });

  it('rejects malformed and non-canonical paths', () => {
    for (const path of [
      'tile/0/1',
      'tile/0/0001',
      'tile/00/000',
      'tile/64/000',
      'tile/-1/000',
      'tile/0/x000/001',
      'tile/0/001/002',
      'tile/0/x001',
      'tile/0/000.p/0',
      'tile/0/000.p/256',
      'tile/0/000.p/012',
      'tile/0/000.p/',
      'tile/data/000',
      'tile/0',
      'tiles/0/000',
    ]) {
      expect(parseTilePath(path), path).toBeUndefined();
    }
  });

  it('entry bundles are uint16 length-prefixed and split back', () => {
    const entries = [utf8(''), utf8('a'), new Uint8Array(300).fill(7)];
    const bundle = encodeEntryBundle(entries);
    expect([...bundle.slice(0, 5)]).toEqual([0, 0, 0, 1, 97]);
    expect(decodeEntryBundle(bundle)).toEqual(entries);
    expect(decodeEntryBundle(bundle.slice(0, -1))).toBeUndefined();
    expect(decodeEntryBundle(Uint8Array.of(0))).toBeUndefined();
  });
});

describe.each(testDatabases())('tile handler on $name', ({ open }) => {
  let db: Db;
  let log: Sequencer;
  let handle: TileHandler;
  const SIZE = 600;
  beforeEach(async () => {
    db = await open();
    log = await Sequencer.open(db, testLogOptions('index'));
    await Promise.all(Array.from({ length: SIZE }, (_, i) => log.append(entry(i))));
    handle = createTileHandler(log.reader);
  });
  afterEach(async () => db.close());

  const bytes = async (path: string): Promise<Uint8Array> => {
    const response = await handle(path);
    expect(response.status, path).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['cache-control']).toContain('immutable');
    return response.body as Uint8Array;
  };

  it('serves the checkpoint as text, not cacheable for long', async () => {
    const response = await handle('checkpoint');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(checkpointOfNote(new TextDecoder().decode(response.body as Uint8Array)).size).toBe(SIZE);
  });

  it('serves tiles from which a client rebuilds the checkpoint root', async () => {
    // 600 = 2 full level-0 tiles + a partial one of 88; level 1 has a partial tile of width 2.
    const level0 = [await bytes('tile/0/000'), await bytes('tile/0/001'), await bytes('tile/0/002.p/88')];
    const leaves = level0.flatMap((t) =>
      Array.from({ length: t.length / 32 }, (_, i) => t.slice(i * 32, i * 32 + 32)),
    );
    expect(leaves).toEqual(Array.from({ length: SIZE }, (_, i) => leafHash(entry(i))));
    const level1 = await bytes('tile/1/000.p/2');
    expect(level1.slice(0, 32)).toEqual(rootFromLeafHashes(leaves.slice(0, 256)));
    expect(level1.slice(32)).toEqual(rootFromLeafHashes(leaves.slice(256, 512)));
    const checkpoint = checkpointOfNote(
      new TextDecoder().decode((await handle('checkpoint')).body as Uint8Array),
    );
    expect(rootFromLeafHashes(leaves)).toEqual(checkpoint.root);
    // A narrower partial tile is a prefix of the wider one.
    expect(await bytes('tile/0/002.p/10')).toEqual(level0[2]?.slice(0, 320));
  });

  it('serves entry bundles whose entries hash to the level-0 tile', async () => {
    const bundle = decodeEntryBundle(await bytes('tile/entries/001'))!;
    expect(bundle).toHaveLength(256);
    expect(bundle[0]).toEqual(entry(256));
    expect(decodeEntryBundle(await bytes('tile/entries/002.p/88'))).toEqual(
      Array.from({ length: 88 }, (_, i) => entry(512 + i)),
    );
  });

  it('answers 404 for tiles the checkpoint does not cover and 400 for malformed paths', async () => {
    for (const path of [
      'tile/0/002',
      'tile/0/002.p/89',
      'tile/1/000',
      'tile/2/000.p/1',
      'tile/entries/003.p/1',
    ]) {
      expect((await handle(path)).status, path).toBe(404);
    }
    for (const path of ['tile/0/2', 'tile/0/x000/001', 'tile/0/000.p/256', 'entry/01', 'entry/x']) {
      expect((await handle(path)).status, path).toBe(400);
    }
    expect((await handle('nothing/here')).status).toBe(404);
    expect((await handle('entry/600')).status).toBe(404);
  });

  it('serves one entry with an inclusion proof against the latest checkpoint', async () => {
    const response = await handle('entry/300');
    expect(response.status).toBe(200);
    // ASCII only: the checkpoint's em dash is escaped.
    expect(response.body as string).toMatch(/^[\x20-\x7e]+$/);
    const body = JSON.parse(response.body as string) as EntryResponse;
    const checkpoint = checkpointOfNote(body.checkpoint);
    const proof = body.inclusionProof.map((h) => fromBase64(h)!);
    expect(body.treeSize).toBe(SIZE);
    expect(verifyInclusion(300, SIZE, leafHash(fromBase64(body.entry)!), proof, checkpoint.root)).toBe(true);
  });

  it('serves consistency proofs between signed sizes', async () => {
    const before = checkpointOfNote(log.latestCheckpoint()!.note);
    await log.append(entry(SIZE));
    const after = checkpointOfNote(log.latestCheckpoint()!.note);
    const response = await handle('proof/consistency', { from: String(before.size), to: String(after.size) });
    const body = JSON.parse(response.body as string) as { proof: string[] };
    const proof = body.proof.map((h) => fromBase64(h)!);
    expect(verifyConsistency(before.size, after.size, proof, before.root, after.root)).toBe(true);
    expect((await handle('proof/consistency', { from: '1' })).status).toBe(400);
    expect((await handle('proof/consistency', { from: '5', to: '2' })).status).toBe(400);
    expect((await handle('proof/consistency', { from: '5', to: '9999' })).status).toBe(404);
  });
});
