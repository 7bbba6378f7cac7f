/**
 * The IBD-coach study end to end over HTTP: three parties, each in its own worker thread (its own
 * event loop and CPU) with its own loopback HTTP server and Ed25519 key, exchange signed share
 * messages on POST /mpc/v1/message. Every run: input sharing of eight columns (GP visits and their squares beside cost), the cross cells, the
 * sufficient statistics, the minimum-cell and dominance (1,50) checks on shares for six cells,
 * opening of pass bits and released cells. The table is checked against the plaintext each run.
 * Prints a table: median of --runs after one warm-up, per cohort size; rounds and bytes per party.
 *
 * With --region-clients N (default 120; 0 skips it), also the whole run through real member
 * nodes of the demo region (see region.ts): from the analyst's POST /analytics/runs to the answer.
 *
 *   node bench/analytics/run.ts [--sizes 1000,4350] [--runs 5] [--region-clients 120]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  IBD_COACH_FIELD,
  MPC_MESSAGE_PATH,
  Party,
  createHttpTransport,
  hospitalColumns,
  ibdCoachPlaintext,
  insurerColumns,
  runIbdCoach,
  statisticsColumns,
  type HospitalRow,
  type IbdCoachCellResult,
  type InsurerRow,
  type MpcPeer,
  type PartyIndex,
  type StatisticsRow,
} from '../../packages/analytics/src/index.ts';

type PeerInfo = { index: PartyIndex; url: string; publicKey: string };
type ToWorker =
  | { type: 'peers'; peers: PeerInfo[] }
  | { type: 'run'; session: string; n: number; columns: string[][] }
  | { type: 'stop' };
type FromWorker =
  | { type: 'ready'; peer: PeerInfo }
  | { type: 'done'; ms: number; rounds: number; bytes: number; cells: IbdCoachCellResult[] }
  | { type: 'failed'; error: string };

if (!isMainThread) {
  const me = workerData as PartyIndex;
  const secretKey = ed25519.utils.randomSecretKey();
  let peers: MpcPeer[] = [];
  const transports = new Map<string, ReturnType<typeof createHttpTransport>>();
  const transportFor = (session: string) => {
    let t = transports.get(session);
    if (!t) {
      t = createHttpTransport({ me, secretKey, peers: () => peers });
      transports.set(session, t);
    }
    return t;
  };
  const server = createServer((req, res) => {
    const meta = req.headers['x-ketenlog-mpc'];
    const session =
      typeof meta === 'string'
        ? (JSON.parse(Buffer.from(meta, 'base64url').toString('utf8')) as { specHash: string }).specHash
        : undefined;
    if (req.url !== MPC_MESSAGE_PATH || !session) return void res.writeHead(404).end();
    transportFor(session).handle(req, res);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const peer: PeerInfo = {
      index: me,
      url,
      publicKey: Buffer.from(ed25519.getPublicKey(secretKey)).toString('base64'),
    };
    parentPort!.postMessage({ type: 'ready', peer } satisfies FromWorker);
  });
  parentPort!.on('message', (m: ToWorker) => {
    if (m.type === 'stop') {
      server.closeAllConnections();
      return void server.close(() => process.exit(0));
    }
    if (m.type === 'peers') {
      peers = m.peers
        .filter((p) => p.index !== me)
        .map((p) => ({
          index: p.index,
          url: p.url,
          publicKey: new Uint8Array(Buffer.from(p.publicKey, 'base64')),
        }));
      return;
    }
    const party = new Party({
      field: IBD_COACH_FIELD,
      me,
      transport: transportFor(m.session).transport,
      specHash: m.session,
      timeoutMs: 600_000,
    });
    const columns = m.columns.map((c) => c.map((x) => BigInt(x)));
    const t0 = performance.now();
    runIbdCoach(party, m.n, columns).then(
      (cells) => {
        void transportFor(m.session).transport.close();
        transports.delete(m.session);
        parentPort!.postMessage({
          type: 'done',
          ms: performance.now() - t0,
          rounds: party.stats.rounds,
          bytes: party.stats.bytesSent,
          cells,
        } satisfies FromWorker);
      },
      (error: unknown) =>
        parentPort!.postMessage({ type: 'failed', error: String(error) } satisfies FromWorker),
    );
  });
} else {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,4350' },
      runs: { type: 'string', default: '5' },
      'region-clients': { type: 'string', default: '120' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const runs = Number(values.runs);

  const workers = ([1, 2, 3] as PartyIndex[]).map(
    (me) => new Worker(new URL(import.meta.url), { workerData: me }),
  );
  const next = (w: Worker): Promise<FromWorker> =>
    new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      w.once('error', fail);
      w.once('message', (m: FromWorker) => {
        w.off('error', fail);
        resolve(m);
      });
    });
  const ready = await Promise.all(workers.map(next));
  const peers = ready.map((r) => (r as { peer: PeerInfo }).peer);
  for (const w of workers) w.postMessage({ type: 'peers', peers } satisfies ToWorker);

  /** A synthetic cohort like the study's: about 4 in 10 with IBD, 2 in 3 of them app users. */
  function cohort(n: number) {
    const h: (HospitalRow | undefined)[] = [];
    const i: InsurerRow[] = [];
    const s: (StatisticsRow | undefined)[] = [];
    for (let k = 0; k < n; k++) {
      const ibd = randomInt(0, 10) < 4;
      const app = randomInt(0, 3) > 0;
      h.push(ibd ? { ibd, appUser: app } : undefined);
      i.push({
        costEur: randomInt(200, ibd ? (app ? 9_000 : 11_000) : 4_000),
        gpVisits: randomInt(0, ibd ? (app ? 6 : 9) : 5),
      });
      s.push(
        randomInt(0, 20) === 0 ? undefined : { incomeQuintile: (1 + randomInt(0, 5)) as 1 | 2 | 3 | 4 | 5 },
      );
    }
    return { h, i, s };
  }

  const median = (xs: number[]): number => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  };

  let session = 0;
  async function once(n: number) {
    const { h, i, s } = cohort(n);
    const columns = [hospitalColumns(h), insurerColumns(i), statisticsColumns(s)];
    const t0 = performance.now();
    const tag = `bench-${++session}`;
    workers.forEach((w, k) =>
      w.postMessage({
        type: 'run',
        session: tag,
        n,
        columns: columns[k]!.map((c) => c.map(String)),
      } satisfies ToWorker),
    );
    const done = await Promise.all(workers.map(next));
    const wall = performance.now() - t0;
    const failed = done.find((d) => d.type === 'failed');
    if (failed) throw new Error(failed.error);
    const results = done as Extract<FromWorker, { type: 'done' }>[];
    const expected = ibdCoachPlaintext(h, i, s);
    for (const r of results)
      if (JSON.stringify(r.cells) !== JSON.stringify(expected))
        throw new Error('the MPC table differs from the plaintext');
    return {
      wall,
      rounds: results[0]!.rounds,
      mb: results.map((r) => r.bytes / 1e6),
      released: expected.filter((c) => !c.suppressed).length,
    };
  }

  console.log(
    `IBD-coach study over HTTP, 3 parties in worker threads on loopback — ${cpus()[0]?.model ?? 'cpu'}`,
  );
  console.log(`median of ${runs} after a warm-up; table checked against the plaintext every run\n`);
  console.log('| cohort N | median | min | max | rounds | MB sent per party (1/2/3) | cells released |');
  console.log('|---:|---:|---:|---:|---:|---|---:|');
  for (const n of sizes) {
    await once(n);
    const rs = [];
    for (let r = 0; r < runs; r++) rs.push(await once(n));
    const walls = rs.map((r) => r.wall);
    const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
    console.log(
      `| ${n} | ${fmt(median(walls))} | ${fmt(Math.min(...walls))} | ${fmt(Math.max(...walls))} | ${rs[0]!.rounds} | ${rs[0]!.mb.map((m) => m.toFixed(1)).join(' / ')} | ${rs[0]!.released}/6 |`,
    );
  }
  for (const w of workers) w.postMessage({ type: 'stop' } satisfies ToWorker);

  const clients = Number(values['region-clients']);
  if (clients > 0) {
    const { regionRuns } = await import('./region.ts');
    const times = await regionRuns(clients, runs);
    const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
    console.log(
      `\nThrough the demo region's member nodes (ten nodes in one process), ${clients} demo clients:\n`,
    );
    console.log('| cohort N | median | min | max |');
    console.log('|---:|---:|---:|---:|');
    console.log(
      `| ${clients} | ${fmt(median(times))} | ${fmt(Math.min(...times))} | ${fmt(Math.max(...times))} |`,
    );
  }
}
