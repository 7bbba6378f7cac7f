import { describe, expect, it } from 'vitest';
import { testDatabases } from '@ketenlog/storage';
import { migrateOidcStore, SqlOidcAdapter, sweepOidcModels } from './sql-adapter.ts';

const T = 1_800_000_000_000;

describe.each(testDatabases())('the authorization server store on $name', ({ open }) => {
  it('forgets an expired code at once and sweeps it away later, keeping what has not expired', async () => {
    const db = await open();
    try {
      await migrateOidcStore(db);
      let now = T;
      const codes = new SqlOidcAdapter(db, 'AuthorizationCode', () => now);
      const grants = new SqlOidcAdapter(db, 'Grant', () => now);
      await codes.upsert('code-1', { grantId: 'g1' }, 60);
      await grants.upsert('g1', { accountId: 'a' }, 3600);
      now = T + 60_000;
      expect(await codes.find('code-1')).toBeUndefined();
      expect(await grants.find('g1')).toEqual({ accountId: 'a' });
      expect(await sweepOidcModels(db, now)).toBe(1);
      expect(await sweepOidcModels(db, now)).toBe(0);
      expect(await grants.find('g1')).toEqual({ accountId: 'a' });
    } finally {
      await db.close();
    }
  });
});
