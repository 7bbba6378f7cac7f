// Mijn Zorg Log in the demo region at the pilot's scale: 33 mothers over three maternity-care
// organisations, 30 carers, their visits, approvals, rejections with corrections, re-indications,
// and the insurer seeing the approved hours of the mothers who consented.
import { approvedMinutesForInsurer } from '@ketenlog/region';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import { demoPopulation } from './population.ts';
import { PILOT_MOTHERS, seedDemoCarelog } from './seed-carelog.ts';
import { DEMO_CLIENTS, seedDemoRegion } from './seed-region.ts';

const KRAAMZORGEN = ['11110001', '11110006', '11110007'];
const INSURER = '11110004';
let region: RunningRegion;

beforeAll(async () => {
  region = await startRegion({
    ...(await demoRegionOnFreePorts({ uras: [...KRAAMZORGEN, INSURER, '11110010'], quorum: 2 })),
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  await seedDemoRegion(region);
}, 60_000);
afterAll(async () => region?.close());

describe("the demo region's Mijn Zorg Log", () => {
  it('holds the pilot: 33 mothers, 30 carers, visits approved, rejected and corrected, some still open', async () => {
    const started = performance.now();
    const summaries = await seedDemoCarelog(region, demoPopulation(DEMO_CLIENTS));
    const seconds = (performance.now() - started) / 1000;
    expect(summaries.map((s) => s.ura).sort()).toEqual(KRAAMZORGEN);
    expect(summaries.reduce((n, s) => n + s.mothers, 0)).toBe(PILOT_MOTHERS);
    expect(seconds).toBeLessThan(60);

    const statuses = new Map<string, number>();
    let reindicated = 0;
    const carers = new Set<string>();
    for (const ura of KRAAMZORGEN) {
      const node = region.node(ura);
      for (const file of node.carelog!.files.files()) {
        const budget = node.carelog!.budget(file.indication);
        if (budget.ok && budget.value.lines.length > 1) reindicated++;
        for (const entry of node.carelog!.entries(file.indication)) {
          statuses.set(entry.status, (statuses.get(entry.status) ?? 0) + 1);
          if (entry.carer) carers.add(entry.carer);
        }
      }
    }
    expect(carers.size).toBe(30);
    // The mothers still in care are in their first days (their care periods run around today), so
    // fewer visits than a whole period each.
    expect(statuses.get('approved')).toBeGreaterThan(180);
    expect(statuses.get('superseded')).toBeGreaterThan(0);
    expect(statuses.get('pending')).toBeGreaterThan(0);
    expect(reindicated).toBeGreaterThan(0);

    // The insurer's own node folds what the kraamzorg logs say: approved hours of consenting mothers.
    await expect
      .poll(() => approvedMinutesForInsurer(region.node(INSURER).logbook!.state, `ura:${INSURER}`).size, {
        timeout: 20_000,
      })
      .toBe(PILOT_MOTHERS);

    // Seeding again adds nothing: a restarted demo keeps its data.
    expect(await seedDemoCarelog(region, demoPopulation(DEMO_CLIENTS))).toEqual([]);
  }, 120_000);
});
