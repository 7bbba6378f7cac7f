// Referrals by notified pull over real HTTP: Carla (hospital) refers Maria to the maternity-care
// organisation; the hospital stores the ServiceRequest and sends only a node token and its id; the
// maternity-care node pulls it with its own token, and the hospital's guard decides on Maria's
// consent — withheld without it, received once she grants it — and records the access.
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { MARIA_BSN } from '../demo/population.ts';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import type { InboxItem } from '@ketenlog/exchange';
import {
  baseOf,
  clientAt,
  clientRecords,
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
let carla: string;
let anna: string;

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, ZIEKENHUIS]);
  kraamzorg = region.node(KRAAMZORG);
  ziekenhuis = region.node(ZIEKENHUIS);
  await seed(ziekenhuis, clientRecords('maria-zh', MARIA_BSN, 'medication', 1));
  maria = await clientAt(kraamzorg, await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN));
  carla = await loginProfessional(ziekenhuis, 'pro:carla-bakker');
  anna = await loginProfessional(kraamzorg, 'pro:anna-jansen');
}, 120_000);
afterAll(() => region?.close());

const refer = (body: object, cookie = carla) =>
  fetch(`${baseOf(ziekenhuis)}/exchange/referrals`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const inbox = async (): Promise<InboxItem[]> =>
  (
    (await (
      await fetch(`${baseOf(kraamzorg)}/exchange/referrals/inbox`, { headers: { cookie: anna } })
    ).json()) as {
      referrals: InboxItem[];
    }
  ).referrals;
const itemFor = async (id: string) =>
  (await inbox()).find((i) => i.referral?.id === id || i.detail.includes(id));

describe('a referral by notified pull', () => {
  it('without her consent the addressee learns only that a referral was withheld, and why', async () => {
    const response = await refer({ patient: 'maria-zh', to: KRAAMZORG, reason: 'Kraamzorg na keizersnede' });
    expect(response.status).toBe(201);
    const { referral, notified } = (await response.json()) as { referral: { id: string }; notified: boolean };
    expect(notified).toBe(true);
    await expect.poll(async () => (await inbox()).length, { timeout: 10_000 }).toBe(1);
    const [item] = await inbox();
    assert(item, 'the withheld referral in her inbox');
    expect(item).toMatchObject({ from: { ura: ZIEKENHUIS }, status: 'withheld' });
    expect(item.detail).toMatch(/toestemming/i);
    expect(item.referral).toBeUndefined();
    expect(JSON.stringify(item)).not.toContain('keizersnede');
    // Once she grants it, a retry receives the referral itself.
    await maria.consent({
      decision: 'grant',
      actor: { kind: 'organisation', ura: KRAAMZORG },
      categories: ['documents'],
      purpose: 'treatment',
    });
    await expect
      .poll(
        async () => {
          const retried = await fetch(`${baseOf(kraamzorg)}/exchange/referrals/inbox/${item.n}/retry`, {
            method: 'POST',
            headers: { cookie: anna },
          });
          return ((await retried.json()) as InboxItem).status;
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBe('received');
    const [received] = await inbox();
    assert(received, 'the received referral in her inbox');
    expect(received.referral).toMatchObject({
      id: referral.id,
      resourceType: 'ServiceRequest',
      reasonCode: [{ text: 'Kraamzorg na keizersnede' }],
      performer: [{ identifier: { value: KRAAMZORG } }],
    });
  });

  it('with consent in place a new referral arrives at once', async () => {
    const response = await refer({ patient: 'maria-zh', to: KRAAMZORG, reason: 'Controle na ontslag' });
    const { referral } = (await response.json()) as { referral: { id: string } };
    await expect.poll(async () => (await itemFor(referral.id))?.status, { timeout: 10_000 }).toBe('received');
  });

  it('refuses bad requests with an OperationOutcome, and notifications without a node token', async () => {
    const cases: [object, number, string?][] = [
      [{ patient: 'nobody', to: KRAAMZORG, reason: 'x' }, 404],
      [{ patient: 'maria-zh', to: ZIEKENHUIS, reason: 'x' }, 400],
      [{ patient: 'maria-zh', to: '99999999', reason: 'x' }, 400],
      [{ patient: 'maria-zh', to: KRAAMZORG, reason: ' ' }, 400],
      [{ patient: 'maria-zh', to: KRAAMZORG, reason: 'x' }, 401, ''],
    ];
    for (const [body, status, cookie] of cases) {
      const response = await refer(body, cookie ?? carla);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(await response.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    }
    const anonymous = await fetch(`${baseOf(kraamzorg)}/exchange/referrals/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'x' }),
    });
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${baseOf(kraamzorg)}/exchange/referrals/inbox`)).status).toBe(401);
  });
});
