// The witness, the mirror and finality together over real HTTP on loopback: a log served as
// tlog-tiles, validating witnesses that mirror it and cosign, and the log collecting a quorum of
// cosignatures into final checkpoints and receipts. Then the bad paths: witnesses offline, a log
// showing two histories, an entry the rules forbid, and malformed or unknown submissions.
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { cosignatureVerifierFromKey, ed25519Cosigner, encodeCosignerKey } from '../cosignature.ts';
import { ed25519PublicKey } from '../ed25519.ts';
import { CosignedStore } from '../finality/cosigned-store.ts';
import { Finality } from '../finality/finality.ts';
import { receiptFor } from '../finality/receipt.ts';
import { logTilesRoutes } from '../http/log-tiles-routes.ts';
import { LogMirror } from '../mirror/log-mirror.ts';
import { TileClient, type Fetch } from '../mirror/tile-client.ts';
import { verifierFromKey } from '../note.ts';
import { parseReceipt, verifyReceipt } from '../proof.ts';
import { Sequencer } from '../sequencer.ts';
import { testLogKey, testLogOptions } from '../testing/log-keys.ts';
import { formatAddCheckpoint, TLOG_SIZE_TYPE } from './add-checkpoint.ts';
import type { EntryPolicy } from './policy.ts';
import { Witness } from './witness.ts';
import { witnessRoutes } from './witness-routes.ts';
import { WitnessStore, type Evidence } from './witness-store.ts';

const log = testLogOptions('statements', 'test.ketenlog.example/org-a');
const entry = (i: number): Uint8Array => utf8(`{"n":${i}}`);

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The engine the current suite runs on. */
let openDb: () => Promise<Db>;

async function memoryDb(): Promise<Db> {
  const db = await openDb();
  closers.push(() => db.close());
  return db;
}

/** A log node: its sequencer and its tlog-tiles API. */
async function logNode() {
  const sequencer = await Sequencer.open(await memoryDb(), log);
  const app = Fastify();
  await app.register(logTilesRoutes, {
    prefix: '/logs',
    logs: (id) => (id === 'statements' ? sequencer.reader : undefined),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => app.close());
  return { sequencer, url };
}

/** Refuses entries that contain "forbidden": a stand-in for the region's rules. */
function rules(): EntryPolicy & { accepted: number } {
  return {
    accepted: 0,
    check: (_log, index, bytes) =>
      new TextDecoder().decode(bytes).includes('forbidden')
        ? { ok: false, reason: `entry ${index} is forbidden` }
        : { ok: true },
    accept() {
      this.accepted++;
    },
  };
}

/** A validating witness node following the log at `logUrl`. */
async function witnessNode(name: string, logUrl: string) {
  const db = await memoryDb();
  const secret = new Uint8Array(createHash('sha256').update(name).digest());
  const vkey = encodeCosignerKey(name, ed25519PublicKey(secret));
  const policy = rules();
  const evidence: Evidence[] = [];
  const mirror = await LogMirror.open(db, {
    logId: 'mirror-a',
    origin: log.origin,
    verifierKey: log.verifierKey,
    client: new TileClient(`${logUrl}/logs/statements/`, fetch),
    policy,
  });
  const store = await WitnessStore.open(db);
  const witness = new Witness({
    store,
    cosigner: ed25519Cosigner(name, secret, () => Date.now() / 1000),
    log: (origin) =>
      origin === log.origin
        ? { origin, verifier: verifierFromKey(log.verifierKey), validate: (_c, note) => mirror.sync(note) }
        : undefined,
    onEvidence: (e) => evidence.push(e),
  });
  const app = Fastify();
  await app.register(witnessRoutes, { prefix: '/witness', witness, store });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => app.close());
  const addCheckpoint = `${url}/witness/add-checkpoint`;
  return {
    vkey,
    mirror,
    policy,
    evidence,
    store,
    addCheckpoint,
    endpoint: { name, url: addCheckpoint, verifier: cosignatureVerifierFromKey(vkey) },
  };
}

/** A fetch that fails for witnesses marked down, as a network partition would. */
function partitionable(): { fetch: Fetch; down: Set<string> } {
  const down = new Set<string>();
  return {
    down,
    fetch: (url, init) =>
      down.has(url) ? Promise.reject(new TypeError('fetch failed: partitioned')) : fetch(url, init),
  };
}

