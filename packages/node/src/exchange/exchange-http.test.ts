// The federated overview end to end over real HTTP in a demo region cut to four members (kraamzorg,
// midwife, hospital, and the RSO for pseudonyms): Maria's records are at the first three; Carla,
// medical specialist at the hospital, asks her node for Maria's overview. Each holder's own guard
// decides from Maria's consents, records every access on its log, and the hospital's node merges
// what it is given; Maria sees her consents and who looked.
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { issueNodeToken } from '@ketenlog/auth';
import { newTestKey } from '@ketenlog/region/testing';
import {
  categoryForConsent,
  SOURCE_EXTENSION,
  OVERVIEW_STATUS_SYSTEM,
  type AccessTrailItem,
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
  put,
  seed,
  startExchangeRegion,
  type TestClient,
} from './testing.ts';
import { systemAuthorization } from '../region/demo-system.ts';

const [KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS] = ['11110001', '11110002', '11110003'];
let region: RunningRegion;
let kraamzorg: RunningNode;
let verloskunde: RunningNode;
let ziekenhuis: RunningNode;
let maria: TestClient;
let carla: string;

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS]);
  kraamzorg = region.node(KRAAMZORG);
  verloskunde = region.node(VERLOSKUNDE);
  ziekenhuis = region.node(ZIEKENHUIS);
  await seed(kraamzorg, [
    ...clientRecords('maria-kz', MARIA_BSN, 'vital-signs', 3),
    ...clientRecords('maria-kz', MARIA_BSN, 'encounters', 2).slice(1),
  ]);
  await seed(verloskunde, clientRecords('maria-vk', MARIA_BSN, 'pregnancy', 2));
  await seed(ziekenhuis, [
    ...clientRecords('maria-zh', MARIA_BSN, 'medication', 2),
    ...clientRecords('maria-zh', MARIA_BSN, 'allergies', 1).slice(1),
  ]);
  const pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
  await indexed(ziekenhuis, pseudonym, [KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS]);
  maria = await clientAt(kraamzorg, pseudonym);
  carla = await loginProfessional(ziekenhuis, 'pro:carla-bakker');
}, 120_000);
afterAll(async () => region?.close());

/** A node token from the hospital for Carla (treatment), addressed to the maternity-care node. */
const carlasToken = () => {
  const { keyId, secretKey } = ziekenhuis.membership!.statementKey;
  return issueNodeToken(
    { keyId, secretKey },
    {
      organisation: ZIEKENHUIS,
      audience: baseOf(kraamzorg),
      professional: 'pro:carla-bakker',
      role: 'medisch-specialist',
      purpose: 'treatment',
    },
  );
};

/** Maria's entry in the hospital's client list with consent status. */
async function consentStatus() {
  const response = await fetch(`${baseOf(ziekenhuis)}/exchange/consent-status`, {
    headers: { cookie: carla },
  });
  const { clients } = (await response.json()) as { clients: { patient: string }[] };
  return clients.find((c) => c.patient === 'maria-zh');
}

