// Reliability: kill -9 of a process appending to a SQLite log, in the middle of batches, twenty
// times with a restart each time. No acknowledged entry is lost, no checkpoint covers entries that
// were not stored, and verify passes after every crash.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '@ketenlog/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlLogStore } from './store/log-store.ts';
import { verifyData } from './verify-data.ts';

const CHILD = join(import.meta.dirname, 'testing', 'append-child.ts');
const ROUNDS = 20;

interface Round {
  /** Entry text by acknowledged index. */
  readonly acks: Map<number, string>;
  readonly openedAt: number;
}

/** Runs the child until it has acknowledged some appends, then kills it with SIGKILL mid-stream. */
function crashRound(path: string, run: string): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, path, run], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks = new Map<number, string>();
    let openedAt = -1;
    let buffered = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, index, entry] = line.split(' ');
        if (word === 'open') openedAt = Number(index);
        if (word === 'ack') {
          if (entry === undefined) throw new Error(`crash child: an ack line without an entry: ${line}`);
          acks.set(Number(index), entry);
        }
      }
      // Kill at a random moment once appends are flowing: almost always inside a batch.
      if (acks.size > 0 && !killTimer) killTimer = setTimeout(() => child.kill('SIGKILL'), randomInt(5, 120));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`append child exited with ${code}: ${stderr}`));
      else resolve({ acks, openedAt });
    });
  });
}

describe('kill -9 while appending', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-crash-'));
  const path = join(dir, 'node.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`loses no acknowledged entry over ${ROUNDS} crashes, and verify passes after each`, async () => {
    const acknowledged = new Map<number, string>();
    for (let round = 0; round < ROUNDS; round++) {
      const { acks, openedAt } = await crashRound(path, `r${round}`);
      expect(acks.size, `round ${round}`).toBeGreaterThan(0);
      // Reopening recovered at least every entry acknowledged before.
      expect(openedAt).toBeGreaterThanOrEqual(acknowledged.size);
      for (const [index, entry] of acks) acknowledged.set(index, entry);

      const db = await openSqlite(path);
      try {
        const store = new SqlLogStore(db, 'crash');
        const stored = await store.readEntries(0, Number.MAX_SAFE_INTEGER);
        for (const [index, entry] of acknowledged) {
          expect(new TextDecoder().decode(stored[index]?.entry), `entry ${index}`).toBe(entry);
        }
        // verify: every checkpoint's size is stored and its root re-derives from the entries.
        const result = await verifyData(db);
        expect(result.logs, JSON.stringify(result.logs)).toEqual([expect.objectContaining({ ok: true })]);
        expect((await store.latestCheckpoint())!.size).toBeLessThanOrEqual(stored.length);
      } finally {
        await db.close();
      }
    }
  }, 60_000);
});
