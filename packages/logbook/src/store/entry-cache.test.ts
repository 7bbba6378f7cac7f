import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { Sequencer } from '../sequencer.ts';
import { testLogOptions } from '../testing/log-keys.ts';
import { EntryCache } from './entry-cache.ts';
import { SqlLogStore } from './log-store.ts';

describe.each(testDatabases())('EntryCache on $name', ({ open }) => {
  let db: Db;
  let store: SqlLogStore;
  beforeEach(async () => {
    db = await open();
    const log = await Sequencer.open(db, testLogOptions('index'));
    await Promise.all(Array.from({ length: 700 }, (_, i) => log.append(utf8(`e${i}`))));
    store = new SqlLogStore(db, 'index');
  });
  afterEach(async () => db.close());

  it('serves every entry as stored, whole bundles from memory and the partial one from the database', async () => {
    const cache = new EntryCache(store, { entryBundles: 1 });
    cache.noteSize(700);
    for (const index of [0, 255, 256, 3, 511, 699, 512, 600]) {
      expect(await cache.entry(index)).toEqual(utf8(`e${index}`));
    }
    expect(await cache.entry(700)).toBeUndefined();
  });

  it('keeps a loaded bundle even when the rows go, and reads an evicted one again', async () => {
    const cache = new EntryCache(store, { entryBundles: 1 });
    cache.noteSize(700);
    await cache.entry(10);
    await db.run("DELETE FROM log_entries WHERE log_id = 'index' AND idx < 256");
    expect(await cache.entry(20)).toEqual(utf8('e20'));
    await cache.entry(300);
    // Bundle 0 was evicted by bundle 1, and its rows are gone now.
    expect(await cache.entry(20)).toBeUndefined();
  });

  it('reads through to the database when turned off or before a checkpoint covers a bundle', async () => {
    for (const cache of [new EntryCache(store), new EntryCache(store, { entryBundles: 4 })]) {
      expect(await cache.entry(5)).toEqual(utf8('e5'));
      await db.run("UPDATE log_entries SET entry = 'eA==' WHERE log_id = 'index' AND idx = 5");
      expect(await cache.entry(5)).toEqual(Uint8Array.of(0x78));
      await db.run("UPDATE log_entries SET entry = ? WHERE log_id = 'index' AND idx = 5", [
        Buffer.from('e5').toString('base64'),
      ]);
    }
  });
});
