import { testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { openCheckpoint } from '../checkpoint.ts';
import { leafHash, verifyInclusion } from '../merkle.ts';
import { verifierFromKey } from '../note.ts';
import { SqlLogStore } from '../store/log-store.ts';
import { testLogOptions } from '../testing/log-keys.ts';
import { openProcesses, type TestProcesses } from '../testing/processes.ts';
import { verifyData } from '../verify-data.ts';
import { SharedLog } from './shared-log.ts';

const options = { ...testLogOptions('statements'), pollMs: 200 };
const verifier = verifierFromKey(options.verifierKey);
const entry = (process: number, i: number): Uint8Array => utf8(`{"process":${process},"n":${i}}`);

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The entry at `index` is the one appended, under the checkpoint the append answered with. */
async function expectAnswer(
  db: Db,
  bytes: Uint8Array,
  result: { index: number; checkpoint: { size: number; note: string } },
) {
  const store = new SqlLogStore(db, options.logId);
  expect(await store.readEntry(result.index)).toEqual(bytes);
  const { checkpoint } = openCheckpoint(result.checkpoint.note, options.origin, verifier);
  expect(checkpoint.size).toBe(result.checkpoint.size);
  expect(checkpoint.size).toBeGreaterThan(result.index);
  // The first stored checkpoint covering the entry, whichever process answered.
  const earlier = await store.checkpoints(result.index, 1);
  expect(earlier[0]).toEqual(result.checkpoint);
}

describe('SharedLog: three processes on one PostgreSQL schema', () => {
  let processes: TestProcesses;
  let dbs: Db[];
  let logs: SharedLog[];
  beforeEach(async () => {
    processes = await openProcesses(3);
    dbs = processes.dbs;
    logs = [];
  });
  afterEach(async () => {
    await Promise.all(logs.map((l) => l.close()));
    await processes.close();
  });

  const openAll = async () => {
    // Started together, as three node processes would be.
    logs = await Promise.all(dbs.map((db) => SharedLog.open(db, options)));
    return logs;
  };

  it('exactly one process integrates; appends at any process get dense indices and the same kind of answer', async () => {
    await openAll();
    expect(logs.filter((l) => l.integrating)).toHaveLength(1);
    const appended = logs.flatMap((log, p) =>
      Array.from({ length: 40 }, (_, i) => ({ p, bytes: entry(p, i), log })),
    );
    const results = await Promise.all(appended.map((a) => a.log.append(a.bytes)));
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(appended.map((_, i) => i));
    for (const [i, a] of appended.entries()) await expectAnswer(dbs[a.p]!, a.bytes, results[i]!);
    // Every forwarded append was answered and its row removed.
    expect(await dbs[0]?.all('SELECT id FROM log_pending')).toEqual([]);
    // Inclusion proofs from a follower's reader verify against the answered checkpoint.
    const follower = logs.find((l) => !l.integrating)!;
    const last = results.at(-1)!;
    const proved = await follower.reader.entry(last.index, last.checkpoint.size);
    const { checkpoint } = openCheckpoint(proved.checkpoint.note, options.origin, verifier);
    expect(proved.entry).toEqual(appended.at(-1)!.bytes);
    expect(
      verifyInclusion(
        last.index,
        checkpoint.size,
        leafHash(proved.entry),
        proved.inclusionProof,
        checkpoint.root,
      ),
    ).toBe(true);
    expect((await verifyData(dbs[1]!)).ok).toBe(true);
  });

  it('another process takes over when the integrator goes; nothing acknowledged is lost and no size is signed twice differently', async () => {
    await openAll();
    const first = logs.findIndex((l) => l.integrating);
    const acknowledged: { bytes: Uint8Array; index: number }[] = [];
    const appendAt = async (p: number, n: number) => {
      const bytes = entry(p, n);
      acknowledged.push({ bytes, index: (await logs[p]!.append(bytes)).index });
    };
    await Promise.all(logs.map((_, p) => appendAt(p, 0)));
    // The integrator goes away while the others keep appending.
    const followers = [0, 1, 2].filter((p) => p !== first);
    const during = Promise.all(
      followers.flatMap((p) => Array.from({ length: 20 }, (_, i) => appendAt(p, 100 + i))),
    );
    await logs[first]?.close();
    await until(() => followers.some((p) => logs[p]?.integrating));
    await during;
    expect(followers.filter((p) => logs[p]?.integrating)).toHaveLength(1);
    await Promise.all(followers.map((p) => appendAt(p, 200)));

    const store = new SqlLogStore(dbs[0]!, options.logId);
    for (const a of acknowledged) expect(await store.readEntry(a.index)).toEqual(a.bytes);
    expect(new Set(acknowledged.map((a) => a.index)).size).toBe(acknowledged.length);
    const result = await verifyData(dbs[0]!);
    expect(result.ok, JSON.stringify(result.logs)).toBe(true);
  });

  it('a forwarded append waits for an integrator and is sequenced once one is elected', async () => {
    // Only a follower is running: its integrator is held off by a foreign holder of the lock.
    const holder = await dbs[2]!.session!();
    await holder.all("SELECT pg_advisory_lock(?::int, hashtext(current_schema() || '/' || ?))", [
      0x6b6c6f67,
      `log:${options.logId}`,
    ]);
    const follower = await SharedLog.open(dbs[0]!, options);
    logs.push(follower);
    expect(follower.integrating).toBe(false);
    const bytes = entry(0, 1);
    const answer = follower.append(bytes);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await dbs[1]?.all('SELECT idx FROM log_pending')).toEqual([{ idx: null }]);
    await holder.close();
    const result = await answer;
    expect(follower.integrating).toBe(true);
    expect(result.index).toBe(0);
    await expectAnswer(dbs[0]!, bytes, result);
  });

  it('an integrator that lost its lock but still writes is fenced: no two different checkpoints of one size', async () => {
    await openAll();
    const integrator = logs.find((l) => l.integrating)!;
    await Promise.all(logs.map((l, p) => l.append(entry(p, 0))));
    // Two integrators at once (a partition): both append; the database refuses the loser's batch.
    const other = logs.find((l) => !l.integrating)!;
    const { Sequencer } = await import('../sequencer.ts');
    const rogue = await Sequencer.open(dbs[logs.indexOf(other)]!, options);
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => integrator.append(entry(7, i))),
      ...Array.from({ length: 10 }, (_, i) => rogue.append(entry(8, i))),
    ]);
    await rogue.close();
    const ok = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
    expect(new Set(ok.map((r) => r.index)).size).toBe(ok.length);
    const result = await verifyData(dbs[0]!);
    expect(result.ok, JSON.stringify(result.logs)).toBe(true);
  });
});

describe.each(testDatabases().filter((d) => d.name === 'sqlite'))('SharedLog on $name', ({ open }) => {
  it('the one process always integrates', async () => {
    const db = await open();
    const log = await SharedLog.open(db, options);
    expect(log.integrating).toBe(true);
    const result = await log.append(entry(0, 0));
    expect(result.index).toBe(0);
    await log.close();
    await db.close();
  });
});
