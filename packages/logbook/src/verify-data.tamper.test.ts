// Reliability: random byte flips and truncations of stored log data, made directly in SQLite,
// are every one found by verify, at the right index or checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db, type SqlValue } from '@ketenlog/storage';
import { assert, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { LogRegistry } from './sequencer-registry.ts';
import { testLogOptions } from './testing/log-keys.ts';
import { verifyData, verifyLog, type LogVerifyResult } from './verify-data.ts';

const ITERATIONS = 400;
const SIZE = 300;

/** xorshift32: reproducible randomness for a seeded test. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

type Target = 'entry' | 'leaf_hash' | 'node' | 'checkpoint';
type Mutation = 'flip-decoded' | 'flip-stored' | 'truncate-decoded' | 'truncate-stored';

interface Cell {
  readonly table: string;
  readonly column: string;
  readonly where: string;
  readonly params: SqlValue[];
  readonly value: string;
  /** What verify must name: the first bad entry index, or the checkpoint's size. */
  readonly expect: Partial<LogVerifyResult>;
}

async function pickCell(db: Db, target: Target, random: (n: number) => number): Promise<Cell> {
  if (target === 'entry' || target === 'leaf_hash') {
    const idx = random(SIZE);
    const [row] = await db.all<Record<string, string>>(
      `SELECT ${target} FROM log_entries WHERE log_id = 'consent' AND idx = ?`,
      [idx],
    );
    const value = row?.[target];
    assert(value !== undefined, `no ${target} in entry ${idx}`);
    const where = "log_id = 'consent' AND idx = ?";
    return {
      table: 'log_entries',
      column: target,
      where,
      params: [idx],
      value,
      expect: { firstBadIndex: idx },
    };
  }
  if (target === 'node') {
    const nodes = await db.all<{ level: number; idx: number; hash: string }>(
      "SELECT level, idx, hash FROM log_nodes WHERE log_id = 'consent'",
    );
    const node = nodes[random(nodes.length)];
    assert(node);
    return {
      table: 'log_nodes',
      column: 'hash',
      where: "log_id = 'consent' AND level = ? AND idx = ?",
      params: [node.level, node.idx],
      value: node.hash,
      expect: { firstBadIndex: Number(node.idx) * 2 ** Number(node.level) },
    };
  }
  const checkpoints = await db.all<{ size: number; note: string }>(
    "SELECT size, note FROM log_checkpoints WHERE log_id = 'consent'",
  );
  const checkpoint = checkpoints[random(checkpoints.length)];
  assert(checkpoint);
  return {
    table: 'log_checkpoints',
    column: 'note',
    where: "log_id = 'consent' AND size = ?",
    params: [checkpoint.size],
    value: checkpoint.note,
    expect: { checkpointSize: Number(checkpoint.size) },
  };
}

function mutate(cell: Cell, mutation: Mutation, random: (n: number) => number): string {
  // A checkpoint is stored as text, so its decoded form is its UTF-8 bytes.
  const decoded =
    cell.column === 'note' ? Buffer.from(cell.value, 'utf8') : Buffer.from(cell.value, 'base64');
  const encode = (bytes: Buffer): string =>
    cell.column === 'note' ? bytes.toString('utf8') : bytes.toString('base64');
  switch (mutation) {
    case 'flip-decoded': {
      if (decoded.length === 0) return `${cell.value}A`;
      const copy = Buffer.from(decoded);
      copy[random(copy.length)]! ^= 1 << random(8);
      return encode(copy);
    }
    case 'truncate-decoded':
      return encode(decoded.subarray(0, random(Math.max(decoded.length, 1))));
    case 'flip-stored': {
      const at = random(cell.value.length);
      const code = cell.value.charCodeAt(at) ^ (1 << random(7));
      return cell.value.slice(0, at) + String.fromCharCode(code || 1) + cell.value.slice(at + 1);
    }
    case 'truncate-stored':
      return cell.value.slice(0, random(cell.value.length));
  }
}

describe('verify finds tampering with stored log data (SQLite)', () => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ketenlog-tamper-'));
    db = await openSqlite(join(dir, 'node.sqlite'));
    const registry = await LogRegistry.open(db, [testLogOptions('consent'), testLogOptions('access')]);
    for (let i = 0; i < SIZE;) {
      const batch = Math.min(SIZE - i, 1 + (i % 17));
      await Promise.all(
        Array.from({ length: batch }, (_, k) => registry.log('consent').append(utf8(`{"n":${i + k}}`))),
      );
      i += batch;
    }
    await registry.log('access').append(utf8('untouched'));
    await registry.close();
    expect((await verifyData(db)).ok).toBe(true);
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`detects every one of ${ITERATIONS} seeded flips and truncations, at the right place`, async () => {
    const random = prng(20261124);
    const targets: Target[] = ['entry', 'leaf_hash', 'node', 'checkpoint'];
    const mutations: Mutation[] = ['flip-decoded', 'flip-stored', 'truncate-decoded', 'truncate-stored'];
    let tried = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const target = targets[i % targets.length]!;
      const mutation = mutations[Math.floor(i / targets.length) % mutations.length]!;
      const cell = await pickCell(db, target, random);
      const changed = mutate(cell, mutation, random);
      if (changed === cell.value) continue;
      tried++;
      const set = `UPDATE ${cell.table} SET ${cell.column} = ? WHERE ${cell.where}`;
      await db.run(set, [changed, ...cell.params]);
      const result = await verifyLog(db, 'consent');
      expect(result, `${target} ${mutation} ${JSON.stringify(cell.params)}`).toMatchObject({
        ok: false,
        ...cell.expect,
      });
      if (i % 20 === 0) expect((await verifyData(db)).ok).toBe(false);
      await db.run(set, [cell.value, ...cell.params]);
    }
    expect(tried).toBeGreaterThan(ITERATIONS * 0.9);
    expect((await verifyData(db)).ok).toBe(true);
  });

  it('detects a deleted entry, node or checkpoint row', async () => {
    for (const [table, where] of [
      ['log_entries', 'idx = 123'],
      ['log_nodes', 'level = 2 AND idx = 5'],
      ['log_checkpoints', `size = (SELECT MAX(size) FROM log_checkpoints WHERE log_id = 'consent')`],
    ]) {
      const rows = await db.all<Record<string, SqlValue>>(
        `SELECT * FROM ${table} WHERE log_id = 'consent' AND ${where}`,
      );
      expect(rows).toHaveLength(1);
      await db.run(`DELETE FROM ${table} WHERE log_id = 'consent' AND ${where}`);
      const result = await verifyLog(db, 'consent');
      if (table === 'log_checkpoints') {
        // Without its last checkpoint the log is a committed but unsigned tail: legal after a crash.
        expect(result).toMatchObject({ ok: true });
        expect(result.ok && result.uncovered).toBeGreaterThan(0);
      } else {
        expect(result.ok, table).toBe(false);
      }
      const cells = Object.entries(rows[0]!);
      await db.run(
        `INSERT INTO ${table} (${cells.map(([column]) => column).join(', ')}) VALUES (${cells.map(() => '?').join(', ')})`,
        cells.map(([, value]) => value),
      );
    }
    expect((await verifyData(db)).ok).toBe(true);
  });
});
