// "Who am I" and names behind pseudonyms for the portal (issue 17), over real HTTP in a demo region
// cut to a maternity-care organisation, a hospital and the RSO: a professional is named with her role and
// organisation, a client by her Patient here; only a professional of this organisation learns who
// is behind a pseudonym, and bad input is a 400 with an OperationOutcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIA_BSN } from '../demo/population.ts';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import { ME_PATH, PEOPLE_PATH } from '@ketenlog/exchange';
import {
  baseOf,
  clientAt,
  clientRecords,
  loginProfessional,
  seed,
  startExchangeRegion,
  type TestClient,
} from './testing.ts';

const KRAAMZORG = '11110001';
let region: RunningRegion;
let kraamzorg: RunningNode;
let pseudonym: string;
let maria: TestClient;
let karin: string;

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, '11110003']);
  kraamzorg = region.node(KRAAMZORG);
  await seed(kraamzorg, clientRecords('maria-kz', MARIA_BSN, 'vital-signs', 1));
  pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
  maria = await clientAt(kraamzorg, pseudonym);
  karin = await loginProfessional(kraamzorg, 'pro:karin-dewit');
}, 120_000);
afterAll(async () => region?.close());

const get = (path: string, cookie?: string) =>
  fetch(`${baseOf(kraamzorg)}${path}`, { headers: cookie ? { cookie } : {} });
const post = (body: unknown, cookie?: string) =>
  fetch(`${baseOf(kraamzorg)}${PEOPLE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

describe('people, not ids', () => {
  it('names a professional with her role and organisation, and a client by her Patient here', async () => {
    expect(await (await get(ME_PATH, karin)).json()).toEqual({
      kind: 'professional',
      name: 'Karin de Wit',
      role: 'administratie',
      organisation: { ura: KRAAMZORG, name: 'Kraamzorg De Wieg' },
    });
    const me = (await (await get(ME_PATH, maria.cookie)).json()) as {
      kind: string;
      name?: string;
      organisation?: { name: string };
    };
    expect(me.kind).toBe('client');
    expect(me.name).toMatch(/\S+ \S+/);
    expect(me.organisation?.name).toBe('Kraamzorg De Wieg');
  });

  it('answers 401 without a session', async () => {
    const response = await get(ME_PATH);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  it('tells a professional of this organisation who is behind a pseudonym, and no one else', async () => {
    const answer = (await (await post({ subjects: [pseudonym, 'unknown-subject'] }, karin)).json()) as {
      people: { subject: string; name: string; birthDate?: string }[];
    };
    expect(answer.people).toHaveLength(1);
    expect(answer.people[0]).toMatchObject({
      subject: pseudonym,
      name: expect.stringMatching(/\S/),
    });
    expect((await post({ subjects: [pseudonym] }, maria.cookie)).status).toBe(401);
    expect((await post({ subjects: [pseudonym] })).status).toBe(401);
  });

  it('refuses malformed input with a 400 OperationOutcome', async () => {
    for (const body of [{}, { subjects: 'x' }, { subjects: [1] }, { subjects: Array(501).fill('x') }]) {
      const response = await post(body, karin);
      expect(response.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    }
  });
});
