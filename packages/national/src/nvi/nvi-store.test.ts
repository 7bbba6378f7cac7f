import { describe, expect, it } from 'vitest';
import { testDatabases } from '@ketenlog/storage';
import { NviStore } from './nvi-store.ts';

const record = (custodian: string, pseudonym: string, category: string) => ({
  custodian,
  pseudonym,
  category,
  source: `epd-${custodian}`,
});

describe.each(testDatabases())('the NVI store on $name', ({ open }) => {
  it("keeps one record per registration, finds by pseudonym and category, removes a custodian's own only", async () => {
    const db = await open();
    try {
      const store = await NviStore.open(db);
      const first = await store.add(record('11110001', 'p1', 'Condition'));
      expect((await store.add(record('11110001', 'p1', 'Condition'))).id).toBe(first.id);
      await store.add(record('11110003', 'p1', 'ObservationLaboratory'));
      await store.add(record('11110003', 'p2', 'Imaging'));
      expect((await store.find({ pseudonym: 'p1' })).map((r) => r.custodian)).toEqual([
        '11110001',
        '11110003',
      ]);
      expect((await store.find({ pseudonym: 'p1', categories: ['Condition'] })).length).toBe(1);
      expect((await store.find({ custodian: '11110003', source: 'epd-11110003' })).length).toBe(2);
      expect(await store.remove([first.id], '11110003')).toBe(0);
      expect(await store.remove([first.id], '11110001')).toBe(1);
      expect(await store.read(first.id)).toBeUndefined();
      await expect(store.find({})).rejects.toThrow(/subject or a source/);
    } finally {
      await db.close();
    }
  });

  it('applies a transaction completely or not at all', async () => {
    const db = await open();
    try {
      const store = await NviStore.open(db);
      await expect(
        store.transaction(async (records) => {
          await records.add(record('11110001', 'p9', 'Procedure'));
          throw new Error('a later entry failed');
        }),
      ).rejects.toThrow(/later entry/);
      expect(await store.find({ pseudonym: 'p9' })).toEqual([]);
      await store.transaction(async (records) => records.add(record('11110001', 'p9', 'Procedure')));
      expect((await store.find({ pseudonym: 'p9' })).length).toBe(1);
    } finally {
      await db.close();
    }
  });
});
