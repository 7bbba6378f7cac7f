import { DatabaseSync } from 'node:sqlite';
import { assert, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { oneRow, type Db } from './db.ts';
import { openDatabase } from './open.ts';
import { toNumberedPlaceholders } from './placeholders.ts';
import { freshPostgresSchema, testDatabases } from './testing.ts';

describe.each(testDatabases())('the $name engine', ({ open }) => {
  let db: Db;
  beforeEach(async () => {
    db = await open();
    await db.exec(
      'CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL, x DOUBLE PRECISION); CREATE INDEX t_n ON t (n)',
    );
  });
  afterEach(async () => db.close());

  it('returns BIGINT columns as JS numbers and reports changed rows', async () => {
    const { changes } = await db.run('INSERT INTO t (k, n, x) VALUES (?, ?, ?), (?, ?, ?)', [
      'a',
      1_700_000_000_000,
      1.5,
      'b',
      2,
      null,
    ]);
    expect(changes).toBe(2);
    const rows = await db.all<{ k: string; n: number; x: number | null }>('SELECT k, n, x FROM t ORDER BY k');
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { k: 'a', n: 1_700_000_000_000, x: 1.5 },
      { k: 'b', n: 2, x: null },
    ]);
    expect((await db.run('UPDATE t SET n = n + 1 WHERE k = ?', ['zzz'])).changes).toBe(0);
  });

  it('commits a transaction as a whole', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (k, n) VALUES (?, ?)', ['a', 1]);
      await tx.run('INSERT INTO t (k, n) VALUES (?, ?)', ['b', 2]);
      return oneRow(await tx.all<{ c: number }>('SELECT count(*) AS c FROM t')).c;
    });
    expect(Number(result)).toBe(2);
    expect(await db.all('SELECT k FROM t')).toHaveLength(2);
  });

  it('rolls back everything when the transaction throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (k, n) VALUES (?, ?)', ['a', 1]);
        await tx.run('INSERT INTO t (k, n) VALUES (?, ?)', ['a', 2]); // primary-key violation
      }),
    ).rejects.toThrow();
    expect(await db.all('SELECT k FROM t')).toHaveLength(0);
    // The handle is usable afterwards.
    await db.run('INSERT INTO t (k, n) VALUES (?, ?)', ['c', 3]);
    expect(await db.all('SELECT k FROM t')).toHaveLength(1);
  });

  it('serialises concurrent read-modify-write transactions so no update is lost', async () => {
    await db.run('INSERT INTO t (k, n) VALUES (?, ?)', ['counter', 0]);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const { n } = oneRow(await tx.all<{ n: number }>('SELECT n FROM t WHERE k = ?', ['counter']));
          await new Promise((r) => setTimeout(r, 1));
          await tx.run('UPDATE t SET n = ? WHERE k = ?', [n + 1, 'counter']);
        }),
      ),
    );
    expect(oneRow(await db.all<{ n: number }>('SELECT n FROM t')).n).toBe(20);
  });

  it("does not show a running transaction's uncommitted rows to readers outside it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((r) => (inserted = r));
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO t (k, n) VALUES (?, ?)', ['pending', 1]);
      inserted();
      await gate;
      throw new Error('abandon');
    });
    await insertedSignal;
    expect(await db.all('SELECT k FROM t')).toHaveLength(0);
    release();
    await expect(tx).rejects.toThrow('abandon');
  });

  it('keeps concurrent transactions independent: a failing one is undone alone, the others are committed and visible once resolved', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (k, n) VALUES (?, ?)', [`k${i}`, i]);
          if (i % 5 === 3) throw new Error(`transaction ${i} fails`);
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') {
        expect(r.value).toBe(i);
      } else {
        expect(String(r.reason)).toContain(`transaction ${i} fails`);
      }
    }
    const rows = await db.all<{ k: string }>('SELECT k FROM t ORDER BY n');
    expect(rows.map((r) => r.k)).toEqual(
      Array.from({ length: 20 }, (_, i) => i)
        .filter((i) => i % 5 !== 3)
        .map((i) => `k${i}`),
    );
  });

  it('stores and returns binary values', async () => {
    await db.exec(`CREATE TABLE b (v ${db.dialect === 'postgres' ? 'BYTEA' : 'BLOB'})`);
    await db.run('INSERT INTO b (v) VALUES (?)', [new Uint8Array([0, 1, 255])]);
    const { v } = oneRow(await db.all<{ v: Uint8Array }>('SELECT v FROM b'));
    expect([...v]).toEqual([0, 1, 255]);
  });
});

