/**
 * The Ketenlog side of side-by-side.ts: `node side-by-side-party.ts COHORT.csv` starts three parties
 * in worker threads, each with its own loopback HTTP server and Ed25519 key (the engine's transport
 * as between member nodes: one authenticated channel per peer), runs W1–W6 and prints one JSON line
 * with party 1's times, the slowest party's, and the results. W1's check (untimed): the four shared
 * columns are opened and compared with the file. With WARM=1 the workloads first run once, untimed,
 * on the first 200 records (as in a long-lived node), on parties of their own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  M61,
  M89,
  MPC_MESSAGE_PATH,
  Party,
  createHttpTransport,
  lessThan,
  type Field,
  type HttpTransport,
  type MpcPeer,
  type PartyIndex,
  type Shares,
} from '../../packages/analytics/src/index.ts';

type Report = {
  me: PartyIndex;
  ms: Record<string, number>;
  results: Record<string, unknown>;
  /** per workload: bytes this party sent (frame bodies), and rounds */
  sent: Record<string, number>;
  rounds: Record<string, number>;
  trace?: Span[];
};
/** TRACE=1: each workload's span at each party (epoch ms), with its rounds and bytes sent */
type Span = { w: string; start: number; end: number; cpu: number; rounds: number; bytes: number };

const csv = process.argv[2] ?? (workerData as { csv: string } | undefined)?.csv;
if (!csv) throw new Error('usage: node side-by-side-party.ts COHORT.csv');

