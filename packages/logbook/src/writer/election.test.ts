import { freshPostgresSchema, testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProcesses, type TestProcesses } from '../testing/processes.ts';
import { Election } from './election.ts';

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Election on PostgreSQL', () => {
  let processes: TestProcesses;
  let dbs: Db[];
  beforeEach(async () => {
    processes = await openProcesses(3);
    dbs = processes.dbs;
  });
  afterEach(() => processes.close());

  it('one process holds a role at a time; when it lets go, another has it at once', async () => {
    const holding = new Set<number>();
    let overlapped = false;
    const elections = await Promise.all(
      dbs.map((db, p) =>
        Election.start(db, {
          role: 'mirrors',
          onElected: async () => {
            if (holding.size > 0) overlapped = true;
            holding.add(p);
          },
          onDeposed: async () => void holding.delete(p),
        }),
      ),
    );
    expect(elections.filter((e) => e.elected)).toHaveLength(1);
    const first = elections.findIndex((e) => e.elected);
    await elections[first]?.close();
    await until(() => holding.size === 1);
    expect(holding.has(first)).toBe(false);
    await Promise.all(elections.map((e) => e.close()));
    expect(holding.size).toBe(0);
    expect(overlapped).toBe(false);
  });

  it('roles are independent, and so are schemas', async () => {
    const other = await freshPostgresSchema();
    const elsewhere = await other.open();
    try {
      const start = (db: Db, role: string) =>
        Election.start(db, { role, onElected: async () => {}, onDeposed: async () => {} });
      const a = await start(dbs[0]!, 'log:statements');
      const b = await start(dbs[1]!, 'mirrors');
      const c = await start(elsewhere, 'log:statements');
      const d = await start(dbs[2]!, 'log:statements');
      expect([a.elected, b.elected, c.elected, d.elected]).toEqual([true, true, true, false]);
      await Promise.all([a, b, c, d].map((e) => e.close()));
    } finally {
      await elsewhere.close();
      await other.drop();
    }
  });

  it('a process that fails to take up the role gives it up and tries again', async () => {
    let attempts = 0;
    const election = await Election.start(dbs[0]!, {
      role: 'log:statements',
      retryMs: 20,
      onElected: async () => {
        if (++attempts < 3) throw new Error('the store is not ready');
      },
      onDeposed: async () => {},
    });
    await until(() => election.elected);
    expect(attempts).toBe(3);
    await election.close();
  });
});

describe.each(testDatabases().filter((d) => d.name === 'sqlite'))('Election on $name', ({ open }) => {
  it('the one process always holds the role', async () => {
    const db = await open();
    const election = await Election.start(db, {
      role: 'mirrors',
      onElected: async () => {},
      onDeposed: async () => {},
    });
    expect(election.elected).toBe(true);
    await election.close();
    expect(election.elected).toBe(false);
    await db.close();
  });
});
