/**
 * bench/logbook/takeover: three processes of one organisation append to one log on PostgreSQL
 * (eight writers each); the integrating process is killed with SIGKILL, a replacement started, 20
 * times. Per kill: the time until another process integrates (elected and the tree recovered) and
 * until appends are acknowledged again; at the end, acknowledged appends missing from the log
 * (must be 0) and `verify` over the log.
 *
 *   node bench/logbook/takeover.ts [--kills 20]
 *   KETENLOG_BENCH_PG=postgres://user:pw@127.0.0.1:5432/db node bench/logbook/takeover.ts
 *
 * PostgreSQL: KETENLOG_BENCH_PG, else the test database of test/global-setup.ts. The benchmark
 * works in a schema of its own, dropped at the end.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SqlLogStore, verifyData } from '@ketenlog/logbook';
import { AppendProcess } from '../../packages/logbook/src/testing/append-process.ts';
import { freshPostgresSchema } from '@ketenlog/storage';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '20' } } });
const KILLS = Number(values.kills);
const TEST_PG = 'postgresql://ketenlog:ketenlog@127.0.0.1:5432/ketenlog_test';

const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const maxIndex = (ps: AppendProcess[]): number => Math.max(-1, ...ps.flatMap((p) => [...p.acks.keys()]));

const shared = await freshPostgresSchema(process.env.KETENLOG_BENCH_PG ?? TEST_PG);
const db = await shared.open();
const processes: AppendProcess[] = [];
const start = () => {
  const p = new AppendProcess(shared.url, shared.schema, `r${processes.length}`);
  processes.push(p);
  return p;
};
const elected: number[] = [];
const resumed: number[] = [];
const [load = 0] = loadavg();
try {
  let live = [start(), start(), start()];
  await Promise.all(live.map((p) => p.until(() => p.acks.size > 0)));
  for (let kill = 0; kill < KILLS; kill++) {
    const integrator = live.find((p) => p.role === 'integrating')!;
    const survivors = live.filter((p) => p !== integrator);
    // Let the load run a moment, so the kill lands mid-batch.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const highest = maxIndex(survivors.concat(integrator));
    const killedAt = performance.now();
    await integrator.kill();
    await Promise.race(survivors.map((p) => p.until(() => p.role === 'integrating')));
    const successor = survivors.find((p) => p.role === 'integrating')!;
    elected.push(successor.integratingSince! - killedAt);
    // Appends acknowledged again: an index beyond every one acknowledged before the kill.
    await Promise.race(survivors.map((p) => p.until(() => maxIndex([p]) > highest)));
    resumed.push(performance.now() - killedAt);
    live = [...survivors, start()];
    process.stderr.write(
      `kill ${kill + 1}: elected ${elected.at(-1)!.toFixed(0)} ms, appending ${resumed.at(-1)!.toFixed(0)} ms\n`,
    );
  }
  await Promise.all(live.map((p) => p.kill()));

  const acknowledged = new Map<number, string>();
  for (const p of processes) for (const [index, entry] of p.acks) acknowledged.set(index, entry);
  const stored = await new SqlLogStore(db, 'shared').readEntries(0, Number.MAX_SAFE_INTEGER);
  const lost = [...acknowledged].filter(
    ([index, entry]) => new TextDecoder().decode(stored[index]?.entry) !== entry,
  );
  const verified = await verifyData(db);

  console.log(
    `\nbench/logbook/takeover — ${KILLS} SIGKILLs of the integrating process among 3 processes on PostgreSQL (load average ${load.toFixed(1)} at start)\n`,
  );
  console.log('| measure | p50 ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|');
  for (const [name, xs] of [
    ['another process integrates', elected],
    ['appends acknowledged again', resumed],
  ] as const) {
    console.log(
      `| ${name} | ${percentile(xs, 50).toFixed(0)} | ${percentile(xs, 99).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`,
    );
  }
  console.log(
    `\nacknowledged appends: ${acknowledged.size}; lost: ${lost.length}; log size ${stored.length}; verify: ${verified.ok ? 'ok' : JSON.stringify(verified.logs)}`,
  );
  if (lost.length > 0 || !verified.ok) process.exitCode = 1;
} finally {
  await Promise.all(processes.map((p) => p.kill()));
  await db.close();
  await shared.drop();
}
