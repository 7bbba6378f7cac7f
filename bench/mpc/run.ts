/**
 * MPC engine benchmark (issue 8): three parties in three worker threads, each with its own loopback
 * HTTP server and signing key, running the workloads of workloads.ts; each result is checked
 * against plaintext at party 1. Median of 5 after a warm-up; time is the slowest party's.
 *
 * Run: node bench/mpc/run.ts [N,N,…] [workload prefixes, e.g. W1,W3] [repetitions]
 */
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { WORKLOADS } from './workloads.ts';

const sizes = (process.argv[2] ?? '1000,4350').split(',').map(Number);
const only = process.argv[3]?.split(',');
const reps = Number(process.argv[4] ?? 5);

type Reply = {
  type: string;
  url?: string;
  publicKey?: string;
  ms?: number;
  cpuMs?: number;
  rounds?: number;
  bytes?: number;
  message?: string;
};

const workers = [1, 2, 3].map(() => new Worker(new URL('./party.ts', import.meta.url)));
const ask = (w: Worker, msg: object): Promise<Reply> =>
  new Promise((resolve) => {
    w.once('message', resolve);
    w.postMessage(msg);
  });
const all = (msg: (i: number) => object): Promise<Reply[]> =>
  Promise.all(workers.map((w, i) => ask(w, msg(i))));

const ready = await all((i) => ({ type: 'init', me: i + 1 }));
await all(() => ({
  type: 'peers',
  peers: ready.map((r, i) => ({ index: i + 1, url: r.url, publicKey: r.publicKey })),
}));

let session = 0;
async function once(workload: number, n: number): Promise<Reply[]> {
  const s = `bench-${process.pid}-${++session}`;
  await all(() => ({ type: 'prepare', session: s, workload, n }));
  const out = await all(() => ({ type: 'run', session: s }));
  const failed = out.find((r) => r.type === 'error');
  if (failed) throw new Error(failed.message);
  return out;
}

console.log(
  `MPC benchmark: 3 parties in worker threads, authenticated HTTP channels on loopback; ${cpus().length} vCPU ${cpus()[0]?.model ?? ''}; Node ${process.version}; ${new Date().toISOString()}`,
);
console.log(
  `median of ${reps} after a warm-up; wall time of the slowest party, and the busiest party's own CPU time (three parties share the cores here); results checked against plaintext`,
);
console.log(
  '| workload | N | median wall | CPU / party (max) | rounds | bytes sent / party (max) | MPyC reference | MPyC fast end ÷ ours | ≥ 2× |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const n of sizes)
  for (const [i, w] of WORKLOADS.entries()) {
    if (only && !only.some((o) => w.name.startsWith(o))) continue;
    await once(i, n);
    const times: number[] = [];
    const cpus: number[] = [];
    let last: Reply[] = [];
    for (let r = 0; r < reps; r++) {
      last = await once(i, n);
      times.push(Math.max(...last.map((x) => x.ms!)));
      cpus.push(Math.max(...last.map((x) => x.cpuMs!)));
    }
    const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const median = mid(times);
    const cpu = mid(cpus);
    const ref = w.reference?.[n];
    const refText = ref ? (ref[0] === ref[1] ? `${ref[0]} s` : `${ref[0]}–${ref[1]} s`) : '—';
    const ratio = ref ? (ref[0] * 1000) / median : undefined;
    const show = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
    console.log(
      `| ${w.name} | ${n} | ${show(median)} | ${show(cpu)} | ${last[0]!.rounds} | ${Math.max(...last.map((x) => x.bytes!)).toLocaleString('en')} | ${refText} | ${ratio === undefined ? '—' : `${ratio.toFixed(1)}×`} | ${ratio === undefined ? (w.name.startsWith('W8') ? (cpu <= 20_000 ? `met (CPU ≤ 20 s${median <= 20_000 ? '' : '; wall over 20 s'})` : 'not met (> 20 s)') : '—') : ratio >= 2 ? 'met' : 'not met'} |`,
    );
  }
await Promise.all(workers.map((w) => w.terminate()));
