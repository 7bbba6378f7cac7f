import { Sequencer, entryBytes, parseEntry, type LogRef, type SignedStatement } from '@ketenlog/logbook';
import { testLogOptions } from '@ketenlog/logbook/testing';
import { openPostgres, openSqlite, testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, assert, beforeEach, describe, expect, it } from 'vitest';
import { RegionPolicy } from '../policy.ts';
import {
  MARIA,
  PARTNER,
  conflictedHistory,
  interleave,
  regionHistory,
  seededRandom,
  signAs,
  testRegion,
  type AppendedEntry,
} from '../testing.ts';
import { accessesOf } from './access-trail.ts';
import { agreementStatus, runsOf } from './analysis.ts';
import { approvalOf, currentIndication, entryStatus, indicationSummary } from './carelog.ts';
import { consentsInForce, delegationInForce, delegationsOf, effectiveConsent } from './consents.ts';
import { activeKey, keyStatus, partyOfKey } from './keys.ts';
import { holdersOf } from './localisation.ts';
import { approvedMinutesForInsurer, foldLogs, insurersOf, snapshotState } from './region-state.ts';
import { memoryQueries, type RegionStateQueries } from './queries.ts';
import {
  RegionStateConflict,
  SqlRegionState,
  storedLog,
  type AcceptedEntry,
  type ResumableLog,
} from './sql-state.ts';

const region = testRegion();
const history = regionHistory(region);
const { kraamzorg: kz, verloskunde: vk, ziekenhuis: zh, verzekeraar: zv, statistiek: st } = region;
const rebuilt = foldLogs(region.config, history.logs.logs());
const all: AcceptedEntry[] = history.logs.history.map((e) => ({
  log: e.log,
  index: e.index,
  entry: e.envelope,
}));

/** A witness's loop: judge, accept, and (the entry now stored in its log) record it. */
function witnessInto(policy: RegionPolicy, sql: SqlRegionState) {
  return (log: LogRef, index: number, bytes: Uint8Array): boolean => {
    const verdict = policy.check(log, index, bytes);
    if (!verdict.ok) return false;
    policy.accept(log, index, bytes);
    const parsed = parseEntry(bytes);
    if (parsed.ok) sql.enqueue(log, index, parsed.value);
    return true;
  };
}

/** A second handle on the same database, as another process would open it. */
async function openAgain(db: Db): Promise<Db> {
  if (db.dialect === 'postgres') {
    const [row] = await db.all<{ schema: string }>('SELECT current_schema() AS schema');
    assert(row);
    return openPostgres(process.env.KETENLOG_TEST_PG as string, { searchPath: row.schema });
  }
  const files = await db.all<{ name: string; file: string }>('PRAGMA database_list');
  return openSqlite(files.find((f) => f.name === 'main')!.file);
}

/** A log that counts what it hands out, to show a resume reads only the tail. */
function countingLog(entries: readonly AppendedEntry[], counter: { read: number }): ResumableLog {
  return {
    log: entries[0]!.log,
    async *entriesFrom(start) {
      for (const e of entries.slice(start)) {
        counter.read++;
        yield { index: e.index, entry: e.envelope };
      }
    },
  };
}

/** Every question the domains ask, answered by `q`, about the clients, keys and hours of `h`. */
async function answers(q: RegionStateQueries, h: ReturnType<typeof regionHistory>) {
  const keyIds = [h.anna, h.anna2, h.bram, h.maria, h.partner, kz.key].map((k) => k.keyId);
  const keys = await q.keys(keyIds);
  const consents = await q.consents(MARIA);
  const carelog = await q.carelogOfIndication('ind-maria-1');
  const requests = [zh, zv, st].flatMap((m) =>
    ['medication', 'lab', 'ggz', 'x'].map((category) => ({ grantee: m.ref, category, purpose: 'treatment' })),
  );
  return {
    keys: keyIds.map((k) => [keyStatus(keys, k), partyOfKey(region.config, keys, k), activeKey(keys, k)]),
    consents: requests.map((r) => effectiveConsent(consents, MARIA, r)),
    inForce: consentsInForce(consents.get(MARIA)),
    delegations: [
      delegationsOf(consents, MARIA),
      delegationInForce(consents, MARIA, PARTNER, 'carelog.approval'),
    ],
    indication: [currentIndication(carelog, 'ind-maria-1'), indicationSummary(carelog, 'ind-maria-1')],
    entries: await Promise.all(
      h.entries.map(async (e) => {
        const slice = await q.carelogOfEntry(e);
        return [entryStatus(slice, e), approvalOf(slice, e), entryStatus(carelog, e)];
      }),
    ),
    holders: await q.holdersOf(MARIA),
    clients: await Promise.all([kz, zv, st].map((m) => q.clientsOf(m.ref))),
    insurers: await q.insurersOf(MARIA),
    accesses: await q.accessesOf(MARIA),
    minutes: await Promise.all([zv, zh].map((m) => q.approvedMinutesForInsurer(m.ref))),
    agreements: await q.agreements(),
    status: await q.agreementStatus('agr-geboorte-2026'),
    runs: await q.runsOf('agr-geboorte-2026'),
    positions: await q.positions(),
  };
}

