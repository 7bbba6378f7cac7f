/**
 * Ketenlog's engine against MPyC 0.11 at its best (numpy secure arrays, its inner product `@`, its
 * SecInt(32) comparison), on the same generated cohort (data.ts), in one run, runs interleaved
 * (MPyC, Ketenlog, MPyC, …) so that the shared machine's load hits both alike. Every output of both
 * is checked exactly against the plaintext; the table gives medians and MPyC ÷ Ketenlog (above 1:
 * Ketenlog faster). Each run is a fresh set of processes on both sides, timed after the parties
 * have connected (MPyC: mpc.start(); Ketenlog: channels open and pairwise seeds sent).
 *
 *   W1 share app (party 1), gp and cost (party 2), income (party 3)
 *   W2 Σ app·cost                      W3 #{gp < 3}, as a 32-bit comparison (κ = 30, as MPyC)
 *   W4 Σapp, Σapp·cost, Σapp·cost², Σcost, Σcost²  (app·cost one product per record, as MPyC)
 *   W5 the 10-bin one-hot histogram of gp among app users (the insurer inputs the bins)
 *   W6 XᵀX and Xᵀy for X = [1, app, income], y = cost
 *
 * Run:  node bench/mpc/side-by-side.ts [sizes=4350,43500] [rounds=3]
 * Env:  MPYC_SRC (a folder holding MPyC v0.11's `mpyc` package, e.g. from
 *       `git --git-dir=<lschoe/mpyc> archive v0.11 mpyc | tar -x -C $MPYC_SRC`; default /tmp/mpyc-src),
 *       PYTHON (Debian python3 with python3-gmpy2 and python3-numpy; default /usr/bin/python3),
 *       MPYC_PORT (first of three loopback ports, default 23455), OUT (default a temp folder),
 *       WARM=1: both sides first run the workloads once, untimed, on the first 200 records in the
 *       same processes (a long-lived node's steady state; MPyC's script does the same).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINS, cohort, type Cohort } from './data.ts';

type Run = {
  ms: Record<string, number>;
  msMax?: Record<string, number>;
  results: Record<string, unknown>;
  /** bytes sent by the timed party per workload (MPyC: its own count, with 12 header bytes a message) */
  bytes?: Record<string, number>;
  /** Ketenlog: rounds per workload */
  rounds?: Record<string, number>;
};
const W = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'] as const;
const HERE = fileURLToPath(new URL('.', import.meta.url));
const NODE = process.execPath;

function truth(d: Cohort): Record<string, unknown> {
  const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
  const ac = d.app.map((a, i) => a * d.cost[i]!);
  const X = [d.app.map(() => 1n), d.app, d.income];
  return {
    W2: sum(ac),
    W3: BigInt(d.gp.filter((g) => g < 3n).length),
    W4: [
      sum(d.app),
      sum(ac),
      sum(ac.map((x, i) => x * d.cost[i]!)),
      sum(d.cost),
      sum(d.cost.map((c) => c * c)),
    ],
    W5: Array.from({ length: BINS }, (_, b) =>
      BigInt(d.gp.filter((g, i) => g === BigInt(b) && d.app[i] === 1n).length),
    ),
    W6: [
      ...X.flatMap((xi) => X.map((xj) => sum(xi.map((v, k) => v * xj[k]!)))),
      ...X.map((xi) => sum(xi.map((v, k) => v * d.cost[k]!))),
    ],
  };
}

