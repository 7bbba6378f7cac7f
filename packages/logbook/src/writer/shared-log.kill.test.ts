// Reliability: three real processes append to one log on PostgreSQL; the integrating one is killed
// with SIGKILL mid-load, several times, and replaced. Another takes over within seconds, every
// acknowledged append is in the log at the index it was acknowledged with, appends reaching the
// processes that do not integrate were sequenced by the one that does, and every stored checkpoint
// re-derives from the entries (so no two differ for one size).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresSchema, type Db, type PostgresSchema } from '@ketenlog/storage';
import { AppendProcess } from '../testing/append-process.ts';
import { SqlLogStore } from '../store/log-store.ts';
import { verifyData } from '../verify-data.ts';

const KILLS = 3;
const TAKEOVER_MS = 5_000;

describe('SIGKILL of the integrating process', () => {
  let shared: PostgresSchema;
  let db: Db;
  const processes: AppendProcess[] = [];
  beforeAll(async () => {
    shared = await freshPostgresSchema();
    db = await shared.open();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await db.close();
    await shared.drop();
  });

  it(`another process takes over within seconds, ${KILLS} times, and nothing acknowledged is lost`, async () => {
    let runs = 0;
    const start = () => {
      const p = new AppendProcess(shared.url, shared.schema, `r${runs++}`);
      processes.push(p);
      return p;
    };
    let live = [start(), start(), start()];
    await Promise.all(live.map((p) => p.until(() => p.acks.size > 0)));
    const forwardedAcks = () =>
      live.filter((p) => p.role === 'forwarding').reduce((n, p) => n + p.acks.size, 0);
    expect(live.filter((p) => p.role === 'integrating')).toHaveLength(1);
    // Appends reaching the processes that do not integrate were sequenced by the one that does.
    expect(forwardedAcks()).toBeGreaterThan(0);

    for (let kill = 0; kill < KILLS; kill++) {
      const integrator = live.find((p) => p.role === 'integrating')!;
      const survivors = live.filter((p) => p !== integrator);
      const before = new Map(survivors.map((p) => [p, p.acks.size]));
      const killedAt = performance.now();
      await integrator.kill();
      await Promise.race(survivors.map((p) => p.until(() => p.role === 'integrating', TAKEOVER_MS)));
      const successor = survivors.find((p) => p.role === 'integrating')!;
      expect(successor.integratingSince! - killedAt).toBeLessThan(TAKEOVER_MS);
      // Appends flow again at every survivor, forwarded ones included.
      await Promise.all(
        survivors.map((p) => p.until(() => p.acks.size > before.get(p)! + 10, TAKEOVER_MS * 2)),
      );
      live = [...survivors, start()];
    }
    await Promise.all(live.map((p) => p.kill()));

    const acknowledged = new Map<number, string>();
    for (const p of processes) {
      for (const [index, entry] of p.acks) {
        // One index is never acknowledged for two different entries.
        expect(acknowledged.get(index) ?? entry, `index ${index}`).toBe(entry);
        acknowledged.set(index, entry);
      }
    }
    expect(acknowledged.size).toBeGreaterThan(100);
    const store = new SqlLogStore(db, 'shared');
    const stored = await store.readEntries(0, Number.MAX_SAFE_INTEGER);
    for (const [index, entry] of acknowledged) {
      expect(new TextDecoder().decode(stored[index]?.entry), `entry ${index}`).toBe(entry);
    }
    const result = await verifyData(db);
    expect(result.ok, JSON.stringify(result.logs)).toBe(true);
    expect(result.logs[0]).toMatchObject({ ok: true, logId: 'shared' });
  }, 120_000);
});
