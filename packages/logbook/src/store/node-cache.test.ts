import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { inclusionProof, leafHash, MemoryTreeStore } from '../merkle.ts';
import { Sequencer } from '../sequencer.ts';
import { testLogOptions } from '../testing/log-keys.ts';
import { LogReader } from './log-reader.ts';
import { SqlLogStore } from './log-store.ts';
import { NodeCache } from './node-cache.ts';
import { TILE_BYTES, TileBudget } from './tile-budget.ts';

describe.each(testDatabases())('NodeCache on $name', ({ open }) => {
  let db: Db;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => db.close());

  it('gives the same inclusion proofs as the tree itself, for every tile and many sizes', async () => {
    const log = await Sequencer.open(db, testLogOptions('index'));
    const memory = new MemoryTreeStore();
    const sizes: number[] = [];
    for (const step of [1, 255, 1, 256, 300, 3, 700]) {
      await Promise.all(Array.from({ length: step }, (_, i) => log.append(utf8(`e${memory.size + i}`))));
      for (let i = 0; i < step; i++) memory.append(leafHash(utf8(`e${memory.size}`)));
      sizes.push(log.size);
    }
    // A small tile budget, so tiles are evicted and loaded again on the way.
    const reader = new LogReader(new SqlLogStore(db, 'index'), undefined, {
      tileBudget: new TileBudget(2 * TILE_BYTES),
    });
    for (const size of sizes) {
      for (let index = 0; index < size; index += 1 + (index % 37)) {
        const found = await reader.entry(index, size);
        expect(found.inclusionProof, `${index} in ${size}`).toEqual(inclusionProof(index, size, memory.read));
        // Asked twice: the second time from the cached part above the tile.
        expect((await reader.entry(index, size)).inclusionProof).toEqual(found.inclusionProof);
      }
    }
  });

  it('reads cached nodes without the database once their tile is loaded', async () => {
    const log = await Sequencer.open(db, testLogOptions('index'));
    await Promise.all(Array.from({ length: 600 }, (_, i) => log.append(utf8(`e${i}`))));
    const store = new SqlLogStore(db, 'index');
    const cache = new NodeCache(store);
    cache.noteSize(600);
    const ids = [0, 1, 2, 3, 4, 5, 6, 7].map((level) => ({ level, index: 300 >> level }));
    const first = await cache.readNodes(ids);
    await db.run("DELETE FROM log_nodes WHERE log_id = 'index' AND level < 8");
    expect(await cache.readNodes(ids)).toEqual(first);
    // A tile that was not loaded is read from the database, which no longer has it.
    await expect(cache.readNodes([{ level: 0, index: 5 }])).rejects.toThrow(/missing/);
  });

  it('drops the nodes of an incomplete tile when it completes, so proofs of a growing log hold few', async () => {
    const log = await Sequencer.open(db, testLogOptions('index'));
    const memory = new MemoryTreeStore();
    const cache = new NodeCache(new SqlLogStore(db, 'index'), { tileBudget: new TileBudget(0) });
    const held: number[] = [];
    for (let size = 50; size <= 2_000; size += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(utf8(`e${size - 50 + i}`))));
      for (let i = size - 50; i < size; i++) memory.append(leafHash(utf8(`e${i}`)));
      cache.noteSize(size);
      // A receipt for each new entry: its proof reads nodes of the incomplete rightmost tile.
      for (let index = size - 50; index < size; index++) {
        expect(await cache.inclusionProof(index, size)).toEqual(inclusionProof(index, size, memory.read));
      }
      held.push(cache.singleNodes);
    }
    // At most the incomplete tile's 511 nodes and the few at level 8 and up; kept, they grow with the log.
    expect(Math.max(...held)).toBeLessThan(511 + 16);
    expect(cache.singleNodes).toBeLessThan(held[4]! + 16);
  });
});