/** Results as decimal strings, so MPyC's JSON integers and Ketenlog's bigints compare exactly. */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' || typeof x === 'number' ? String(x) : x));

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      writeFileSync(log, `${out}\n--- stderr ---\n${err}`);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited ${code}; see ${log}`));
    });
  });
}

async function mpyc(csv: string, out: string, tag: string): Promise<Run> {
  const port = Number(process.env.MPYC_PORT ?? 23455);
  const env = { ...process.env, PYTHONPATH: process.env.MPYC_SRC ?? '/tmp/mpyc-src' };
  const python = process.env.PYTHON ?? '/usr/bin/python3';
  const addr = [0, 1, 2].flatMap((i) => ['-P', `127.0.0.1:${port + i}`]);
  const outs = await Promise.all(
    [0, 1, 2].map((i) =>
      exec(
        python,
        [join(HERE, 'mpyc_workloads.py'), csv, ...addr, `-I${i}`],
        env,
        join(out, `${tag}-p${i}.log`),
      ),
    ),
  );
  const line = outs[0]!.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`MPyC printed no result (${tag})`);
  return JSON.parse(line) as Run;
}

async function ketenlog(csv: string, out: string, tag: string): Promise<Run> {
  const o = await exec(
    NODE,
    [join(HERE, 'side-by-side-party.ts'), csv],
    process.env,
    join(out, `${tag}.log`),
  );
  return JSON.parse(o.split('\n').find((l) => l.startsWith('{'))!) as Run;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const show = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

const sizes = (process.argv[2] ?? '4350,43500').split(',').map(Number);
const rounds = Number(process.argv[3] ?? 3);
const out = process.env.OUT ?? mkdtempSync(join(tmpdir(), 'ketenlog-mpc-sbs-'));
mkdirSync(out, { recursive: true });
const load0 = loadavg();
const started = new Date();
let exact = true;
const rows: string[] = [];
const traffic: string[] = [];
for (const n of sizes) {
  const d = cohort(n);
  const csv = join(out, `cohort-${n}.csv`);
  writeFileSync(
    csv,
    ['app,gp,cost,income', ...d.app.map((a, i) => `${a},${d.gp[i]},${d.cost[i]},${d.income[i]}`)].join('\n') +
      '\n',
  );
  const want = truth(d);
  const runs: { m: Run; k: Run }[] = [];
  for (let r = 1; r <= rounds; r++) {
    const m = await mpyc(csv, out, `mpyc-${n}-${r}`);
    const k = await ketenlog(csv, out, `ketenlog-${n}-${r}`);
    for (const [side, run] of [
      ['MPyC', m],
      ['Ketenlog', k],
    ] as const)
      for (const w of W.slice(1))
        if (canon(run.results[w]) !== canon(want[w])) {
          exact = false;
          console.error(
            `${side} ${w} at N = ${n}, run ${r}: ${canon(run.results[w])}, plaintext ${canon(want[w])}`,
          );
        }
    if (k.results.W1 !== true) {
      exact = false;
      console.error(`Ketenlog W1 at N = ${n}, run ${r}: the opened columns differ from the cohort`);
    }
    runs.push({ m, k });
    console.error(`N = ${n} run ${r}/${rounds} done, load ${loadavg()[0]!.toFixed(2)}`);
  }
  const last = runs[runs.length - 1]!;
  for (const w of W)
    traffic.push(
      `| ${n.toLocaleString('en')} | ${w} | ${last.m.bytes?.[w]?.toLocaleString('en') ?? '–'} | ${last.k.bytes?.[w]?.toLocaleString('en') ?? '–'} | ${last.k.rounds?.[w] ?? '–'} |`,
    );
  const total = (run: Run, key: 'ms' | 'msMax'): number => W.reduce((a, w) => a + run[key]![w]!, 0);
  for (const w of W) {
    const m = median(runs.map((x) => x.m.ms[w]!));
    const k = median(runs.map((x) => x.k.ms[w]!));
    const kMax = median(runs.map((x) => x.k.msMax![w]!));
    rows.push(
      `| ${n.toLocaleString('en')} | ${w} | ${show(m)} | ${show(k)} | ${show(kMax)} | ${(m / k).toFixed(2)} |`,
    );
  }
  const m = median(runs.map((x) => total(x.m, 'ms')));
  const k = median(runs.map((x) => total(x.k, 'ms')));
  const kMax = median(runs.map((x) => total(x.k, 'msMax')));
  rows.push(
    `| ${n.toLocaleString('en')} | W1–W6 | ${show(m)} | ${show(k)} | ${show(kMax)} | ${(m / k).toFixed(2)} |`,
  );
}
console.log(
  `MPyC 0.11 (numpy arrays, @, SecInt(32)) and Ketenlog side by side; ${cpus().length} vCPU ${cpus()[0]?.model ?? ''}; Node ${process.version}; started ${started.toISOString()}; load ${load0.map((x) => x.toFixed(2)).join(' ')} → ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(
  `medians of ${rounds} interleaved runs, ${process.env.WARM === '1' ? 'warm (one untimed pass at N = 200 first, both sides)' : 'cold (fresh processes, no warm-up)'}; MPyC: party 0's time; Ketenlog: party 1's (same role), and its slowest party's`,
);
console.log('');
console.log('| N | workload | MPyC | Ketenlog | Ketenlog slowest party | MPyC ÷ Ketenlog |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
console.log('');
console.log('Bytes sent by the timed party (last run), and Ketenlog rounds:');
console.log('');
console.log('| N | workload | MPyC bytes | Ketenlog bytes | Ketenlog rounds |');
console.log('|---|---|---|---|---|');
for (const r of traffic) console.log(r);
console.log('');
console.log(exact ? 'every output of both exact' : 'SOME OUTPUT NOT EXACT');
console.log(`logs: ${out}`);
process.exit(exact ? 0 : 1);
