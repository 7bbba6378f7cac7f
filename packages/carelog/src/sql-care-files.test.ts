import { testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CareFile, Declaration } from './care-file.ts';
import { SqlCareFiles } from './sql-care-files.ts';

const FILE: CareFile = {
  indication: 'ind-maria-1',
  subject: 'pMaria-0000000000000001',
  provider: 'ura:11110001',
  birthDate: '2026-11-20',
  carePackage: 'minimum',
  carers: ['pro:anna-jansen'],
  notes: [{ version: 'v1', reason: 'indicatie' }],
};
const DECLARATION: Declaration = {
  id: 'decl-000000000000000000000001',
  insurer: 'ura:11110004',
  subject: FILE.subject,
  indication: FILE.indication,
  entries: ['e1', 'e2'],
  minutes: 240,
  created: '2026-11-24T10:00:00.000Z',
  paymentStatus: 'ingediend',
};

describe.each(testDatabases())('SqlCareFiles on $name', ({ open }) => {
  let db: Db;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => db.close());

  it('keeps care files, corrections and declarations across a reopen', async () => {
    const files = await SqlCareFiles.open(db);
    await files.saveFile(FILE);
    await files.saveFile({
      ...FILE,
      notes: [...FILE.notes, { version: 'v2', reason: 'verloskundige', note: '+8' }],
    });
    await files.saveCorrection('e3', 'e2');
    await files.saveDeclaration(DECLARATION);
    await files.saveDeclaration({ ...DECLARATION, paymentStatus: 'betaald' });

    const reopened = await SqlCareFiles.open(db);
    expect(reopened.file('ind-maria-1')?.notes).toHaveLength(2);
    expect(reopened.files()).toHaveLength(1);
    expect(reopened.supersededBy('e2')).toBe('e3');
    expect(reopened.correctionOf('e3')).toBe('e2');
    expect(reopened.declarationOf('e1')).toBe(DECLARATION.id);
    expect(reopened.declaration(DECLARATION.id)?.paymentStatus).toBe('betaald');
    expect(reopened.declarations('ura:11110008')).toEqual([]);
  });

  it('refuses to declare an entry twice, also in the database', async () => {
    const files = await SqlCareFiles.open(db);
    await files.saveDeclaration(DECLARATION);
    const other = await SqlCareFiles.open(db);
    await expect(
      other.saveDeclaration({ ...DECLARATION, id: 'decl-000000000000000000000002', entries: ['e2'] }),
    ).rejects.toThrow();
    const reopened = await SqlCareFiles.open(db);
    expect(reopened.declarations()).toHaveLength(1);
  });
});