describe('the SQLite engine', () => {
  it('rejects a Db call made inside its own transaction instead of deadlocking', async () => {
    const db = await openDatabase(':memory:');
    await expect(db.transaction(async () => db.run('SELECT 1'))).rejects.toThrow(/transaction handle/);
    await db.close();
  });

  it('prepares a statement once per connection, however many transactions commit', async () => {
    const db = await openDatabase(':memory:');
    await db.exec('CREATE TABLE t (n INTEGER)');
    const prepare = vi.spyOn(DatabaseSync.prototype, 'prepare');
    try {
      for (let n = 0; n < 50; n++) await db.transaction((tx) => tx.run('INSERT INTO t (n) VALUES (?)', [n]));
      expect(prepare.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      prepare.mockRestore();
      await db.close();
    }
  });
});

describe('placeholder translation', () => {
  it('numbers question marks but leaves literals, identifiers and comments alone', () => {
    expect(toNumberedPlaceholders(`SELECT '?', "a?" FROM t -- ?\nWHERE a = ? /* ? */ AND b = ?`)).toBe(
      `SELECT '?', "a?" FROM t -- ?\nWHERE a = $1 /* ? */ AND b = $2`,
    );
  });
});

describe('openDatabase', () => {
  it('opens PostgreSQL for a postgres URL and SQLite otherwise', async () => {
    const sqlite = await openDatabase(':memory:');
    expect(sqlite.dialect).toBe('sqlite');
    await sqlite.close();
    const postgres = await openDatabase(process.env.KETENLOG_TEST_PG!);
    expect(postgres.dialect).toBe('postgres');
    await postgres.close();
  });
});

describe('PostgreSQL schema changes from several processes', () => {
  it('run one at a time, so processes starting together on one database all create their tables', async () => {
    const schema = await freshPostgresSchema();
    const handles = await Promise.all([schema.open(), schema.open(), schema.open()]);
    try {
      for (let round = 0; round < 5; round++)
        await Promise.all(
          handles.map((db) =>
            db.exec(
              `CREATE TABLE IF NOT EXISTS t${round} (k TEXT PRIMARY KEY); CREATE INDEX IF NOT EXISTS t${round}_k ON t${round} (k)`,
            ),
          ),
        );
      expect(await handles[0]!.all('SELECT k FROM t4')).toEqual([]);
    } finally {
      await Promise.all(handles.map((db) => db.close()));
      await schema.drop();
    }
  });
});

describe('PostgreSQL losing a connection in the middle of a transaction', () => {
  it('fails that transaction without ending the process, and the next one runs on a fresh connection', async () => {
    // As when the server restarts while a transaction waits between its statements: the deployment
    // test's database restart ended a node process with an uncaught 'error' event before the fix.
    const schema = await freshPostgresSchema();
    const db = await schema.open();
    try {
      await db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
      // Set once the backend is ended, so a failure before that cannot pass as the expected rejection.
      let terminated: number | undefined;
      const attempt = db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (k) VALUES (?)', ['lost']);
        const [backend] = await tx.all<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        assert(backend, 'pg_backend_pid() returned no row');
        terminated = backend.pid;
        await db.all('SELECT pg_terminate_backend(?::int)', [backend.pid]);
        // The server ends the connection while no statement of this transaction is running.
        await new Promise((r) => setTimeout(r, 300));
        await tx.run('INSERT INTO t (k) VALUES (?)', ['after']);
      });
      await expect(attempt).rejects.toThrow();
      expect(terminated).toBeTypeOf('number');
      await db.transaction((tx) => tx.run('INSERT INTO t (k) VALUES (?)', ['next']));
      expect(await db.all('SELECT k FROM t ORDER BY k')).toEqual([{ k: 'next' }]);
    } finally {
      await db.close();
      await schema.drop();
    }
  });
});
