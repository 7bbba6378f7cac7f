// The witness of an organisation answers at whichever of its processes a request reaches: its
// compare-and-set on the latest cosigned checkpoint must hold between processes, or two of them
// could cosign two different checkpoints after one size.
import type { Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProcesses, type TestProcesses } from '../testing/processes.ts';
import { WitnessStore } from './witness-store.ts';

describe('WitnessStore shared by processes on one PostgreSQL schema', () => {
  let processes: TestProcesses;
  let dbs: Db[];
  beforeEach(async () => {
    processes = await openProcesses(3);
    dbs = processes.dbs;
  });
  afterEach(() => processes.close());

  it('of concurrent advances from one size, exactly one wins, at every step', async () => {
    const stores = await Promise.all(dbs.map((db) => WitnessStore.open(db)));
    let size = 0;
    for (let step = 0; step < 20; step++) {
      const won = await Promise.all(
        stores.map((store, p) =>
          store.advance('log.example/a', size, { size: size + 1 + p, note: `note ${step} ${p}` }),
        ),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      const latest = (await stores[0]?.latest('log.example/a'))!;
      expect(latest.size).toBe(size + 1 + won.indexOf(true));
      size = latest.size;
    }
  });
});
