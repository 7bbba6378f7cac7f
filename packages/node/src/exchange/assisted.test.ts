// Assisted mode over real HTTP: Maria gave her consent on paper at the kraamzorg; Anna Jansen
// records it there. The kraamzorg's PDP honours it for the hospital's overview at once, and Maria
// sees it in her consents list, marked assisted, with the paper reference and who recorded it.
import type { Bundle, Consent } from '@medplum/fhirtypes';
import {
  ASSISTED_EXTENSION,
  PAPER_CONSENT_SYSTEM,
  RECORDED_BY_EXTENSION,
  SOURCE_EXTENSION,
  ASSISTED_CONSENTS_PATH,
} from '@ketenlog/exchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from './testing.ts';

const [KRAAMZORG, ZIEKENHUIS] = ['11110001', '11110003'];
let region: RunningRegion;
let kraamzorg: RunningNode;
let ziekenhuis: RunningNode;
let maria: TestClient;
let anna: string;
let carla: string;

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, ZIEKENHUIS]);
  kraamzorg = region.node(KRAAMZORG);
  ziekenhuis = region.node(ZIEKENHUIS);
  await seed(kraamzorg, clientRecords('maria-kz', MARIA_BSN, 'vital-signs', 2));
  await seed(ziekenhuis, clientRecords('maria-zh', MARIA_BSN, 'medication', 1));
  const pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
  await indexed(ziekenhuis, pseudonym, [KRAAMZORG, ZIEKENHUIS]);
  maria = await clientAt(kraamzorg, pseudonym);
  anna = await loginProfessional(kraamzorg, 'pro:anna-jansen');
  carla = await loginProfessional(ziekenhuis, 'pro:carla-bakker');
}, 120_000);
afterAll(() => region?.close());

const record = (body: object, cookie = anna) =>
  fetch(`${baseOf(kraamzorg)}${ASSISTED_CONSENTS_PATH}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const fromKraamzorg = async () => {
  const response = await fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=maria-zh`, {
    headers: { cookie: carla },
  });
  const bundle = (await response.json()) as Bundle;
  return (bundle.entry ?? []).filter(
    (e) =>
      e.resource?.meta?.extension?.find((x) => x.url === SOURCE_EXTENSION)?.valueIdentifier?.value ===
      KRAAMZORG,
  );
};

const GRANT = {
  patient: 'maria-kz',
  decision: 'grant',
  actor: { kind: 'organisation', ura: ZIEKENHUIS },
  categories: ['vital-signs'],
  purpose: 'treatment',
  paperReference: 'ARCH-2026-0042',
};

describe('assisted-mode consent', () => {
  it('refuses without a professional session here, without a paper reference, or with what it cannot read', async () => {
    expect((await record(GRANT, '')).status).toBe(401);
    // Carla's session is at the hospital's node, not here.
    expect((await record(GRANT, carla)).status).toBe(401);
    for (const body of [
      { ...GRANT, paperReference: ' ' },
      { ...GRANT, decision: 'maybe' },
      { ...GRANT, categories: ['everything'] },
      { ...GRANT, purpose: 'marketing' },
      { ...GRANT, actor: { kind: 'organisation', ura: '99999999' } },
      { ...GRANT, validUntil: '2020-01-01' },
    ]) {
      const response = await record(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ code: 'invalid' }],
      });
    }
    expect((await record({ ...GRANT, patient: 'nobody' })).status).toBe(404);
    expect(await fromKraamzorg()).toEqual([]);
  });

  it('is honoured by the holder at once and shown in her consents list, marked assisted, with the paper reference', async () => {
    const response = await record(GRANT);
    expect(response.status).toBe(201);
    const stored = (await response.json()) as Consent;
    expect(stored).toMatchObject({
      resourceType: 'Consent',
      patient: { reference: 'Patient/maria-kz' },
      provision: { type: 'permit' },
      sourceReference: { identifier: { system: PAPER_CONSENT_SYSTEM, value: 'ARCH-2026-0042' } },
    });

    const shared = await fromKraamzorg();
    expect(shared.map((e) => e.resource!.resourceType)).toEqual(['Observation', 'Observation']);

    const list = (await (
      await fetch(`${baseOf(kraamzorg)}/exchange/consents`, { headers: { cookie: maria.cookie } })
    ).json()) as Bundle;
    const assisted = list.entry!.map((e) => e.resource as Consent).find((c) => c.id === stored.id)!;
    expect(assisted.meta?.extension).toEqual(
      expect.arrayContaining([
        { url: ASSISTED_EXTENSION, valueBoolean: true },
        {
          url: RECORDED_BY_EXTENSION,
          valueReference: { identifier: { value: 'pro:anna-jansen' }, display: 'Anna Jansen' },
        },
      ]),
    );
    expect(assisted.sourceReference?.identifier?.value).toBe('ARCH-2026-0042');
  });

  it('an assisted objection recorded later wins over the grant it covers equally', async () => {
    expect((await record({ ...GRANT, decision: 'objection', paperReference: 'ARCH-2026-0043' })).status).toBe(
      201,
    );
    expect(await fromKraamzorg()).toEqual([]);
  });
});
