/**
 * Engine benchmark: three parties in one process, over in-process transport and over real HTTP
 * between three loopback servers (signed messages). Median of 5 runs after a warm-up.
 * Run: node bench/analytics/mpc.ts [N]
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  M61,
  MPC_MESSAGE_PATH,
  Party,
  createHttpTransport,
  inProcessTransports,
  lessThan,
  type MpcPeer,
  type PartyIndex,
  type Transport,
} from '../../packages/analytics/src/index.ts';

const N = Number(process.argv[2] ?? 4350);
const ids: PartyIndex[] = [1, 2, 3];

async function httpTransports(): Promise<{ ts: Transport[]; close: () => Promise<void> }> {
  const keys = ids.map(() => ed25519.utils.randomSecretKey());
  const peers: MpcPeer[] = [];
  const hs = ids.map((me) => createHttpTransport({ me, secretKey: keys[me - 1]!, peers: () => peers }));
  const servers: Server[] = [];
  for (const [i, h] of hs.entries()) {
    const s = createServer((req, res) =>
      req.url === MPC_MESSAGE_PATH ? h.handle(req, res) : res.writeHead(404).end(),
    );
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    peers.push({
      index: (i + 1) as PartyIndex,
      url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
      publicKey: ed25519.getPublicKey(keys[i]!),
    });
  }
  return {
    ts: hs.map((h) => h.transport),
    close: async () => {
      await Promise.all(hs.map((h) => h.transport.close()));
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

type Workload = (p: Party, data: { app: bigint[]; cost: bigint[]; gp: bigint[] }) => Promise<unknown>;

const workloads: Record<string, Workload> = {
  'W2 N mults, summed, opened': async (p, d) => {
    const [app, cost] = await p.input(
      [
        { owner: 1, count: N },
        { owner: 2, count: N },
      ],
      p.me === 1 ? [d.app] : p.me === 2 ? [d.cost] : [],
    );
    const [prod] = await p.mul([[app!, cost!]]);
    return p.open([p.sum(prod!)]);
  },
  'W3 N comparisons gp<3, counted': async (p, d) => {
    const [gp] = await p.input([{ owner: 2, count: N }], p.me === 2 ? [d.gp] : []);
    const lt = await lessThan(p, gp!, 3n, 8);
    return p.open([p.sum(lt)]);
  },
};

async function median(run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[2]!;
}

const data = {
  app: Array.from({ length: N }, () => BigInt(randomInt(0, 2))),
  cost: Array.from({ length: N }, () => BigInt(randomInt(0, 20000))),
  gp: Array.from({ length: N }, () => BigInt(randomInt(0, 12))),
};
console.log(`N = ${N}; three parties in one process; median of 5 after warm-up (ms)`);
console.log('| workload | in-process | HTTP loopback (signed) | rounds | bytes sent / party |');
console.log('|---|---|---|---|---|');
for (const [name, w] of Object.entries(workloads)) {
  let rounds = 0;
  let bytes = 0;
  const inProc = await median(async () => {
    const ts = inProcessTransports();
    const ps = ids.map((me) => new Party({ field: M61, me, transport: ts[me - 1]!, specHash: 'bench' }));
    await Promise.all(ps.map((p) => w(p, data)));
    rounds = ps[0]!.stats.rounds;
    bytes = ps[0]!.stats.bytesSent;
  });
  const http = await httpTransports();
  let spec = 0;
  const overHttp = await median(async () => {
    // fresh parties per run; a fresh spec hash keeps rounds of different runs apart in the mailbox
    const h = await httpTransports();
    spec++;
    const ps = ids.map(
      (me) => new Party({ field: M61, me, transport: h.ts[me - 1]!, specHash: `bench-${spec}` }),
    );
    await Promise.all(ps.map((p) => w(p, data)));
    await h.close();
  });
  await http.close();
  console.log(`| ${name} | ${inProc.toFixed(1)} | ${overHttp.toFixed(1)} | ${rounds} | ${bytes} |`);
}
