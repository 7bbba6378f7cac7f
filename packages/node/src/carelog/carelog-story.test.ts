// The Mijn Zorg Log story across a region over real HTTP: Kraamzorg De Wieg, the insurer and the
// RSO (whose pseudonym service names the mother the same way at every node). See story.ts.
import { receiptPolicyFor, logOriginOf } from '@ketenlog/region';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import { playCarelogStory } from './story.ts';
import { systemAuthorization } from '../region/demo-system.ts';

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
      insurerAuthorization: await systemAuthorization(insurer),
      policy,
    });
    expect(result.statuses).toEqual(['approved', 'superseded', 'pending']);
    expect(result.remainingMinutes).toBe(49 * 60 - 180);
    expect(result.insurerSaw).toEqual([result.approved]);
    expect(result.refusedDeclaration).toBe(422);
    expect(result.declared).toEqual([result.approved]);
  }, 90_000);
});

describe('notified pull', () => {
  let quiet: RunningRegion;
  beforeAll(async () => {
    // The insurer is no witness here and polls the others' logs only once a minute: it learns of
    // an approved hour only because the kraamzorg's node notifies it.
    quiet = await startRegion({
      ...(await demoRegionOnFreePorts({
        uras: ['11110001', '11110003', '11110004', '11110010'],
        witnesses: ['11110001', '11110003', '11110010'],
        quorum: 1,
      })),
      logLevel: 'fatal',
      parts: { logbook: { mirrorIntervalMs: 60_000, finalityRetryMs: 100 } },
    });
  }, 60_000);
  afterAll(async () => quiet?.close());

  it("an approval reaches the client's insurer at once, though it is no witness and polls rarely", async () => {
    const kraamzorg = quiet.node('11110001');
    const config = kraamzorg.membership!.region;
    const started = performance.now();
    const result = await playCarelogStory({
      kraamzorg: baseOf(kraamzorg),
      insurer: baseOf(quiet.node('11110004')),
      insurerUra: '11110004',
      insurerAuthorization: await systemAuthorization(quiet.node('11110004')),
      policy: receiptPolicyFor(config, logOriginOf(config, kraamzorg.membership!.organisation))!,
    });
    expect(result.insurerSaw).toEqual([result.approved]);
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('refuses a notification without a node token', async () => {
    const response = await fetch(`${baseOf(quiet.node('11110004'))}/logbook/notify`, { method: 'POST' });
    expect(response.status).toBe(401);
  });
});
