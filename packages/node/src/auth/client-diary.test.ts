// The client's diary at her node over real HTTP: from her passkey session she posts a diary entry
// to /fhir/Observation; the node makes it hers (her Patient, self-reported, final) and refuses
// anything else, too long a text, and a client who is not known at this organisation; her diary
// search answers with her own entries only.
import type { Bundle, Condition, Observation, Patient } from '@medplum/fhirtypes';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import {
  DIARY_CODE,
  DIARY_MAX_LENGTH,
  DIARY_SYSTEM,
  diaryObservation,
  PROVENANCE_SYSTEM,
} from '@ketenlog/auth';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import { enrolAndLogIn } from './testing.ts';
import { systemAuthorization } from '../region/demo-system.ts';

let region: RunningRegion;
let kraamzorg: RunningNode;
let base: string;
let session: string;

beforeAll(async () => {
  region = await startRegion({
    ...(await demoRegionOnFreePorts({ uras: ['11110001', '11110010'], quorum: 1 })),
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  kraamzorg = region.node('11110001');
  base = kraamzorg.membership!.organisation.node.baseUrl.replace(/\/$/, '');
  session = (await enrolAndLogIn(base)).session;
}, 90_000);
afterAll(async () => region?.close());

const post = (body: object, cookie = session) =>
  fetch(`${base}/fhir/Observation`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', cookie },
    body: JSON.stringify(body),
  });
const issueOf = async (response: Response) =>
  ((await response.json()) as { resourceType: string; issue: { code: string }[] }).issue[0]!.code;

describe('the diary from a client session', () => {
  it('is refused while she is not known as a client at this organisation', async () => {
    const response = await post(diaryObservation('Goed geslapen.', new Date()));
    expect(response.status).toBe(404);
    expect(await issueOf(response)).toBe('not-found');
  });

  it('stores her entry on her own Patient, tagged self-reported', async () => {
    const { resource: patient } = await kraamzorg.repository.create<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990019' }],
    });
    const entry = {
      ...diaryObservation('Vandaag voor het eerst buiten gewandeld.', new Date('2026-12-04T10:00:00Z')),
      subject: { reference: 'Patient/someone-else' },
      meta: { tag: [{ system: PROVENANCE_SYSTEM, code: 'by-professional' }] },
    };
    const response = await post(entry);
    expect(response.status).toBe(201);
    const stored = (await response.json()) as Observation;
    expect(stored.subject?.reference).toBe(`Patient/${patient.id}`);
    expect(stored.performer?.[0]?.reference).toBe(`Patient/${patient.id}`);
    expect(stored.meta?.tag?.filter((t) => t.system === PROVENANCE_SYSTEM).map((t) => t.code)).toEqual([
      'self-reported',
    ]);
    expect(stored.valueString).toBe('Vandaag voor het eerst buiten gewandeld.');
    expect(stored.effectiveDateTime).toBe('2026-12-04T10:00:00.000Z');
  });

  it("answers her diary search with her own entries only, not another client's", async () => {
    await kraamzorg.repository.create({
      ...diaryObservation('Iemand anders haar dagboek.', new Date('2026-12-03T10:00:00Z')),
      subject: { reference: 'Patient/someone-else' },
    } as Observation);
    const search = (headers: Record<string, string>) =>
      fetch(`${base}/fhir/Observation?${new URLSearchParams({ code: `${DIARY_SYSTEM}|${DIARY_CODE}` })}`, {
        headers: { accept: 'application/fhir+json', ...headers },
      });
    const mine = (await (await search({ cookie: session })).json()) as Bundle<Observation>;
    expect(mine.entry?.map((e) => e.resource?.valueString)).toEqual([
      'Vandaag voor het eerst buiten gewandeld.',
    ]);
    // Without any credential nothing; the organisation's own system sees both entries.
    expect((await search({})).status).toBe(401);
    const all = (await (
      await search({ authorization: await systemAuthorization(kraamzorg) })
    ).json()) as Bundle<Observation>;
    expect(all.entry).toHaveLength(2);
  });

  it('refuses other resources and empty or too long entries from a client session', async () => {
    const cases = [
      { resourceType: 'Observation', status: 'final', code: { text: 'Bloeddruk' } },
      diaryObservation('   ', new Date()),
      diaryObservation('x'.repeat(DIARY_MAX_LENGTH + 1), new Date()),
    ];
    for (const body of cases) {
      const response = await post(body);
      expect(response.status).toBe(403);
      expect(await issueOf(response)).toBe('forbidden');
    }
  });
});

describe("a client session on the node's FHIR API (client-fhir-scope.ts)", () => {
  const get = (path: string, cookie = session) =>
    fetch(`${base}/fhir/${path}`, { headers: { accept: 'application/fhir+json', cookie } });
  const ids = async (response: Response) =>
    (((await response.json()) as Bundle).entry ?? []).map((e) => e.resource?.id).sort();

  it('searches and reads only her own records, whatever the request names', async () => {
    const [mine] = ((await (await get('Patient')).json()) as Bundle<Patient>).entry!.map((e) => e.resource!);
    assert(mine, 'her Patient resource');
    expect(mine.identifier?.[0]?.value).toBe('999990019');
    const other = await kraamzorg.repository.create<Patient>({
      resourceType: 'Patient',
      name: [{ family: 'Anders' }],
    });
    const condition = (patient: string) =>
      kraamzorg.repository.create({
        resourceType: 'Condition',
        subject: { reference: `Patient/${patient}` },
        code: { text: 'Zwangerschap' },
      } as Condition);
    const hers = (await condition(mine.id!)).resource.id!;
    const theirs = (await condition(other.resource.id!)).resource.id!;
    expect(await ids(await get('Condition'))).toEqual([hers]);
    expect(await ids(await get(`Condition?patient=Patient/${other.resource.id}`))).toEqual([hers]);
    expect(await ids(await get(`Patient?_id=${other.resource.id}`))).toEqual([mine.id]);
    expect((await get(`Condition/${hers}`)).status).toBe(200);
    expect((await get(`Condition/${theirs}`)).status).toBe(404);
    expect((await get(`Patient/${other.resource.id}`)).status).toBe(404);
    expect((await get(`Patient/${other.resource.id}/$everything`)).status).toBe(404);
    // System-wide searches and history are not hers to make (refused, or no such type).
    for (const path of ['_history', '?_type=Patient', 'Patient/_history'])
      expect([403, 404], path).toContain((await get(path)).status);
    const write = await fetch(`${base}/fhir/Condition`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', cookie: session },
      body: JSON.stringify({ resourceType: 'Condition', subject: { reference: `Patient/${mine.id}` } }),
    });
    expect(write.status).toBe(403);
    // The organisation's own system sees both.
    const staff = await fetch(`${base}/fhir/Condition`, {
      headers: { authorization: await systemAuthorization(kraamzorg) },
    });
    expect(await ids(staff)).toEqual([hers, theirs].sort());
  });
});
