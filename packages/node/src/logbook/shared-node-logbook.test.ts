// Two processes of one organisation on one PostgreSQL schema, each with its own pool and its own
// NodeLogbook: one integrates the log, a statement submitted at either is logged with the next
// index, and each process folds what the other appended before judging its own.
import { randomBytes } from 'node:crypto';
import { verifyData } from '@ketenlog/logbook';
import { loadRegionConfig } from '@ketenlog/region';
import { freshPostgresSchema, type Db, type PostgresSchema } from '@ketenlog/storage';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { loadMembership, type Membership } from '../region/membership.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import { NodeLogbook, type Logger } from './node-logbook.ts';
import { signedIndexStatement } from './testing.ts';

const errors: string[] = [];
const logger: Logger = { info: () => {}, warn: () => {}, error: (_obj, msg) => errors.push(msg) };

describe('a node of two processes on one PostgreSQL', () => {
  let shared: PostgresSchema;
  let dbs: Db[];
  let logbooks: NodeLogbook[];
  let membership: Membership;
  beforeAll(async () => {
    const files = await demoRegionOnFreePorts({ members: 3 });
    const ura = loadRegionConfig(files.regionFile).organisations[0]?.ura;
    assert(ura, 'the demo region has a first organisation');
    membership = loadMembership(files.regionFile, files.secretsFile, ura);
    shared = await freshPostgresSchema();
    dbs = [await shared.open(), await shared.open()];
    logbooks = await Promise.all(
      dbs.map((db) =>
        NodeLogbook.open({
          db,
          membership,
          log: logger,
          // The other members are not running: mirrors and witnesses are out of reach.
          fetch: () => Promise.reject(new TypeError('fetch failed')),
          mirrorIntervalMs: 100_000,
        }),
      ),
    );
  }, 30_000);
  afterAll(async () => {
    await Promise.all(logbooks.map((l) => l.close()));
    await Promise.all(dbs.map((d) => d.close()));
    await shared.drop();
  });

  it('one process integrates; statements submitted at either get consecutive indices', async () => {
    const integrating = logbooks.filter((l) => l.sequencer.integrating);
    expect(integrating).toHaveLength(1);
    const [follower] = logbooks.filter((l) => !l.sequencer.integrating);
    const [integrator] = integrating;
    assert(follower && integrator, 'one follower and one integrator');
    const at = (logbook: NodeLogbook) =>
      logbook.submit(
        signedIndexStatement(
          membership.statementKey,
          membership.organisation.ura,
          randomBytes(32).toString('base64url'),
        ),
      );
    const indices = [];
    for (const logbook of [follower, integrator, follower, integrator]) {
      const result = await at(logbook);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (result.ok) indices.push(result.value.index);
    }
    expect(indices).toEqual([0, 1, 2, 3]);
    // Each process folded the other's statements in log order: none had to rebuild its state.
    expect(errors).toEqual([]);
    expect(await logbooks[0]?.sequencer.store.entryCount()).toBe(4);
    expect((await verifyData(dbs[1]!)).ok).toBe(true);
  });
});
