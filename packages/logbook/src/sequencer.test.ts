import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { checkpointOfNote, isConsistentSuccessor, openCheckpoint } from './checkpoint.ts';
import { leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from './merkle.ts';
import { verifierFromKey } from './note.ts';
import { Sequencer, SequencerError } from './sequencer.ts';
import { LogRegistry } from './sequencer-registry.ts';
import { LogReadError } from './store/log-reader.ts';
import { SqlLogStore } from './store/log-store.ts';
import { testLogKey, testLogOptions } from './testing/log-keys.ts';

const entry = (i: number): Uint8Array => utf8(`{"statement":${i}}`);
const options = testLogOptions('consent');

describe.each(testDatabases())('Sequencer on $name', ({ open }) => {
  let db: Db;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => db.close());

  it('a new log starts with a signed checkpoint of the empty tree', async () => {
    const log = await Sequencer.open(db, options);
    const latest = log.latestCheckpoint()!;
    expect(latest.size).toBe(0);
    const opened = openCheckpoint(latest.note, options.origin, verifierFromKey(options.verifierKey));
    expect(opened.checkpoint.root).toEqual(rootFromLeafHashes([]));
  });

  it('group-commits concurrent appends and resolves each with a stored checkpoint covering it', async () => {
    const log = await Sequencer.open(db, options);
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(entry(i))));
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
    const checkpoints = await log.reader.checkpoints();
    // Fewer checkpoints than appends: the appends were batched.
    expect(checkpoints.length).toBeLessThan(20);
    for (const r of results) {
      expect(r.checkpoint.size).toBeGreaterThan(r.index);
      expect(checkpoints.map((c) => c.note)).toContain(r.checkpoint.note);
    }
    const stored = await log.store.readEntries(0, 300);
    const root = rootFromLeafHashes(stored.map((e) => leafHash(e.entry)));
    expect(checkpointOfNote(log.latestCheckpoint()!.note).root).toEqual(root);
    // Each entry is stored at the index it was acknowledged with.
    for (const r of results.slice(0, 20)) {
      const text = new TextDecoder().decode(stored[r.index]?.entry);
      expect(JSON.parse(text)).toHaveProperty('statement');
    }
  });

  it('refuses an entry too long for a tlog-tiles entry bundle, and keeps going', async () => {
    const log = await Sequencer.open(db, options);
    await expect(log.append(new Uint8Array(65_536))).rejects.toThrow(/exceeds 65535/);
    expect((await log.append(new Uint8Array(65_535))).index).toBe(0);
  });

  it('checkpoint sizes only grow and each is consistent with the one before', async () => {
    const log = await Sequencer.open(db, options);
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: round * 7 + 1 }, (_, i) => log.append(entry(round * 100 + i))));
    }
    const checkpoints = await log.reader.checkpoints();
    for (let i = 1; i < checkpoints.length; i++) {
      const [before, after] = [checkpoints[i - 1]!, checkpoints[i]!];
      expect(after.size).toBeGreaterThan(before.size);
      const older = checkpointOfNote(before.note);
      const newer = checkpointOfNote(after.note);
      const { proof } = await log.reader.consistency(older.size, newer.size);
      expect(isConsistentSuccessor(older, newer, proof)).toBe(true);
    }
  });

  it('serves an entry with an inclusion proof against the latest or a given checkpoint', async () => {
    const log = await Sequencer.open(db, options);
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(entry(i))));
    const early = log.latestCheckpoint()!;
    await Promise.all(Array.from({ length: 37 }, (_, i) => log.append(entry(10 + i))));
    for (const size of [undefined, early.size]) {
      const found = await log.reader.entry(3, size);
      const checkpoint = checkpointOfNote(found.checkpoint.note);
      expect(checkpoint.size).toBe(size ?? 47);
      expect(found.entry).toEqual(entry(3));
      expect(
        verifyInclusion(3, checkpoint.size, leafHash(found.entry), found.inclusionProof, checkpoint.root),
      ).toBe(true);
    }
    await expect(log.reader.entry(47)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(log.reader.entry(-1)).rejects.toBeInstanceOf(LogReadError);
    await expect(log.reader.entry(0, 5)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('proves consistency between two sizes and refuses sizes it has not signed', async () => {
    const log = await Sequencer.open(db, options);
    const roots: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      await log.append(entry(i));
      roots.push(checkpointOfNote(log.latestCheckpoint()!.note).root);
    }
    const { proof } = await log.reader.consistency(7, 20);
    expect(verifyConsistency(7, 20, proof, roots[6]!, roots[19]!)).toBe(true);
    expect((await log.reader.consistency(5, 5)).proof).toEqual([]);
    await expect(log.reader.consistency(5, 21)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(log.reader.consistency(9, 3)).rejects.toMatchObject({ kind: 'bad-request' });
  });

  it('reopens where it left off, and continues the same tree', async () => {
    const first = await Sequencer.open(db, options);
    await Promise.all(Array.from({ length: 25 }, (_, i) => first.append(entry(i))));
    await first.close();
    await expect(first.append(entry(99))).rejects.toBeInstanceOf(SequencerError);
    const second = await Sequencer.open(db, options);
    expect(second.size).toBe(25);
    expect((await second.append(entry(25))).index).toBe(25);
    const leaves = (await second.store.readEntries(0, 26)).map((e) => leafHash(e.entry));
    expect(checkpointOfNote(second.latestCheckpoint()!.note).root).toEqual(rootFromLeafHashes(leaves));
  });

  it('signs a checkpoint on reopen for entries committed after the last checkpoint', async () => {
    const log = await Sequencer.open(db, options);
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(entry(i))));
    // A crash between the commit of a batch and the checkpoint over it: entries without checkpoint.
    await db.run('DELETE FROM log_checkpoints WHERE size = 5');
    const reopened = await Sequencer.open(db, options);
    expect(reopened.size).toBe(5);
    expect((await reopened.reader.checkpoint()).size).toBe(5);
  });

  it('refuses to open when stored entries contradict the last checkpoint', async () => {
    const log = await Sequencer.open(db, options);
    await Promise.all(Array.from({ length: 9 }, (_, i) => log.append(entry(i))));
    await db.run('UPDATE log_nodes SET hash = ? WHERE level = 3 AND idx = 0', [
      Buffer.alloc(32, 7).toString('base64'),
    ]);
    await expect(Sequencer.open(db, options)).rejects.toThrow(/does not match the checkpoint/);
  });

  it('refuses to open when a checkpoint covers entries that are not stored', async () => {
    const log = await Sequencer.open(db, options);
    await Promise.all(Array.from({ length: 4 }, (_, i) => log.append(entry(i))));
    await db.run('DELETE FROM log_entries WHERE idx = 3');
    await expect(Sequencer.open(db, options)).rejects.toThrow(/not stored/);
  });

  it('refuses to open when an uncheckpointed tail entry differs from its hashes', async () => {
    const log = await Sequencer.open(db, options);
    await Promise.all(Array.from({ length: 6 }, (_, i) => log.append(entry(i))));
    await db.run('DELETE FROM log_checkpoints WHERE size = 6');
    await db.run('UPDATE log_entries SET entry = ? WHERE idx = 5', [
      Buffer.from('forged').toString('base64'),
    ]);
    await expect(Sequencer.open(db, options)).rejects.toThrow(/leaf hash of entry 5/);
  });

  it('refuses a forged last checkpoint and a different key or origin for a registered log', async () => {
    const log = await Sequencer.open(db, options);
    await log.append(entry(0));
    await expect(Sequencer.open(db, { ...options, origin: 'elsewhere.example/consent' })).rejects.toThrow(
      /registered with origin/,
    );
    await expect(Sequencer.open(db, { ...options, ...testLogKey('other-key') })).rejects.toThrow(
      /registered/,
    );
    await expect(
      Sequencer.open(db, { ...options, verifierKey: testLogKey('other-key').verifierKey }),
    ).rejects.toThrow(/not the signer's key/);
    const other = testLogKey(options.signer.name === 'x' ? 'y' : 'impostor');
    const forged = (await log.store.latestCheckpoint())!.note.replace(/— .*\n$/, '');
    await db.run('UPDATE log_checkpoints SET note = ? WHERE size = 1', [
      forged + `— ${options.signer.name} ${Buffer.from(other.signer.sign('x')).toString('base64')}\n`,
    ]);
    await expect(Sequencer.open(db, options)).rejects.toThrow(/does not verify/);
  });

  it('rejects a failed batch, recovers, and keeps appending consistently', async () => {
    const log = await Sequencer.open(db, options);
    await log.append(entry(0));
    // Another writer took index 1 behind the sequencer's back: its next commit fails.
    const intruder = new SqlLogStore(db, options.logId);
    await intruder.commit({
      entries: [{ index: 1, entry: entry(1), leafHash: leafHash(entry(1)) }],
      nodes: [],
    });
    await expect(log.append(entry(2))).rejects.toThrow();
    // Recovery finds the store inconsistent (a leaf without its node), so the sequencer stops.
    await expect(log.append(entry(3))).rejects.toBeInstanceOf(SequencerError);
    await expect(Sequencer.open(db, options)).rejects.toThrow(/node 0\/1/);
  });

  it('a registry opens several logs in one database, each with its own tree', async () => {
    const registry = await LogRegistry.open(db, [testLogOptions('consent'), testLogOptions('index')]);
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => registry.log('consent').append(entry(i))),
      ...Array.from({ length: 3 }, (_, i) => registry.log('index').append(entry(i))),
    ]);
    expect(registry.log('consent').size).toBe(5);
    expect(registry.log('index').size).toBe(3);
    expect(registry.get('nope')).toBeUndefined();
    expect(() => registry.log('nope')).toThrow(SequencerError);
    await registry.close();
    await expect(LogRegistry.open(db, [testLogOptions('a'), testLogOptions('a')])).rejects.toThrow(/unique/);
  });
});
