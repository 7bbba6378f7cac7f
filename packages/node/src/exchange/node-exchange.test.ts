// The localisation index across the demo region: each member seeds its own records; every node
// derives Maria's region pseudonym through the RSO's pseudonym service and states what it holds;
// every node's state then shows where her data is — and no BSN is on any log.
import { holdersOf } from '@ketenlog/region';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoRegion } from '../demo/seed-region.ts';
import { MARIA_BSN } from '../demo/population.ts';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';

let region: RunningRegion;

beforeAll(async () => {
  region = await startRegion({
    ...(await demoRegionOnFreePorts()),
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  await seedDemoRegion(region);
  await Promise.all(region.nodes.map((n) => n.exchange?.publisher?.flush()));
}, 120_000);
afterAll(async () => region?.close());

describe('the localisation index in the demo region', () => {
  it('gives Maria one pseudonym everywhere and shows every node where her data is held', async () => {
    const kraamzorg = region.node('11110001');
    const maria = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
    expect(await region.node('11110003').exchange!.pseudonyms!.pseudonymOf(MARIA_BSN)).toBe(maria);
    // Maria's records are (at least) at the first kraamzorg, the midwife, the hospital (she gave birth
    // there), the GP, the pharmacy and the insurer.
    const expected = ['11110001', '11110002', '11110003', '11110004', '11110008', '11110009']
      .map((u) => `ura:${u}`)
      .sort();
    for (const node of region.nodes) {
      await expect
        .poll(
          () =>
            holdersOf(node.logbook!.state.index, maria)
              .map((h) => h.holder)
              .sort(),
          { timeout: 15_000 },
        )
        .toEqual(expect.arrayContaining(expected));
    }
    const atKraamzorg = holdersOf(kraamzorg.logbook!.state.index, maria).find(
      (h) => h.holder === 'ura:11110001',
    )!;
    expect([...atKraamzorg.categories].sort()).toEqual(['encounters', 'pregnancy', 'vital-signs']);
    // No BSN on any log.
    const entries = await kraamzorg.logbook!.sequencer.store.readEntries(
      0,
      kraamzorg.logbook!.sequencer.size,
    );
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some((e) => new TextDecoder().decode(e.entry).includes(MARIA_BSN))).toBe(false);
  });
});
