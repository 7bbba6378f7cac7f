import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import {
  MemoryEphemeralStore,
  SqlEphemeralStore,
  sweepPeriodically,
  type EphemeralStore,
} from './ephemeral-store.ts';
import { freshPostgresSchema, testDatabases } from './testing.ts';

const T = 1_800_000_000_000;

const engines: Array<{
  name: string;
  open: () => Promise<{ store: EphemeralStore; close: () => Promise<void> }>;
}> = [
  ...testDatabases().map(({ name, open }) => ({
    name,
    open: async () => {
      const db = await open();
      return { store: await SqlEphemeralStore.open(db), close: () => db.close() };
    },
  })),
  { name: 'memory', open: async () => ({ store: new MemoryEphemeralStore(), close: async () => {} }) },
];

describe.each(engines)('the ephemeral store on $name', ({ open }) => {
  let store: EphemeralStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => close());

  it('keeps a value until it expires, and namespaces do not see each other', async () => {
    const sessions = store.space('sessions');
    await sessions.put('a', 'one', T + 1000);
    expect(await sessions.get('a', T)).toBe('one');
    expect(await store.space('other').get('a', T)).toBeUndefined();
    expect(await sessions.get('a', T + 1000)).toBeUndefined();
    await sessions.put('a', 'two', T + 2000);
    expect(await sessions.get('a', T + 1500)).toBe('two');
    await sessions.delete('a');
    expect(await sessions.get('a', T)).toBeUndefined();
  });

  it('inserts a replay record once, and again only after it expired', async () => {
    const seen = store.space('jti');
    expect(await seen.insertIfAbsent('token-1', '', T + 60_000, T)).toBe(true);
    expect(await seen.insertIfAbsent('token-1', '', T + 60_000, T + 1)).toBe(false);
    expect(await seen.insertIfAbsent('token-1', '', T + 120_000, T + 60_000)).toBe(true);
  });

  it('replaces only a live entry, keeping its expiry', async () => {
    const sessions = store.space('sessions');
    expect(await sessions.replace('gone', 'x', T)).toBe(false);
    expect(await sessions.get('gone', T)).toBeUndefined();
    await sessions.put('s', 'before', T + 1000);
    expect(await sessions.replace('s', 'after', T)).toBe(true);
    expect(await sessions.get('s', T + 999)).toBe('after');
    expect(await sessions.replace('s', 'late', T + 1000)).toBe(false);
  });

  it('hands a single-use entry to one taker only, and never an expired one', async () => {
    const challenges = store.space('challenges');
    await challenges.put('c', 'subject', T + 1000);
    const taken = await Promise.all([
      challenges.take('c', T),
      challenges.take('c', T),
      challenges.take('c', T),
    ]);
    expect(taken.filter((t) => t === 'subject')).toHaveLength(1);
    await challenges.put('old', 'subject', T + 1000);
    expect(await challenges.take('old', T + 1000)).toBeUndefined();
    expect(await challenges.get('old', T)).toBeUndefined();
  });

  it('counts hits in a window that starts at the first hit, and restarts after it', async () => {
    const limits = store.space('limits');
    expect(await limits.hit('ip:1', T, 60_000)).toEqual({ hits: 1, expiresAt: T + 60_000 });
    expect(await limits.hit('ip:1', T + 59_000, 60_000)).toEqual({ hits: 2, expiresAt: T + 60_000 });
    expect(await limits.hit('ip:2', T + 59_000, 60_000)).toEqual({ hits: 1, expiresAt: T + 119_000 });
    expect(await limits.hit('ip:1', T + 60_000, 60_000)).toEqual({ hits: 1, expiresAt: T + 120_000 });
  });

  it('lists the live entries of one namespace, and sweeps the expired ones', async () => {
    const sessions = store.space('sessions');
    await sessions.put('live', 'L', T + 1000);
    await sessions.put('dead', 'D', T);
    await store.space('other').put('x', 'X', T + 1000);
    expect(await sessions.entries(T)).toEqual([{ key: 'live', value: 'L' }]);
    expect(await store.sweep(T)).toBe(1);
    expect(await store.sweep(T + 1000)).toBe(2);
    expect(await sessions.entries(T)).toEqual([]);
  });
});

describe('two processes on one PostgreSQL database', () => {
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let dbs: [Db, Db];
  beforeEach(async () => {
    schema = await freshPostgresSchema();
    dbs = await Promise.all([schema.open(), schema.open()]);
  });
  afterEach(async () => {
    await Promise.all(dbs.map((db) => db.close()));
    await schema.drop();
  });

  it('create the table together, and agree on replays, single use and counts', async () => {
    const [a, b] = await Promise.all([SqlEphemeralStore.open(dbs[0]), SqlEphemeralStore.open(dbs[1])]);
    const inserted = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).space('jti').insertIfAbsent('token', '', T + 60_000, T),
      ),
    );
    expect(inserted.filter(Boolean)).toHaveLength(1);
    await a.space('challenges').put('c', 'subject', T + 1000);
    const taken = await Promise.all([a.space('challenges').take('c', T), b.space('challenges').take('c', T)]);
    expect(taken.filter((t) => t !== undefined)).toEqual(['subject']);
    const hits = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).space('limits').hit('ip:1', T, 60_000)),
    );
    expect(hits.map((h) => h.hits).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});

describe('periodic sweeping', () => {
  it('deletes expired entries without being asked, until stopped', async () => {
    const store = new MemoryEphemeralStore();
    await store.space('s').put('k', 'v', T);
    let now = T - 1;
    const stop = sweepPeriodically(store, { intervalMs: 5, now: () => now });
    now = T;
    await new Promise((r) => setTimeout(r, 30));
    stop();
    expect(await store.space('s').entries(T - 1)).toEqual([]);
  });
});
