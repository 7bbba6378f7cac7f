// The consent preview over HTTP in a demo region cut to two members (kraamzorg and the RSO): Maria
// asks what a GP, an insurer and one named organisation would see; a signed grant changes the
// answer and brings her own records of the visible category (not another client's); bad requests
// get an OperationOutcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import type { ConsentPreview } from '@ketenlog/exchange';
import { MARIA_BSN } from '../demo/population.ts';
import { baseOf, clientAt, clientRecords, seed, startExchangeRegion, type TestClient } from './testing.ts';

const KRAAMZORG = '11110001';
let region: RunningRegion;
let node: RunningNode;
let maria: TestClient;

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG], { quorum: 1 });
  node = region.node(KRAAMZORG);
  // Maria's medication here, and another client's, who must never show in her preview.
  await seed(node, [
    ...clientRecords('maria-kz', MARIA_BSN, 'medication', 2),
    ...clientRecords('other-kz', '999912343', 'medication', 1),
  ]);
  maria = await clientAt(node, await node.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN));
}, 120_000);
afterAll(async () => region?.close());

const get = (query: string, cookie = maria.cookie) =>
  fetch(`${baseOf(node)}/exchange/consent-preview?${query}`, {
    headers: cookie ? { cookie } : {},
  });
const preview = async (query: string): Promise<ConsentPreview> => {
  const response = await get(query);
  expect(response.status).toBe(200);
  return (await response.json()) as ConsentPreview;
};
const visible = (p: ConsentPreview) => p.categories.filter((c) => c.visible).map((c) => c.category);

describe('GET /exchange/consent-preview', () => {
  it('without consent nobody from elsewhere sees anything, each category with its reason', async () => {
    const gp = await preview('type=huisarts&purpose=treatment');
    expect(gp.party).toEqual({ type: 'huisarts' });
    expect(visible(gp)).toEqual([]);
    expect(gp.categories.find((c) => c.category === 'medication')).toMatchObject({
      basis: 'no-consent',
      reason: 'Hiervoor is toestemming van de cliënt nodig.',
    });
    const insurer = await preview('type=zorgverzekeraar&purpose=billing');
    expect(insurer.categories.every((c) => c.basis === 'outside-care')).toBe(true);
  });

  it('a signed grant for GPs and medication makes exactly that visible; a named organisation too', async () => {
    const drafts = await fetch(`${baseOf(node)}/exchange/consent-drafts`, {
      method: 'POST',
      headers: { cookie: maria.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        decision: 'grant',
        actor: { kind: 'type', type: 'huisarts' },
        categories: ['medication'],
        purpose: 'treatment',
      }),
    });
    await maria.sign(((await drafts.json()) as { drafts: never[] }).drafts);
    const gp = await preview('type=huisarts&purpose=treatment');
    expect(visible(gp)).toEqual(['medication']);
    expect(gp.categories.find((c) => c.category === 'medication')!.reason).toBe(
      'De cliënt heeft toestemming gegeven.',
    );
    // With the visible category come her records of it here — hers only.
    const medication = gp.categories.find((c) => c.category === 'medication')!;
    expect(medication.items?.map((r) => r.id).sort()).toEqual([
      'maria-kz-medication-0',
      'maria-kz-medication-1',
    ]);
    expect(gp.categories.find((c) => c.category === 'problems')!.items).toBeUndefined();
    expect(visible(await preview('type=huisarts&purpose=research'))).toEqual([]);
    const named = await preview(`ura=${KRAAMZORG}`);
    expect(named.party).toMatchObject({ ura: KRAAMZORG, type: 'kraamzorg' });
    expect(named.party.name).toBeTruthy();
    expect(visible(named)).toEqual([]);
  });

  it('refuses without a session, an unknown purpose, party or organisation', async () => {
    const cases: [string, string, number][] = [
      ['type=huisarts', '', 401],
      ['type=huisarts&purpose=marketing', maria.cookie, 400],
      ['type=bakker', maria.cookie, 400],
      ['', maria.cookie, 400],
      ['ura=123', maria.cookie, 400],
      ['ura=99999999', maria.cookie, 404],
    ];
    for (const [query, cookie, status] of cases) {
      const response = await get(query, cookie);
      expect(response.status, query).toBe(status);
      expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    }
  });
});