if (isMainThread) {
  const workers = ([1, 2, 3] as const).map(
    (me) => new Worker(new URL(import.meta.url), { workerData: { me, csv } }),
  );
  const next = (w: Worker): Promise<{ type: string; [k: string]: unknown }> =>
    new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  const ready = await Promise.all(workers.map(next));
  const peers = ready.map((r) => r.peer);
  workers.forEach((w) => w.postMessage({ peers }));
  await Promise.all(workers.map(next)); // connected and seeded
  const done = workers.map(next);
  workers.forEach((w) => w.postMessage({ go: true }));
  const reports = (await Promise.all(done)).map((r) => {
    if (r.type !== 'done') throw new Error(String(r.message));
    return r.report as Report;
  });
  const one = reports.find((r) => r.me === 1)!;
  if (process.env.TRACE === '1') {
    const t0 = Math.min(...reports.flatMap((r) => r.trace!.map((s) => s.start)));
    for (const r of reports.sort((a, b) => a.me - b.me))
      for (const s of r.trace!)
        console.error(
          `party ${r.me} ${s.w}: ${(s.start - t0).toFixed(1)}–${(s.end - t0).toFixed(1)} ms, CPU ${s.cpu.toFixed(1)} ms, ${s.rounds} rounds, ${s.bytes} bytes sent`,
        );
  }
  const msMax = Object.fromEntries(
    Object.keys(one.ms).map((k) => [k, Math.max(...reports.map((r) => r.ms[k]!))]),
  );
  console.log(
    JSON.stringify({ ms: one.ms, msMax, results: one.results, bytes: one.sent, rounds: one.rounds }),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  process.exit(0);
} else {
  const { me } = workerData as { me: PartyIndex };
  let trace: Span[] | undefined;
  const sent: Record<string, number> = {};
  const rounds: Record<string, number> = {};
  const port = parentPort!;
  try {
    const lines = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
    const cols = lines.map((l) => l.split(',').map((v) => BigInt(v)));
    const secretKey = ed25519.utils.randomSecretKey();
    const transports = new Map<string, HttpTransport>();
    const server = createServer((req, res) => {
      let spec: string | undefined;
      try {
        spec = JSON.parse(
          Buffer.from(String(req.headers['x-ketenlog-mpc']), 'base64url').toString('utf8'),
        ).specHash;
      } catch {
        spec = undefined;
      }
      const t = req.url === MPC_MESSAGE_PATH && spec ? transports.get(spec) : undefined;
      if (!t) {
        req.resume();
        res.writeHead(404).end();
      } else t.handle(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port.postMessage({
      type: 'ready',
      peer: {
        index: me,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        publicKey: Buffer.from(ed25519.getPublicKey(secretKey)).toString('base64'),
      },
    });
    const { peers: all } = (await new Promise((r) => port.once('message', r))) as {
      peers: { index: PartyIndex; url: string; publicKey: string }[];
    };
    const peers: MpcPeer[] = all
      .filter((p) => p.index !== me)
      .map((p) => ({ ...p, publicKey: new Uint8Array(Buffer.from(p.publicKey, 'base64')) }));
    const party = (field: Field, tag = ''): Party => {
      const specHash = `sbs-${field.name}${tag}`;
      const t = createHttpTransport({ me, secretKey, peers: () => peers });
      transports.set(specHash, t);
      return new Party({ field, me, transport: t.transport, specHash, timeoutMs: 600_000 });
    };
    type Setup = {
      app: bigint[];
      gp: bigint[];
      cost: bigint[];
      income: bigint[];
      n: number;
      p: Party;
      q: Party;
    };
    const workloads = async (s: Setup, ms: Record<string, number>): Promise<Record<string, unknown>> => {
      const { app, gp, cost, income, n, p, q } = s;
      const results: Record<string, unknown> = {};
      const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
        const r0 = p.stats.rounds + q.stats.rounds;
        const b0 = p.stats.bytesSent + q.stats.bytesSent;
        const c0 = process.threadCpuUsage();
        const t0 = performance.now();
        const r = await f();
        const c = process.threadCpuUsage(c0);
        ms[name] = performance.now() - t0;
        sent[name] = p.stats.bytesSent + q.stats.bytesSent - b0;
        rounds[name] = p.stats.rounds + q.stats.rounds - r0;
        if (trace)
          trace.push({
            w: name,
            start: performance.timeOrigin + t0,
            end: performance.timeOrigin + t0 + ms[name],
            cpu: (c.user + c.system) / 1000,
            rounds: p.stats.rounds + q.stats.rounds - r0,
            bytes: p.stats.bytesSent + q.stats.bytesSent - b0,
          });
        return r;
      };
      const sum = (x: Shares): bigint => p.sum(x)[0]!;

      const [sApp, sGp, sCost, sIncome] = await timed('W1', () =>
        p.input(
          [
            { owner: 1, count: n },
            { owner: 2, count: n },
            { owner: 2, count: n },
            { owner: 3, count: n },
          ],
          me === 1 ? [app] : me === 2 ? [gp, cost] : [income],
        ),
      );
      results.W2 = await timed('W2', async () => (await p.openDot([[sApp!, sCost!]]))[0]);
      results.W3 = await timed('W3', async () => {
        // gp into the 2^89 − 1 field first (inside the time): 2^61 − 1 has no room for ℓ = 32, κ = 30
        const [g] = await q.input([{ owner: 2, count: n }], me === 2 ? [gp] : []);
        const lt = await lessThan(q, g!, 3n, 32, 30);
        return (await q.open([q.sum(lt)]))[0]![0];
      });
      results.W4 = await timed('W4', async () => {
        const [ac] = await p.mul([[sApp!, sCost!]]);
        const [acc, cc] = p.localDot([
          [ac!, sCost!],
          [sCost!, sCost!],
        ]);
        return p.openProducts([sum(sApp!), sum(ac!), acc!, sum(sCost!), cc!]);
      });
      results.W5 = await timed('W5', async () => {
        const bins =
          me === 2 ? Array.from({ length: 10 }, (_, b) => gp.map((g) => (g === BigInt(b) ? 1n : 0n))) : [];
        const shared = await p.input(
          Array.from({ length: 10 }, () => ({ owner: 2 as const, count: n })),
          bins,
        );
        return p.openDot(shared.map((h) => [h, sApp!] as [Shares, Shares]));
      });
      results.W6 = await timed('W6', async () => {
        const X = [new Array<bigint>(n).fill(1n), sApp!, sIncome!];
        return p.openDot([
          ...X.flatMap((a) => X.map((b) => [a, b] as [Shares, Shares])),
          ...X.map((a) => [a, sCost!] as [Shares, Shares]),
        ]);
      });
      const opened = await p.open([sApp!, sGp!, sCost!, sIncome!]);
      results.W1 = [app, gp, cost, income].every((c, j) => c.every((v, k) => opened[j]![k] === v));
      return results;
    };
    const run = async (rows: number, tag: string) => {
      const col = (j: number): bigint[] => cols.slice(0, rows).map((r) => r[j]!);
      const [app, gp, cost, income] = [col(0), col(1), col(2), col(3)];
      const n = rows;
      const p = party(M61, tag);
      const q = party(M89, tag); // W3's 32-bit comparison
      // as MPyC's mpc.start(): connections open and the pairwise seeds exchanged, before any timing
      for (const x of [p, q]) await x.exchange(new Map(), new Map());
      return { app, gp, cost, income, n, p, q };
    };
    if (process.env.WARM === '1') await workloads(await run(Math.min(200, cols.length), '-warm'), {});
    const main = await run(cols.length, '');
    port.postMessage({ type: 'connected' });
    await new Promise((r) => port.once('message', r));
    const ms: Record<string, number> = {};
    trace = process.env.TRACE === '1' ? [] : undefined;
    for (const k of Object.keys(sent)) delete sent[k];
    for (const k of Object.keys(rounds)) delete rounds[k];
    const results = await workloads(main, ms);
    for (const t of transports.values()) await t.transport.close();
    server.closeAllConnections();
    server.close();
    port.postMessage({
      type: 'done',
      report: JSON.parse(
        JSON.stringify({ me, ms, results, sent, rounds, trace }, (_k, v: unknown) =>
          typeof v === 'bigint' ? v.toString() : v,
        ),
      ) as Report,
    });
  } catch (e) {
    port.postMessage({ type: 'error', message: `party ${me}: ${String((e as Error).stack ?? e)}` });
  }
}