async function overview(): Promise<{ status: number; bundle: Bundle }> {
  const response = await fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=maria-zh`, {
    headers: { cookie: carla },
  });
  return { status: response.status, bundle: (await response.json()) as Bundle };
}

const sources = (bundle: Bundle): string[] =>
  [
    ...new Set(
      (bundle.entry ?? [])
        .filter((e) => e.search?.mode === 'match')
        .map(
          (e) =>
            e.resource!.meta!.extension!.find((x) => x.url === SOURCE_EXTENSION)!.valueIdentifier!.value!,
        ),
    ),
  ].sort();

const issues = (bundle: Bundle, code: string) =>
  (
    (bundle.entry ?? []).find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome | undefined
  )?.issue.filter((i) =>
    i.details?.coding?.some((c) => c.system === OVERVIEW_STATUS_SYSTEM && c.code === code),
  ) ?? [];
const holderOf = (issue: { extension?: { valueIdentifier?: { value?: string } }[] }) =>
  issue.extension?.[0]?.valueIdentifier?.value;

async function consentDrafts(body: object) {
  const response = await fetch(`${baseOf(kraamzorg)}/exchange/consent-drafts`, {
    method: 'POST',
    headers: { cookie: maria.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { drafts: { kind: string; subject: string; body: object }[] }).drafts;
}

/** Polls the overview until `done` holds (consents reach other nodes by log mirroring). */
async function overviewUntil(done: (bundle: Bundle) => boolean): Promise<Bundle> {
  let last: Bundle | undefined;
  await expect
    .poll(
      async () => {
        last = (await overview()).bundle;
        return done(last);
      },
      { timeout: 15_000, interval: 200 },
    )
    .toBe(true);
  return last!;
}

describe('the federated overview between region members over HTTP', () => {
  it('without consent: the hospital sees its own records; the others withhold theirs, saying why', async () => {
    const { status, bundle } = await overview();
    expect(status).toBe(200);
    expect(bundle.total).toBeUndefined();
    expect(sources(bundle)).toEqual([ZIEKENHUIS]);
    const types = bundle
      .entry!.filter((e) => e.search?.mode === 'match')
      .map((e) => e.resource!.resourceType);
    expect(types[0]).toBe('Patient');
    expect(types.filter((t) => t === 'MedicationStatement')).toHaveLength(2);
    const withheld = issues(bundle, 'withheld');
    expect(new Set(withheld.map(holderOf))).toEqual(new Set([KRAAMZORG, VERLOSKUNDE]));
    expect(withheld.map((i) => i.details!.text).join(' ')).toMatch(/toestemming/);
    expect(issues(bundle, 'unreachable')).toEqual([]);
    expect(JSON.stringify(bundle)).not.toContain('maria-kz-vital');
    // By BSN instead of the local id: the same overview; unknown, unauthenticated: refused.
    const byBsn = await fetch(
      `${baseOf(ziekenhuis)}/exchange/overview?identifier=${encodeURIComponent(`http://fhir.nl/fhir/NamingSystem/bsn|${MARIA_BSN}`)}`,
      { headers: { cookie: carla } },
    );
    expect(sources((await byBsn.json()) as Bundle)).toEqual([ZIEKENHUIS]);
    const unknown = await fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=nobody`, {
      headers: { cookie: carla },
    });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=maria-zh`)).status).toBe(401);
  });

  it("lists the consent status of the hospital's clients: what the other holders would share", async () => {
    expect(await consentStatus()).toEqual({ patient: 'maria-zh', shared: 0, withheld: 3, holders: 2 });
    expect((await fetch(`${baseOf(ziekenhuis)}/exchange/consent-status`)).status).toBe(401);
  });

  it('with her consent: data from both other holders, merged into one timeline naming each source', async () => {
    await maria.sign(
      await consentDrafts({
        decision: 'grant',
        actor: { kind: 'organisation', ura: ZIEKENHUIS },
        categories: ['vital-signs', 'encounters', 'pregnancy', 'demographics'],
        purpose: 'treatment',
      }),
    );
    const patients = (b: Bundle) =>
      (b.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient').length;
    const bundle = await overviewUntil((b) => sources(b).length === 3 && patients(b) === 3);
    expect(sources(bundle)).toEqual([KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS]);
    expect(await consentStatus()).toEqual({ patient: 'maria-zh', shared: 3, withheld: 0, holders: 2 });
    const matches = bundle.entry!.filter((e) => e.search?.mode === 'match');
    expect(matches.filter((e) => e.resource!.resourceType === 'Observation')).toHaveLength(3);
    expect(matches.filter((e) => e.resource!.resourceType === 'Condition')).toHaveLength(2);
    // Timeline: the Patient records first, then newest first.
    const dated = matches.filter((e) => e.resource!.resourceType !== 'Patient');
    expect(matches.slice(0, 3).every((e) => e.resource!.resourceType === 'Patient')).toBe(true);
    const times = dated.map((e) => {
      const r = e.resource as {
        effectiveDateTime?: string;
        onsetDateTime?: string;
        period?: { start: string };
        recordedDate?: string;
      };
      return Date.parse(r.effectiveDateTime ?? r.onsetDateTime ?? r.period?.start ?? r.recordedDate ?? '');
    });
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(issues(bundle, 'withheld')).toEqual([]);
  });

  it('lists her consents as FHIR Consent resources, at /exchange/consents and at /fhir/Consent', async () => {
    for (const path of ['/exchange/consents', '/fhir/Consent?_count=100']) {
      const response = await fetch(`${baseOf(kraamzorg)}${path}`, { headers: { cookie: maria.cookie } });
      expect(response.status).toBe(200);
      const bundle = (await response.json()) as Bundle;
      expect(bundle.entry).toHaveLength(4);
      expect(bundle.entry?.[0]?.resource).toMatchObject({
        resourceType: 'Consent',
        provision: { type: 'permit' },
      });
    }
    const anonymous = await fetch(`${baseOf(kraamzorg)}/exchange/consents`);
    expect(anonymous.status).toBe(401);
  });

  it('a withdrawal takes effect for the next overview', async () => {
    const consents = (await (
      await fetch(`${baseOf(kraamzorg)}/exchange/consents`, { headers: { cookie: maria.cookie } })
    ).json()) as Bundle;
    for (const entry of consents.entry!) {
      await maria.sign(await consentDrafts({ withdraw: entry.resource!.id }));
    }
    const bundle = await overviewUntil((b) => sources(b).length === 1);
    expect(sources(bundle)).toEqual([ZIEKENHUIS]);
    expect(new Set(issues(bundle, 'withheld').map(holderOf))).toEqual(new Set([KRAAMZORG, VERLOSKUNDE]));
  });

  it('a consent recorded on paper at the midwife counts only within its period', async () => {
    const paper = (end: string) => ({
      resourceType: 'Consent',
      id: 'paper-maria',
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/maria-vk' },
      dateTime: '2026-11-01T00:00:00Z',
      provision: {
        type: 'permit',
        period: { start: '2026-01-01T00:00:00Z', end },
        actor: [
          {
            role: {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' },
              ],
            },
            reference: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: ZIEKENHUIS } },
          },
        ],
      },
    });
    await put(verloskunde, paper('2026-06-30T00:00:00Z'));
    expect(sources((await overview()).bundle)).toEqual([ZIEKENHUIS]);
    await put(verloskunde, paper('2099-12-31T00:00:00Z'));
    expect(sources((await overview()).bundle)).toEqual([VERLOSKUNDE, ZIEKENHUIS]);
  });

  it('refuses forged, replayed and misaddressed node tokens with 401, writes with 403, a withheld read with 403', async () => {
    const { keyId, secretKey } = ziekenhuis.membership!.statementKey;
    const url = `${baseOf(kraamzorg)}/fhir/Patient/maria-kz/$everything`;
    const token = (key = { keyId, secretKey }, audience = baseOf(kraamzorg)) =>
      issueNodeToken(key, {
        organisation: ZIEKENHUIS,
        audience,
        professional: 'pro:carla-bakker',
        role: 'medisch-specialist',
        purpose: 'treatment',
      });
    const call = async (bearer: string, init: RequestInit = {}, at = url) =>
      fetch(at, { ...init, headers: { ...init.headers, authorization: `Bearer ${bearer}` } });
    const stranger = newTestKey();
    const forged = await call(await token({ keyId, secretKey: stranger.secret }));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect((await call('not.a.jwt')).status).toBe(401);
    const once = await token();
    expect((await call(once)).status).toBe(200);
    expect((await call(once)).status).toBe(401);
    expect((await call(await token(undefined, baseOf(verloskunde)))).status).toBe(401);
    const write = await call(
      await token(),
      {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient', id: 'maria-kz' }),
      },
      `${baseOf(kraamzorg)}/fhir/Patient/maria-kz`,
    );
    expect(write.status).toBe(403);
    const read = await call(
      await token(),
      {},
      `${baseOf(kraamzorg)}/fhir/Observation/maria-kz-vital-signs-0`,
    );
    expect(read.status).toBe(403);
    expect(await read.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'forbidden' }],
    });
    // A search whose answer spans more than one client is refused too.
    await put(kraamzorg, { resourceType: 'Patient', id: 'someone-else' });
    expect((await call(await token(), {}, `${baseOf(kraamzorg)}/fhir/Patient?_count=10`)).status).toBe(403);
  });

  it('a withheld search answers exactly as an empty one, and a search must name her', async () => {
    const search = async (query: string) => {
      const response = await fetch(`${baseOf(kraamzorg)}/fhir/${query}`, {
        headers: { authorization: `Bearer ${await carlasToken()}` },
      });
      const body = (await response.json()) as Bundle;
      // What may differ between two answers: the Bundle's own id and time, and the query echoed in
      // the self link.
      const { id: _id, meta: _meta, link, ...rest } = body;
      return { status: response.status, shape: { ...rest, link: link?.map((l) => l.relation) } };
    };
    const accesses = async () => {
      const { sequencer } = kraamzorg.logbook!;
      await sequencer.flush();
      const entries = await sequencer.store.readEntries(0, sequencer.size);
      return entries.filter((e) => new TextDecoder().decode(e.entry).includes('"kind":"access"')).length;
    };
    const before = await accesses();
    // Her heart rate is there and withheld (no consent for the hospital); a code she has no record of.
    const withheld = await search('Observation?patient=maria-kz&code=8867-4&_count=1');
    const empty = await search('Observation?patient=maria-kz&code=0000-0&_count=1');
    const unknown = await search('Observation?patient=nobody-here&code=8867-4&_count=1');
    expect(withheld).toEqual(empty);
    expect(unknown).toEqual(empty);
    expect(empty).toEqual({
      status: 200,
      shape: { resourceType: 'Bundle', type: 'searchset', link: ['self'] },
    });
    // The decision is still recorded (one access statement for the withheld category).
    expect(await accesses()).toBe(before + 1);

    // Without her named (a chain, a list, two patients, nothing): refused alike, match or not.
    const refusals = await Promise.all(
      [
        'Observation?code=8867-4',
        'Observation?code=0000-0',
        'Observation?subject:Patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120&code=8867-4',
        'Observation?subject:Patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120&code=0000-0',
        'Observation?patient=maria-kz,someone-else&code=8867-4',
        'Observation?patient=maria-kz&patient=someone-else&code=0000-0',
        'Observation?patient=maria-kz&subject=someone-else',
        'Observation/_history',
      ].map(search),
    );
    for (const refusal of refusals) expect(refusal).toEqual(refusals[0]);
    expect(refusals[0]).toMatchObject({ status: 403, shape: { resourceType: 'OperationOutcome' } });
  });

  it('Maria sees who looked at her data, when, why, and whether it was allowed — and no BSN is on any log', async () => {
    let trail: AccessTrailItem[] = [];
    await expect
      .poll(
        async () => {
          const response = await fetch(`${baseOf(kraamzorg)}/exchange/access-trail`, {
            headers: { cookie: maria.cookie },
          });
          trail = ((await response.json()) as { accesses: AccessTrailItem[] }).accesses;
          const by = (u: string, outcome: string) =>
            trail.some(
              (a) => a.recordedBy?.ura === u && a.outcome === outcome && a.accessor.id === 'pro:carla-bakker',
            );
          return (
            by(KRAAMZORG, 'allowed') &&
            by(KRAAMZORG, 'refused') &&
            by(VERLOSKUNDE, 'allowed') &&
            by(ZIEKENHUIS, 'allowed')
          );
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(true);
    expect(trail[0]).toMatchObject({
      organisation: { ura: ZIEKENHUIS, name: 'Ziekenhuis Maasland' },
      accessor: { id: 'pro:carla-bakker', name: 'Carla Bakker' },
      role: 'medisch-specialist',
      purpose: 'treatment',
    });
    const refused = trail.find((a) => a.outcome === 'refused')!;
    expect(refused.reason).toMatch(/toestemming/);
    expect(Date.parse(trail[0]!.at)).toBeGreaterThanOrEqual(Date.parse(trail.at(-1)!.at));
    // Each holder also keeps the BALP AuditEvents in its own store.
    await expect
      .poll(async () => {
        const audit = (await (
          await fetch(`${baseOf(kraamzorg)}/fhir/AuditEvent?_count=1`, {
            headers: { authorization: await systemAuthorization(kraamzorg) },
          })
        ).json()) as Bundle;
        return audit.entry?.[0]?.resource;
      })
      .toMatchObject({
        resourceType: 'AuditEvent',
        agent: [{}, { who: { identifier: { value: 'pro:carla-bakker' } } }],
      });
    const other = await fetch(`${baseOf(kraamzorg)}/exchange/access-trail`, { headers: { cookie: carla } });
    expect(other.status).toBe(401);
    for (const node of [kraamzorg, verloskunde, ziekenhuis]) {
      const { sequencer } = node.logbook!;
      const entries = await sequencer.store.readEntries(0, sequencer.size);
      expect(entries.some((e) => new TextDecoder().decode(e.entry).includes(MARIA_BSN))).toBe(false);
    }
  });

  it('break-the-glass needs a reason, discloses for treatment, and shows in her trail with that reason', async () => {
    const at = (query: string) =>
      fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=maria-zh&${query}`, {
        headers: { cookie: carla },
      });
    expect((await at('breakTheGlass=%20')).status).toBe(400);
    // The reason is a signed claim of the node token: a header beside the token breaks no glass.
    const plainToken = await carlasToken();
    const header = await fetch(`${baseOf(kraamzorg)}/fhir/Patient/maria-kz/$everything`, {
      headers: { authorization: `Bearer ${plainToken}`, 'x-ketenlog-break-the-glass': 'nood' },
    });
    expect(sources((await header.json()) as Bundle)).toEqual([]);
    const response = await at(`breakTheGlass=${encodeURIComponent('bewusteloos op de SEH')}`);
    expect(response.status).toBe(200);
    expect(sources((await response.json()) as Bundle)).toEqual([KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS]);
    // Without it, her withdrawal holds again at the next request.
    expect(sources((await overview()).bundle)).not.toContain(KRAAMZORG);
    await expect
      .poll(
        async () => {
          const trail = (await (
            await fetch(`${baseOf(kraamzorg)}/exchange/access-trail`, { headers: { cookie: maria.cookie } })
          ).json()) as { accesses: AccessTrailItem[] };
          return trail.accesses.find((a) => a.breakTheGlass && a.recordedBy?.ura === KRAAMZORG);
        },
        { timeout: 15_000, interval: 250 },
      )
      .toMatchObject({
        outcome: 'allowed',
        reason: 'bewusteloos op de SEH',
        accessor: { id: 'pro:carla-bakker' },
      });
    // The free text is on no log: only a commitment to it (the holder keeps reason and salt).
    for (const node of [kraamzorg, verloskunde, ziekenhuis]) {
      const { sequencer } = node.logbook!;
      await sequencer.flush();
      const entries = await sequencer.store.readEntries(0, sequencer.size);
      const text = entries.map((e) => new TextDecoder().decode(e.entry)).join('\n');
      expect(text).not.toContain('bewusteloos');
      if (node === kraamzorg) expect(text).toContain('"reasonCommitment"');
    }
    // A role the region does not list (care administration) breaks no glass.
    const { keyId, secretKey } = ziekenhuis.membership!.statementKey;
    const administration = await issueNodeToken(
      { keyId, secretKey },
      {
        organisation: ZIEKENHUIS,
        audience: baseOf(kraamzorg),
        professional: 'pro:karin-dewit',
        role: 'administratie',
        purpose: 'treatment',
        breakTheGlass: 'spoed',
      },
    );
    const refused = await fetch(`${baseOf(kraamzorg)}/fhir/Patient/maria-kz/$everything`, {
      headers: { authorization: `Bearer ${administration}` },
    });
    expect(sources((await refused.json()) as Bundle)).toEqual([]);
  });

  it('a category-only overview asks only for that category: nothing else is disclosed or recorded', async () => {
    const at = (query: string) =>
      fetch(`${baseOf(ziekenhuis)}/exchange/overview?patient=maria-zh&${query}`, {
        headers: { cookie: carla },
      });
    const accessCategories = async (node: RunningNode, from: number): Promise<string[]> => {
      const { sequencer } = node.logbook!;
      const entries = await sequencer.store.readEntries(from, sequencer.size);
      return entries.flatMap((e) => {
        const text = new TextDecoder().decode(e.entry);
        return text.includes('"kind":"access"') ? [/"category":"([a-z-]+)"/.exec(text)![1]!] : [];
      });
    };
    const before = ziekenhuis.logbook!.sequencer.size;
    const response = await at('category=medication');
    expect(response.status).toBe(200);
    const bundle = (await response.json()) as Bundle;
    const matches = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match');
    expect(matches.length).toBeGreaterThan(0);
    expect(new Set(matches.map((e) => categoryForConsent(e.resource!)))).toEqual(new Set(['medication']));
    expect(sources(bundle)).toEqual([ZIEKENHUIS]);
    expect(issues(bundle, 'withheld')).toEqual([]);
    await ziekenhuis.logbook!.sequencer.flush();
    expect(await accessCategories(ziekenhuis, before)).toEqual(['medication']);

    // A category she withheld is reported for that category only.
    const vitals = (await (await at('category=vital-signs')).json()) as Bundle;
    expect(sources(vitals)).toEqual([]);
    expect(
      issues(vitals, 'withheld').flatMap((i) => i.details!.coding!.filter((c) => c.code !== 'withheld')),
    ).toEqual([expect.objectContaining({ code: 'vital-signs' })]);

    const bad = await at('category=gossip');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const token = await carlasToken();
    const reverse = await fetch(`${baseOf(kraamzorg)}/fhir/Patient?_has:Observation:patient:code=85354-9`, {
      headers: { authorization: `Bearer ${await carlasToken()}` },
    });
    expect(reverse.status).toBe(403);
    expect(await reverse.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const direct = await fetch(`${baseOf(kraamzorg)}/fhir/Patient/maria-kz/$everything`, {
      headers: { authorization: `Bearer ${token}`, 'x-ketenlog-categories': 'medication,gossip' },
    });
    expect(direct.status).toBe(400);
  });

  it("a professional's $everything at her own node is the federated overview", async () => {
    const viaFhir = await fetch(`${baseOf(ziekenhuis)}/fhir/Patient/maria-zh/$everything`, {
      headers: { cookie: carla },
    });
    expect(viaFhir.status).toBe(200);
    expect(sources((await viaFhir.json()) as Bundle)).toEqual(sources((await overview()).bundle));
    const medication = (await (
      await fetch(`${baseOf(ziekenhuis)}/fhir/Patient/maria-zh/%24everything?category=medication`, {
        headers: { cookie: carla },
      })
    ).json()) as Bundle;
    expect(sources(medication)).toEqual([ZIEKENHUIS]);
    // For the organisation's own system it is the local operation.
    const local = (await (
      await fetch(`${baseOf(ziekenhuis)}/fhir/Patient/maria-zh/$everything`, {
        headers: { authorization: await systemAuthorization(ziekenhuis) },
      })
    ).json()) as Bundle;
    expect(
      local.entry?.every((e) => !e.resource?.meta?.extension?.some((x) => x.url === SOURCE_EXTENSION)),
    ).toBe(true);
  });

  it('a holder that is down is reported unreachable; the overview still answers with the rest', async () => {
    await verloskunde.close();
    const started = Date.now();
    const { status, bundle } = await overview();
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(sources(bundle)).toEqual([ZIEKENHUIS]);
    expect(issues(bundle, 'unreachable').map(holderOf)).toEqual([VERLOSKUNDE]);
  });
});