describe.each(testDatabases())('the region state in SQL on $name', ({ open }) => {
  let db: Db;
  let others: Db[] = [];
  beforeEach(async () => {
    db = await open();
    others = [];
  });
  afterEach(async () => {
    for (const other of others) await other.close();
    await db.close();
  });

  it('gives the same answers as the in-memory fold', async () => {
    const sql = await SqlRegionState.open(db, region.config);
    await sql.record(all);
    expect(await sql.load()).toEqual(rebuilt);

    expect(await sql.holdersOf(MARIA)).toEqual(holdersOf(rebuilt.index, MARIA));
    expect(await sql.holdersOf('pNobody-000000000000')).toEqual([]);
    expect(await sql.clientsOf(zv.ref)).toEqual([MARIA]);
    expect(await sql.insurersOf(MARIA)).toEqual(insurersOf(rebuilt, MARIA));
    expect(await sql.accessesOf(MARIA)).toEqual(accessesOf(rebuilt.access, MARIA));

    const consents = await sql.consents(MARIA);
    for (const request of [
      { grantee: zh.ref, category: 'medication', purpose: 'treatment' },
      { grantee: zh.ref, category: 'ggz', purpose: 'treatment' },
      { grantee: zh.ref, category: 'lab', purpose: 'treatment' },
    ]) {
      expect(effectiveConsent(consents, MARIA, request)).toEqual(
        effectiveConsent(rebuilt.consents, MARIA, request),
      );
    }
    expect(delegationInForce(consents, MARIA, PARTNER, 'carelog.approval')).toBe(false);
    expect(consentsInForce(consents.get(MARIA))).toEqual(consentsInForce(rebuilt.consents.get(MARIA)));

    const carelog = await sql.carelogOfIndication('ind-maria-1');
    expect(indicationSummary(carelog, 'ind-maria-1')).toEqual(
      indicationSummary(rebuilt.carelog, 'ind-maria-1'),
    );
    for (const entry of history.entries) {
      expect(entryStatus(await sql.carelogOfEntry(entry), entry)).toBe(entryStatus(rebuilt.carelog, entry));
    }
    expect(await sql.approvedMinutesForInsurer(zv.ref)).toEqual(approvedMinutesForInsurer(rebuilt, zv.ref));
    expect(await sql.approvedMinutesForInsurer(zh.ref)).toEqual(new Map());

    expect(await sql.agreements()).toEqual(['agr-geboorte-2026']);
    expect(await sql.agreementStatus('agr-geboorte-2026')).toEqual(
      agreementStatus(rebuilt, 'agr-geboorte-2026'),
    );
    expect(await sql.agreementStatus('agr-none')).toBeUndefined();
    expect(await sql.runsOf('agr-geboorte-2026')).toEqual(runsOf(rebuilt.analysis, 'agr-geboorte-2026'));

    const { anna, anna2, bram, maria } = history;
    const keys = await sql.keys([anna.keyId, anna2.keyId, bram.keyId, maria.keyId, kz.key.keyId]);
    for (const key of [anna, anna2, bram, maria, kz.key])
      expect(keyStatus(keys, key.keyId)).toBe(keyStatus(rebuilt.keys, key.keyId));
    expect(partyOfKey(region.config, keys, anna2.keyId)).toEqual(
      partyOfKey(region.config, rebuilt.keys, anna2.keyId),
    );
  });

  it('answers every query as the in-memory fold, also for conflicts settled by position', async () => {
    for (const h of [history, conflictedHistory(region)]) {
      const sql = await SqlRegionState.open(db, region.config);
      await db.run('DELETE FROM region_facts');
      await db.run('DELETE FROM region_positions');
      const entries = h.logs.history.map((e) => ({ log: e.log, index: e.index, entry: e.envelope }));
      await sql.record(entries.reverse());
      const folded = foldLogs(region.config, h.logs.logs());
      expect(await sql.load()).toEqual(folded);
      expect(await sql.load({ page: 3 })).toEqual(folded); // paged along the primary key
      expect(await answers(sql, h)).toEqual(
        await answers(
          memoryQueries(() => folded),
          h,
        ),
      );
    }
  });

  it('starts a policy from the sections the rules read, which judges as one that folded everything', async () => {
    const h = conflictedHistory(region);
    const sql = await SqlRegionState.open(db, region.config);
    await sql.record(h.logs.history.map((e) => ({ log: e.log, index: e.index, entry: e.envelope })));
    const folded = foldLogs(region.config, h.logs.logs());
    const ruled = await sql.load({ judged: true, page: 4 });
    expect(ruled.index.size + ruled.access.size).toBe(0);
    expect({ ...ruled, index: folded.index, access: folded.access }).toEqual(folded);
    const lean = new RegionPolicy(region.config, { initial: ruled });
    const full = new RegionPolicy(region.config, { initial: folded });
    for (const e of h.logs.history)
      expect(lean.check(e.log, 99, e.bytes)).toEqual(full.check(e.log, 99, e.bytes));
  });

  it('holds the same state whatever order, batching or repetition the entries arrive in', async () => {
    const sql = await SqlRegionState.open(db, region.config);
    const perLog = history.logs.perLog();
    for (const seed of [1, 2, 3]) {
      const order = interleave(perLog, seededRandom(seed));
      // Each process writes its own interleaving, in batches of three: the same rows in the end.
      for (let i = 0; i < order.length; i += 3)
        await sql.record(
          order.slice(i, i + 3).map((e) => ({ log: e.log, index: e.index, entry: e.envelope })),
        );
      expect(snapshotState(await sql.load())).toEqual(snapshotState(rebuilt));
    }
    const [count] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM region_facts');
    assert(count);
    expect(Number(count.n)).toBe(all.length);
  });

  it('resumes after a restart from the stored position, reading only the entries after it', async () => {
    const perLog = history.logs.perLog();
    const first = await SqlRegionState.open(db, region.config);
    await first.record(
      perLog
        .flatMap((entries) => entries.slice(0, 3))
        .map((e) => ({ log: e.log, index: e.index, entry: e.envelope })),
    );

    // A new process on the same database.
    const again = await openAgain(db);
    others.push(again);
    const restarted = await SqlRegionState.open(again, region.config);
    expect(await restarted.positions()).toEqual(
      new Map(perLog.map((l) => [l[0]!.log.origin, Math.min(3, l.length)])),
    );
    const counter = { read: 0 };
    const report = await restarted.resume(perLog.map((l) => countingLog(l, counter)));
    const tail = perLog.reduce((n, l) => n + Math.max(0, l.length - 3), 0);
    expect(report.read).toBe(tail);
    expect(counter.read).toBe(tail);
    expect(report.positions).toEqual(rebuilt.logSizes);
    expect(await restarted.load()).toEqual(rebuilt);

    // Nothing new: a second start reads nothing.
    const idle = { read: 0 };
    expect((await restarted.resume(perLog.map((l) => countingLog(l, idle)))).read).toBe(0);
    expect(idle.read).toBe(0);
  });

  it('follows the logs as stored by the logbook, reading each entry once', async () => {
    const h = conflictedHistory(region);
    const perLog = h.logs.perLog();
    // One after another: concurrent CREATE TABLE IF NOT EXISTS races on PostgreSQL.
    const sequencers: Sequencer[] = [];
    for (const entries of perLog) {
      const { log } = entries[0]!;
      sequencers.push(await Sequencer.open(db, testLogOptions(log.logId, log.origin)));
    }
    const counted = sequencers.map((sequencer) => {
      const store = {
        reads: 0,
        entryCount: () => sequencer.store.entryCount(),
        async readEntries(start: number, end: number) {
          const rows = await sequencer.store.readEntries(start, end);
          store.reads += rows.length;
          return rows;
        },
      };
      return store;
    });
    const logs = perLog.map((entries, i) => storedLog(entries[0]!.log, counted[i]!, 2));
    const sql = await SqlRegionState.open(db, region.config);
    // The first half of every log, then the rest: each entry is read from its store once.
    for (const [i, entries] of perLog.entries())
      for (const e of entries.slice(0, entries.length >> 1)) await sequencers[i]!.append(e.bytes);
    await sql.resume(logs);
    for (const [i, entries] of perLog.entries())
      for (const e of entries.slice(entries.length >> 1)) await sequencers[i]!.append(e.bytes);
    expect((await sql.resume(logs)).read).toBe(
      perLog.flat().length - perLog.reduce((n, l) => n + (l.length >> 1), 0),
    );
    expect(counted.reduce((n, c) => n + c.reads, 0)).toBe(perLog.flat().length);
    expect(await sql.load()).toEqual(foldLogs(region.config, h.logs.logs()));
    for (const sequencer of sequencers) await sequencer.close();
  });

  it('lets two instances on one database see each other’s accepted entries', async () => {
    const other = await openAgain(db);
    others.push(other);
    const a = await SqlRegionState.open(db, region.config);
    const b = await SqlRegionState.open(other, region.config);
    const witnessA = witnessInto(new RegionPolicy(region.config), a);
    for (const e of history.logs.history) expect(witnessA(e.log, e.index, e.bytes)).toBe(true);
    await a.flush();
    expect(await b.holdersOf(MARIA)).toEqual(holdersOf(rebuilt.index, MARIA));
    expect(await b.load()).toEqual(rebuilt);

    // B accepts one more (in a fresh log position); A sees it at once.
    const objection = signAs(history.maria, {
      kind: 'consent',
      iat: 1_800_000_000,
      subject: MARIA,
      body: { decision: 'objection', grantee: zh.ref, category: 'medication', purpose: 'treatment' },
    });
    const at = rebuilt.logSizes.get(zh.log.origin) as number;
    await b.record([{ log: zh.log, index: at, entry: objection }]);
    const request = { grantee: zh.ref, category: 'medication', purpose: 'treatment' };
    expect(effectiveConsent(await a.consents(MARIA), MARIA, request).decision).toBe('objection');
    expect((await a.positions()).get(zh.log.origin)).toBe(at + 1);

    // An in-memory policy in B's process judges with what A accepted once it catches up.
    const policyB = new RegionPolicy(region.config);
    const visit = entryBytes(
      signAs(history.anna2, {
        kind: 'carelog.entry',
        iat: 1_800_000_002,
        subject: MARIA,
        body: {
          indication: 'ind-maria-1',
          date: '2026-11-23',
          start: '09:00',
          end: '10:00',
          activities: ['zorg-moeder'],
        },
      }),
    );
    const next = rebuilt.logSizes.get(kz.log.origin) as number;
    expect(policyB.check(kz.log, next, visit)).toMatchObject({ ok: false });
    expect(await policyB.catchUp(b)).toBe(all.length + 1);
    expect(snapshotState(policyB.state)).toEqual(snapshotState(await a.load()));
    expect(policyB.check(kz.log, next, visit)).toEqual({ ok: true });
    expect(await policyB.catchUp(b)).toBe(0);
  });

  it('keeps accepted entries queued in order through a failed write, and writes them on the next flush', async () => {
    let failNext = true;
    const flaky: Db = {
      ...db,
      transaction: (fn) => {
        if (!failNext) return db.transaction(fn);
        failNext = false;
        return Promise.reject(new Error('connection lost'));
      },
    };
    const sql = await SqlRegionState.open(flaky, region.config);
    const [first, ...rest] = history.logs.history;
    assert(first);
    sql.enqueue(first.log, first.index, first.envelope);
    await expect(sql.flush()).rejects.toThrow('connection lost');
    for (const e of rest) sql.enqueue(e.log, e.index, e.envelope);
    await sql.flush();
    expect(await sql.load()).toEqual(rebuilt);
  });

  it('changes nothing for a tampered or rejected entry', async () => {
    const sql = await SqlRegionState.open(db, region.config);
    const witness = witnessInto(new RegionPolicy(region.config), sql);
    for (const e of history.logs.history) expect(witness(e.log, e.index, e.bytes)).toBe(true);
    await sql.flush();
    const before = { state: await sql.load(), positions: await sql.positions() };

    const next = rebuilt.logSizes.get(kz.log.origin) as number;
    const honest = signAs(history.maria, {
      kind: 'consent',
      iat: 1_800_000_000,
      subject: MARIA,
      body: { decision: 'grant', grantee: st.ref, category: 'lab', purpose: 'research' },
    });
    const tampered: SignedStatement = {
      ...honest,
      statement: { ...honest.statement, body: { ...honest.statement.body, grantee: vk.ref } },
    };
    const unknownEntry = signAs(history.maria, {
      kind: 'carelog.approval',
      iat: 1_800_000_001,
      subject: MARIA,
      body: { entry: 'AAAA', decision: 'approved' },
    });
    expect(witness(kz.log, next, entryBytes(tampered))).toBe(false);
    expect(witness(kz.log, next, entryBytes(unknownEntry))).toBe(false);
    await sql.flush();
    expect(await sql.load()).toEqual(before.state);
    expect(await sql.positions()).toEqual(before.positions);

    // Another statement at a position the tables hold (a fork) is refused with all of its batch.
    const first = history.logs.history[0]!;
    await expect(
      sql.record([
        { log: kz.log, index: next, entry: honest },
        { log: first.log, index: first.index, entry: honest },
      ]),
    ).rejects.toThrow(RegionStateConflict);
    await sql.record([{ log: first.log, index: first.index, entry: first.envelope }]); // the same again: fine
    expect(await sql.load()).toEqual(before.state);
    expect(await sql.positions()).toEqual(before.positions);
  });
});