async function region(quorum: number, network = partitionable(), store?: CosignedStore) {
  const a = await logNode();
  const witnesses = await Promise.all(['w1', 'w2', 'w3'].map((n) => witnessNode(`test.example/${n}`, a.url)));
  const finality = await Finality.open({
    reader: a.sequencer.reader,
    store: store ?? (await CosignedStore.open(await memoryDb(), 'statements')),
    witnesses: witnesses.map((w) => w.endpoint),
    quorum,
    fetch: network.fetch,
    retryMs: 50,
  });
  closers.push(() => finality.close());
  const append = async (bytes: Uint8Array) => {
    const result = await a.sequencer.append(bytes);
    finality.offer(result.checkpoint);
    return result;
  };
  const receiptPolicy = {
    origin: log.origin,
    logKey: log.verifierKey,
    witnessKeys: witnesses.map((w) => w.vkey),
    quorum,
  };
  return { a, witnesses, finality, append, network, receiptPolicy };
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });

describe.each(testDatabases())('witnessing and finality over HTTP on $name', ({ open }) => {
  beforeAll(() => {
    openDb = open;
  });

  it('validating witnesses mirror and cosign; at the quorum entries are final, with receipts that verify offline', async () => {
    const { a, witnesses, finality, append, receiptPolicy } = await region(2);
    await Promise.all(Array.from({ length: 300 }, (_, i) => append(entry(i))));
    expect(await finality.waitFinal(300, 10_000)).toBe(true);
    // Every cosigning witness holds the whole log, and judged every entry.
    const cosigners = witnesses.filter((w) => w.mirror.size === 300);
    expect(cosigners.length).toBeGreaterThanOrEqual(2);
    for (const w of cosigners) expect(w.policy.accepted).toBe(300);

    const receipt = await receiptFor(a.sequencer.reader, finality.final!, 123);
    const parsed = parseReceipt(receipt);
    expect(parsed.extra).toEqual(entry(123));
    const verified = verifyReceipt(receipt, parsed.extra!, receiptPolicy);
    expect(verified.ok).toBe(true);
    // A changed entry, or one more cosignature required than the receipt has, fails.
    expect(verifyReceipt(receipt, entry(124), receiptPolicy).ok).toBe(false);
    const cosignatures = verified.ok ? verified.receipt.cosignatures.length : 0;
    expect(verifyReceipt(receipt, entry(123), { ...receiptPolicy, quorum: cosignatures + 1 }).ok).toBe(false);
  });

  it('with witnesses offline below the quorum, appends are acknowledged but not final; finality resumes when they return', async () => {
    const { witnesses, finality, append, network } = await region(2);
    await append(entry(0));
    expect(await finality.waitFinal(1, 5000)).toBe(true);
    network.down.add(witnesses[0]!.addCheckpoint);
    network.down.add(witnesses[1]!.addCheckpoint);
    const { index } = await append(entry(1));
    expect(index).toBe(1);
    expect(await finality.waitFinal(2, 400)).toBe(false);
    expect(finality.finalSize).toBe(1);
    const status = finality.status();
    expect(status.filter((s) => s.lastError?.includes('unreachable'))).toHaveLength(2);
    // One witness back: the quorum of two is reached again without any new append.
    network.down.delete(witnesses[1]!.addCheckpoint);
    expect(await finality.waitFinal(2, 5000)).toBe(true);
  });

  it('retries a round whose final checkpoint could not be stored (the database restarting) instead of stopping', async () => {
    // The deployment test's database restart: storing the final checkpoint failed, and the
    // rejected round ended the finality loop with an unhandled rejection (the process exited).
    const store = await CosignedStore.open(await memoryDb(), 'statements');
    const add = store.add.bind(store);
    let failures = 2;
    store.add = async (checkpoint) => {
      if (failures-- > 0) throw new Error('Connection terminated unexpectedly');
      return add(checkpoint);
    };
    const { finality, append } = await region(2, partitionable(), store);
    await append(entry(0));
    expect(await finality.waitFinal(1, 5000)).toBe(true);
    expect(failures).toBeLessThan(0);
  });

  it('a log that shows two histories is refused, and both signed checkpoints are kept as evidence', async () => {
    const { a, witnesses, finality, append } = await region(2);
    for (let i = 0; i < 5; i++) await append(entry(i));
    expect(await finality.waitFinal(5, 5000)).toBe(true);
    const w = witnesses.find((x) => x.mirror.size === 5)!;
    const cosigned = (await w.store.latest(log.origin))!;

    // The same log key signs a different history of the same size.
    const fork = await Sequencer.open(await memoryDb(), log);
    for (let i = 0; i < 5; i++) await fork.append(utf8(`{"other":${i}}`));
    const forked = fork.latestCheckpoint()!;
    const sameSize = await post(
      w.addCheckpoint,
      formatAddCheckpoint({ oldSize: 5, proof: [], checkpoint: forked.note }),
    );
    expect(sameSize.status).toBe(409);
    expect(sameSize.headers.get('content-type')).toBe(TLOG_SIZE_TYPE);
    expect(await sameSize.text()).toBe('5\n');

    // A longer fork with a proof from its own history does not extend what the witness cosigned.
    await fork.append(utf8('{"other":5}'));
    const proof = (await fork.reader.consistency(5, 6)).proof;
    const longer = await post(
      w.addCheckpoint,
      formatAddCheckpoint({ oldSize: 5, proof, checkpoint: fork.latestCheckpoint()!.note }),
    );
    expect(longer.status).toBe(422);

    const kept = await w.store.evidence();
    expect(kept.map((e) => e.kind).sort()).toEqual(['inconsistent', 'split-view']);
    const split = kept.find((e) => e.kind === 'split-view')!;
    expect(split.notes).toEqual([cosigned.note, forked.note]);
    expect(w.evidence).toHaveLength(2);
    // The witness's record is unchanged: the honest log goes on being cosigned.
    await append(entry(5));
    expect(await finality.waitFinal(6, 5000)).toBe(true);
    expect(a.sequencer.size).toBe(6);
  });

  it('an entry the rules forbid is never cosigned: evidence is kept and finality stops before it', async () => {
    const { finality, append, witnesses } = await region(2);
    for (let i = 0; i < 3; i++) await append(entry(i));
    expect(await finality.waitFinal(3, 5000)).toBe(true);
    await append(utf8('{"forbidden":true}'));
    expect(await finality.waitFinal(4, 500)).toBe(false);
    expect(finality.finalSize).toBe(3);
    for (const w of witnesses) {
      expect(w.mirror.size).toBe(3);
      expect(
        w.evidence.some((e) => e.kind === 'invalid-entry' && e.detail.includes('entry 3 is forbidden')),
      ).toBe(true);
    }
  });

  it('answers malformed, unknown, badly signed and out-of-date submissions as tlog-witness says', async () => {
    const { a, witnesses, append, finality } = await region(2);
    await append(entry(0));
    await append(entry(1));
    expect(await finality.waitFinal(2, 5000)).toBe(true);
    const w = witnesses[0]!;
    const note = a.sequencer.latestCheckpoint()!.note;
    expect((await post(w.addCheckpoint, 'hello')).status).toBe(400);
    expect(
      (await post(w.addCheckpoint, formatAddCheckpoint({ oldSize: 3, proof: [], checkpoint: note }))).status,
    ).toBe(400);

    const stranger = await Sequencer.open(
      await memoryDb(),
      testLogOptions('other', 'test.ketenlog.example/org-z'),
    );
    const unknown = formatAddCheckpoint({
      oldSize: 0,
      proof: [],
      checkpoint: stranger.latestCheckpoint()!.note,
    });
    expect((await post(w.addCheckpoint, unknown)).status).toBe(404);

    const impostor = await Sequencer.open(await memoryDb(), {
      ...log,
      ...testLogKey('test.ketenlog.example/org-a'),
    });
    const forged = formatAddCheckpoint({
      oldSize: 0,
      proof: [],
      checkpoint: impostor.latestCheckpoint()!.note,
    });
    expect((await post(w.addCheckpoint, forged)).status).toBe(403);

    const stale = await post(
      w.addCheckpoint,
      formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note }),
    );
    expect(stale.status).toBe(409);
    expect(await stale.text()).toBe(`${(await w.store.latest(log.origin))?.size}\n`);
  });
});
