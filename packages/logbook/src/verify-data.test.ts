import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { assert, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { leafHash, nodeHash } from './merkle.ts';
import { LogRegistry } from './sequencer-registry.ts';
import { testLogKey, testLogOptions } from './testing/log-keys.ts';
import { verifyData, verifyLog } from './verify-data.ts';

const consent = testLogOptions('consent');
const access = testLogOptions('access');

/** Appends `count` entries to each log in uneven batches, so there are many checkpoints. */
async function fill(registry: LogRegistry, count: number): Promise<void> {
  for (const id of registry.logIds) {
    const log = registry.log(id);
    for (let i = 0; i < count;) {
      const batch = Math.min(count - i, 1 + (i % 13));
      await Promise.all(Array.from({ length: batch }, (_, k) => log.append(utf8(`${id} ${i + k}`))));
      i += batch;
    }
  }
}

describe.each(testDatabases())('verifyData on $name', ({ open }) => {
  let db: Db;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => db.close());

  it('an empty database has no logs and holds', async () => {
    expect(await verifyData(db)).toEqual({ ok: true, logs: [] });
  });

  it('passes every log of an honest node, with the registered or a trusted key', async () => {
    const registry = await LogRegistry.open(db, [consent, access]);
    await fill(registry, 120);
    const result = await verifyData(db);
    expect(result.ok).toBe(true);
    expect(result.logs.map((l) => l.logId)).toEqual(['access', 'consent']);
    expect(result.logs[0]).toMatchObject({ ok: true, size: 120, uncovered: 0, pinned: false });
    const pinned = await verifyData(db, { trustedKeys: [consent.verifierKey, access.verifierKey] });
    expect(pinned.logs.every((l) => l.ok && l.pinned)).toBe(true);
  });

  it('fails a log whose checkpoints are not signed by the trusted key', async () => {
    const registry = await LogRegistry.open(db, [consent]);
    await fill(registry, 10);
    const result = await verifyLog(db, 'consent', { trustedKeys: [testLogKey('someone-else').verifierKey] });
    expect(result).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/no trusted key named consent-log/),
    });
    // A trusted key with the log's key name but another public key.
    const impostor = testLogKey('consent-log-2').verifierKey.replace('consent-log-2', 'consent-log');
    await expect(verifyLog(db, 'consent', { trustedKeys: [impostor] })).rejects.toThrow(/key ID/);
  });

  it('accepts entries committed after the last checkpoint, and reports them', async () => {
    const registry = await LogRegistry.open(db, [consent]);
    await fill(registry, 20);
    await db.run('DELETE FROM log_checkpoints WHERE size = 20');
    const [result] = (await verifyData(db)).logs;
    assert(result);
    expect(result).toMatchObject({ ok: true, size: 20 });
    expect(result.ok && result.uncovered).toBeGreaterThan(0);
  });

  it('reports the first entry whose content an entry check rejects', async () => {
    const registry = await LogRegistry.open(db, [consent]);
    await fill(registry, 30);
    const checkEntry = (entry: Uint8Array) =>
      new TextDecoder().decode(entry).endsWith(' 21') ? 'statement signature does not verify' : undefined;
    expect(await verifyLog(db, 'consent', { checkEntry })).toMatchObject({
      ok: false,
      firstBadIndex: 21,
      problem: 'entry 21: statement signature does not verify',
    });
  });

  it('reports the first bad index of a changed entry, and a checkpoint over missing entries', async () => {
    const registry = await LogRegistry.open(db, [consent]);
    await fill(registry, 50);
    await db.run('UPDATE log_entries SET entry = ? WHERE idx = 17', [
      Buffer.from('forged').toString('base64'),
    ]);
    expect(await verifyLog(db, 'consent')).toMatchObject({ ok: false, firstBadIndex: 17 });
    await db.run('DELETE FROM log_entries WHERE idx >= 17');
    expect(await verifyLog(db, 'consent')).toMatchObject({ ok: false, firstBadIndex: 17 });
  });

  it('finds an entry rewritten together with its leaf hash and nodes through the checkpoint root', async () => {
    const registry = await LogRegistry.open(db, [consent]);
    await fill(registry, 2);
    const forged = utf8('forged');
    const other = Buffer.from(leafHash(forged)).toString('base64');
    // Size 2: nodes 0/1 (leaf) and 1/0 (root of both) change with entry 1.
    await db.run('UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = 1', [
      Buffer.from(forged).toString('base64'),
      other,
    ]);
    await db.run('UPDATE log_nodes SET hash = ? WHERE level = 0 AND idx = 1', [other]);
    const [first] = await db.all<{ hash: string }>('SELECT hash FROM log_nodes WHERE level = 0 AND idx = 0');
    assert(first);
    const root = nodeHash(Buffer.from(first.hash, 'base64'), leafHash(forged));
    await db.run('UPDATE log_nodes SET hash = ? WHERE level = 1 AND idx = 0', [
      Buffer.from(root).toString('base64'),
    ]);
    expect(await verifyLog(db, 'consent')).toMatchObject({ ok: false, checkpointSize: 2, firstBadIndex: 1 });
  });
});
