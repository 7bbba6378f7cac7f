// Mitz at a holder, end to end over real HTTP: a region cut to the maternity-care node (holder of
// Maria's records), the hospital (Carla asks for Maria's overview) and the RSO, every member
// configured with the Mitz stand-in, which runs as its own process. The holder asks Mitz the
// closed question, subscribes for Maria, hears of her changed choice by notification, and weighs
// Mitz's answer against her own region consents: the more specific wins.
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_EXTENSION } from '@ketenlog/exchange';
import { startMitzStandin, type RunningMitzStandin } from '@ketenlog/national/standins/mitz';
import { MARIA_BSN } from '../demo/population.ts';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import {
  baseOf,
  clientAt,
  clientRecords,
  indexed,
  loginProfessional,
  seed,
  startExchangeRegion,
  type TestClient,
} from '../exchange/testing.ts';
import { MITZ_NOTIFY_PATH } from './consent.ts';

const [KRAAMZORG, ZIEKENHUIS] = ['11110001', '11110003'];
const ANNA_BSN = '999990032';
let mitz: RunningMitzStandin;
let region: RunningRegion;
let kraamzorg: RunningNode;
let ziekenhuis: RunningNode;
let maria: TestClient;
let carla: string;
let annaPseudonym: string;

beforeAll(async () => {
  // Mitz fails for Anna (HTTP 500): her region consents decide alone.
  mitz = await startMitzStandin({ choices: [], failFor: [ANNA_BSN] });
  region = await startExchangeRegion([KRAAMZORG, ZIEKENHUIS], {
    national: () => ({ mitz: { url: mitz.url, cacheSeconds: 300 } }),
  });
  kraamzorg = region.node(KRAAMZORG);
  ziekenhuis = region.node(ZIEKENHUIS);
  await seed(kraamzorg, clientRecords('maria-kz', MARIA_BSN, 'vital-signs', 2));
  await seed(ziekenhuis, clientRecords('maria-zh', MARIA_BSN, 'medication', 1));
  await seed(kraamzorg, clientRecords('anna-kz', ANNA_BSN, 'vital-signs', 1));
  await seed(ziekenhuis, clientRecords('anna-zh', ANNA_BSN, 'medication', 1));
  const pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
  await indexed(ziekenhuis, pseudonym, [KRAAMZORG, ZIEKENHUIS]);
  annaPseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(ANNA_BSN);
  await indexed(ziekenhuis, annaPseudonym, [KRAAMZORG, ZIEKENHUIS]);
  maria = await clientAt(kraamzorg, pseudonym);
  carla = await loginProfessional(ziekenhuis, 'pro:carla-bakker');
}, 120_000);
afterAll(async () => {
  await region?.close();
  await mitz?.stop();
});

async function overview(patient = 'maria-zh'): Promise<Bundle> {
  const response = await fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=${patient}`, {
    headers: { cookie: carla },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Bundle;
}

/** Whether the overview holds the maternity-care node's records. */
const fromKraamzorg = (bundle: Bundle): number =>
  (bundle.entry ?? []).filter(
    (e) =>
      e.search?.mode === 'match' &&
      e.resource?.meta?.extension?.some(
        (x) => x.url === SOURCE_EXTENSION && x.valueIdentifier?.value === KRAAMZORG,
      ),
  ).length;

async function overviewUntil(done: (bundle: Bundle) => boolean): Promise<Bundle> {
  let last: Bundle | undefined;
  await expect
    .poll(async () => done((last = await overview())), { timeout: 15_000, interval: 200 })
    .toBe(true);
  return last!;
}

describe('a holder asking Mitz', () => {
  it('asks the closed question about another organisation and subscribes for her: no choice, no access', async () => {
    expect(fromKraamzorg(await overview())).toBe(0);
    const asked = (await mitz.questions()).filter((q) => q.holder.ura === KRAAMZORG);
    expect(asked.at(-1)).toEqual({
      bsn: MARIA_BSN,
      holder: { ura: KRAAMZORG, facilityType: 'K4' },
      requester: { ura: ZIEKENHUIS, facilityType: 'V4', role: '01.016', professional: 'pro:carla-bakker' },
      purpose: 'TREAT',
    });
    // The hospital's own records: its own treatment, Mitz is not asked about them.
    expect((await mitz.questions()).some((q) => q.holder.ura === ZIEKENHUIS)).toBe(false);
    expect(await mitz.subscriptions()).toEqual([
      { bsn: MARIA_BSN, holder: KRAAMZORG, endpoint: `${baseOf(kraamzorg)}${MITZ_NOTIFY_PATH}` },
    ]);
  });

  it('hears of her new choice in Mitz by notification and lets the hospital see her records', async () => {
    // She permits hospitals in the Mitz portal: the stand-in posts the published notification.
    expect(await mitz.choose({ bsn: MARIA_BSN, consultingFacilityType: 'V4', decision: 'Permit' })).toBe(1);
    const bundle = await overview();
    expect(fromKraamzorg(bundle)).toBe(3);
  });

  it('lets her region objection naming the hospital win over the Mitz permit (more specific)', async () => {
    await maria.consent({
      decision: 'objection',
      actor: { kind: 'organisation', ura: ZIEKENHUIS },
      purpose: 'treatment',
    });
    await overviewUntil((b) => fromKraamzorg(b) === 0);
  });

  it('leaves the region consents to decide when Mitz fails: without hers withheld, with her grant shown', async () => {
    expect(fromKraamzorg(await overview('anna-zh'))).toBe(0);
    expect((await mitz.questions()).some((q) => q.bsn === ANNA_BSN)).toBe(true);
    const anna = await clientAt(kraamzorg, annaPseudonym);
    await anna.consent({
      decision: 'grant',
      actor: { kind: 'organisation', ura: ZIEKENHUIS },
      categories: ['vital-signs', 'demographics'],
      purpose: 'treatment',
    });
    let last: Bundle | undefined;
    await expect
      .poll(async () => fromKraamzorg((last = await overview('anna-zh'))), { timeout: 15_000, interval: 200 })
      .toBe(2);
    expect(last!.resourceType).toBe('Bundle');
  });

  it('answers a malformed notification with a 400 OperationOutcome', async () => {
    const post = (type: string, body: string) =>
      fetch(`${baseOf(kraamzorg)}${MITZ_NOTIFY_PATH}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    for (const response of [
      await post('application/fhir+xml', '<Bundle xmlns="http://hl7.org/fhir"><entry>'),
      await post('application/fhir+json', '{"resourceType":"Patient"}'),
      await post('application/fhir+json', '{"resourceType":"Bundle","entry":[]}'),
      await post('application/json', 'not json'),
    ]) {
      expect(response.status).toBe(400);
      expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    }
  });
});
