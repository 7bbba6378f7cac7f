/**
 * One benchmark party in its own worker thread, with its own loopback HTTP server and Ed25519 key:
 * the engine's HTTP transport (authenticated channels), exactly as between member nodes (message
 * route by session).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  MPC_MESSAGE_PATH,
  Party,
  createHttpTransport,
  type HttpTransport,
  type MpcPeer,
  type PartyIndex,
} from '../../packages/analytics/src/index.ts';
import { cohort, type Cohort } from './data.ts';
import { WORKLOADS, shareBase } from './workloads.ts';

type Command =
  | { type: 'init'; me: PartyIndex }
  | { type: 'peers'; peers: { index: PartyIndex; url: string; publicKey: string }[] }
  | { type: 'prepare'; session: string; workload: number; n: number }
  | { type: 'run'; session: string };

const port = parentPort!;
const secretKey = ed25519.utils.randomSecretKey();
let me: PartyIndex = 1;
let peers: MpcPeer[] = [];
/**
 * One-way latency added to every message, in ms (KETENLOG_MPC_DELAY_MS): this kernel has no netem,
 * so the delay is added before each send instead, the way a 10 ms link would hold each message.
 */
const DELAY_MS = Number(process.env.KETENLOG_MPC_DELAY_MS ?? 0);
const delayedFetch: typeof fetch = async (input, init) => {
  await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
  return fetch(input, init);
};

const sessions = new Map<string, { transport: HttpTransport; party: Party; workload: number; n: number }>();
const cohorts = new Map<number, Cohort>();

const server = createServer((req, res) => {
  const meta = req.headers['x-ketenlog-mpc'];
  let session: string | undefined;
  try {
    session = JSON.parse(Buffer.from(String(meta), 'base64url').toString('utf8')).specHash as string;
  } catch {
    session = undefined;
  }
  const s = req.url === MPC_MESSAGE_PATH && session ? sessions.get(session) : undefined;
  if (!s) {
    req.resume();
    res.writeHead(404).end();
    return;
  }
  s.transport.handle(req, res);
});

// A party busy with curve arithmetic may not read for seconds: keep idle connections open.
server.keepAliveTimeout = 600_000;

port.on('message', (c: Command) => {
  void (async () => {
    if (c.type === 'init') {
      me = c.me;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port.postMessage({
        type: 'ready',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        publicKey: Buffer.from(ed25519.getPublicKey(secretKey)).toString('base64'),
      });
    } else if (c.type === 'peers') {
      peers = c.peers
        .filter((p) => p.index !== me)
        .map((p) => ({
          index: p.index,
          url: p.url,
          publicKey: new Uint8Array(Buffer.from(p.publicKey, 'base64')),
        }));
      port.postMessage({ type: 'ok' });
    } else if (c.type === 'prepare') {
      if (!cohorts.has(c.n)) cohorts.set(c.n, cohort(c.n));
      const w = WORKLOADS[c.workload]!;
      const transport = createHttpTransport({
        me,
        secretKey,
        peers: () => peers,
        // the delay is added per message, so it needs single messages rather than channels
        ...(DELAY_MS > 0 ? { fetch: delayedFetch, channels: false } : {}),
      });
      const party = new Party({
        field: w.field(cohorts.get(c.n)!),
        me,
        transport: transport.transport,
        specHash: c.session,
        timeoutMs: 600_000,
      });
      sessions.set(c.session, { transport, party, workload: c.workload, n: c.n });
      port.postMessage({ type: 'ok' });
    } else {
      const s = sessions.get(c.session)!;
      const w = WORKLOADS[s.workload]!;
      const d = cohorts.get(s.n)!;
      try {
        const base = w.base ? await shareBase(s.party, d) : undefined;
        const before = { ...s.party.stats };
        const t0 = performance.now();
        const cpu0 = process.threadCpuUsage();
        const result = await w.run(s.party, d, base);
        const ms = performance.now() - t0;
        const cpu = process.threadCpuUsage(cpu0);
        const stats = { ...s.party.stats };
        const revealed = w.reveal ? await w.reveal(s.party, result) : result;
        if (me === 1) w.check(revealed, d);
        port.postMessage({
          type: 'done',
          ms,
          cpuMs: (cpu.user + cpu.system) / 1000,
          rounds: stats.rounds - before.rounds,
          bytes: stats.bytesSent - before.bytesSent,
        });
      } catch (error) {
        port.postMessage({
          type: 'error',
          message: `${String((error as Error).stack ?? error)} cause: ${String((error as Error).cause)}`,
        });
      } finally {
        void s.transport.transport.close();
        sessions.delete(c.session);
      }
    }
  })();
});
