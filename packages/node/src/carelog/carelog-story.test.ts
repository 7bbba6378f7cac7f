// The Mijn Zorg Log story across a region over real HTTP: Kraamzorg De Wieg, the insurer and the
// RSO (whose pseudonym service names the mother the same way at every node). See story.ts.
import { receiptPolicyFor, logOriginOf } from '@ketenlog/region';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import { playCarelogStory } from './story.ts';

let region: RunningRegion;
const baseOf = (node: RunningNode) => node.fhirBase.replace(/\/fhir$/, '');

beforeAll(async () => {
  region = await startRegion({
    ...(await demoRegionOnFreePorts({ uras: ['11110001', '11110004', '11110010'], quorum: 2 })),
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
}, 60_000);
afterAll(async () => region?.close());

describe('Mijn Zorg Log across a region', () => {
  it('carer logs, mother approves and rejects with her passkey, carer corrects, insurer sees and declares', async () => {
    const kraamzorg = region.node('11110001');
    const insurer = region.node('11110004');
    const config = kraamzorg.membership!.region;
    const policy = receiptPolicyFor(config, logOriginOf(config, kraamzorg.membership!.organisation))!;

    const result = await playCarelogStory({
      kraamzorg: baseOf(kraamzorg),
      insurer: baseOf(insurer),
      insurerUra: '11110004',
      policy,
    });
    expect(result.statuses).toEqual(['approved', 'superseded', 'pending']);
    expect(result.remainingMinutes).toBe(49 * 60 - 180);
    expect(result.insurerSaw).toEqual([result.approved]);
    expect(result.refusedDeclaration).toBe(422);
    expect(result.declared).toEqual([result.approved]);
  }, 90_000);
});
