import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogRegistry, utf8 } from '@ketenlog/logbook';
import { testLogKey, testLogOptions } from '@ketenlog/logbook/testing';
import { openSqlite } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from './command.ts';
import { verifyDataCommand } from './verify-data.ts';

async function nodeDatabase(path: string, logIds: string[]): Promise<void> {
  const db = await openSqlite(path);
  const registry = await LogRegistry.open(
    db,
    logIds.map((id) => testLogOptions(id)),
  );
  for (const id of logIds) {
    await Promise.all(Array.from({ length: 40 }, (_, i) => registry.log(id).append(utf8(`${id} ${i}`))));
  }
  await registry.close();
  await db.close();
}

describe('ketenlog verify --data', () => {
  let dir: string;
  let output: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ketenlog-verify-'));
    output = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
  });
  afterEach(() => vi.restoreAllMocks());

  it('exits 0 for the SQLite databases under a folder when every log holds', async () => {
    mkdirSync(join(dir, 'org-a'));
    await nodeDatabase(join(dir, 'org-a', 'node.sqlite'), ['consent', 'index']);
    await nodeDatabase(join(dir, 'other.db'), ['access']);
    writeFileSync(join(dir, 'notes.txt'), 'not a database');
    expect(await verifyDataCommand.run(['--data', dir])).toBe(0);
    const text = output.join('\n');
    expect(text).toMatch(/ok {3}consent: 40 entries/);
    expect(text).toMatch(/ok {3}access: 40 entries/);
    expect(text).toContain('not pinned');
  });

  it('exits 1 and names the first bad index when a stored byte changed', async () => {
    const file = join(dir, 'node.sqlite');
    await nodeDatabase(file, ['consent']);
    const db = await openSqlite(file);
    await db.run("UPDATE log_entries SET entry = 'Zm9yZ2Vk' WHERE idx = 7");
    await db.close();
    expect(await verifyDataCommand.run(['--data', file])).toBe(1);
    expect(output.join('\n')).toMatch(/BAD {2}consent: .*first bad index 7/);
  });

  it('checks against trusted keys when given, and fails a log signed by another key', async () => {
    const file = join(dir, 'node.sqlite');
    await nodeDatabase(file, ['consent']);
    expect(
      await verifyDataCommand.run(['--data', file, '--log-key', testLogOptions('consent').verifierKey]),
    ).toBe(0);
    expect(output.join('\n')).toContain('trusted key');
    expect(await verifyDataCommand.run(['--data', file, '--log-key', testLogKey('other').verifierKey])).toBe(
      1,
    );
  });

  it('answers wrong calls with usage errors, and an empty folder with exit 1', async () => {
    await expect(verifyDataCommand.run([])).rejects.toBeInstanceOf(UsageError);
    await expect(verifyDataCommand.run(['--data', join(dir, 'missing')])).rejects.toBeInstanceOf(UsageError);
    await expect(verifyDataCommand.run(['--data', dir, '--log-key', 'nonsense'])).rejects.toBeInstanceOf(
      UsageError,
    );
    expect(await verifyDataCommand.run(['--data', dir])).toBe(1);
  });
});
