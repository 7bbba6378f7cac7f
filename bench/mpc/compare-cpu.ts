/**
 * The CPU of a 32-bit comparison (ℓ = 32, κ = 30, in 2^89 − 1, as W3 of side-by-side.ts): all three
 * parties in one thread over the in-process transport, so the figure is the work of all three
 * without the loopback's scheduling. Prints wall time and process CPU per call, the first call cold.
 *
 *   node bench/mpc/compare-cpu.ts [n=4350] [calls=2]
 */
import { M89, Party, inProcessTransports, lessThan } from '../../packages/analytics/src/index.ts';

const n = Number(process.argv[2] ?? 4350);
const calls = Number(process.argv[3] ?? 2);
const ts = inProcessTransports();
const ps = ([1, 2, 3] as const).map(
  (me) => new Party({ field: M89, me, transport: ts[me - 1]!, specHash: 'compare-cpu' }),
);
const gp = Array.from({ length: n }, (_, k) => BigInt(k % 7));
const want = BigInt(gp.filter((g) => g < 3n).length);
await Promise.all(ps.map((p) => p.exchange(new Map(), new Map()))); // the seed round
for (let call = 0; call < calls; call++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const counts = await Promise.all(
    ps.map(async (p) => {
      const [g] = await p.input([{ owner: 2, count: n }], p.me === 2 ? [gp] : []);
      const lt = await lessThan(p, g!, 3n, 32, 30);
      return (await p.open([p.sum(lt)]))[0]![0];
    }),
  );
  const c = process.cpuUsage(c0);
  if (counts.some((x) => x !== want)) throw new Error(`count ${counts[0]}, plaintext ${want}`);
  console.log(
    `N = ${n}, call ${call + 1}${call === 0 ? ' (cold)' : ''}: ${(performance.now() - t0).toFixed(1)} ms wall, ${((c.user + c.system) / 1000).toFixed(1)} ms CPU, ${ps[0]!.stats.rounds} rounds so far`,
  );
}
