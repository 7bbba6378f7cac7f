// The client's own rights end to end over real HTTP, in a demo region cut to four members
// (kraamzorg — where Maria and Anna log in —, midwife, hospital, and the RSO): Maria exports all
// her data across the region as one FHIR Bundle, then has it erased at every holder, which also
// unlinks her old logbook statements; Anna's data stays untouched, and a holder that is down makes
// her export partial (named) and her erasure refused until every holder can delete.
import type { AuditEvent, Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { issueNodeToken } from '@ketenlog/auth';
import { holdersOf } from '@ketenlog/region';
import {
  ERASURE_CONFIRMATION,
  SOURCE_EXTENSION,
  ERASURE_PATH,
  EXPORT_PATH,
  HOLDER_EXPORT_PATH,
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
  put,
  RSO,
  seed,
  startExchangeRegion,
  type TestClient,
  staffFetch,
} from './testing.ts';

const ANNA_BSN = '999912343';
const [KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS] = ['11110001', '11110002', '11110003'];
let region: RunningRegion;
let rso: RunningNode;
let kraamzorg: RunningNode;
let verloskunde: RunningNode;
let ziekenhuis: RunningNode;
let maria: TestClient;
let anna: TestClient;
/** What was seeded about Maria, per holder (`Type/id`). */
const seeded = new Map<string, string[]>();

const refs = (resources: readonly { resourceType: string; id: string }[]) =>
  resources.map((r) => `${r.resourceType}/${r.id}`);

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS]);
  kraamzorg = region.node(KRAAMZORG);
  verloskunde = region.node(VERLOSKUNDE);
  ziekenhuis = region.node(ZIEKENHUIS);
  rso = region.node(RSO);
  const atKraamzorg = [
    ...clientRecords('maria-kz', MARIA_BSN, 'vital-signs', 3),
    ...clientRecords('maria-kz', MARIA_BSN, 'encounters', 2).slice(1),
  ];
  const atVerloskunde = clientRecords('maria-vk', MARIA_BSN, 'pregnancy', 2);
  const atZiekenhuis = clientRecords('maria-zh', MARIA_BSN, 'medication', 2);
  seeded.set(KRAAMZORG, refs(atKraamzorg));
  seeded.set(VERLOSKUNDE, refs(atVerloskunde));
  seeded.set(ZIEKENHUIS, refs(atZiekenhuis));
  await seed(kraamzorg, [...atKraamzorg, ...clientRecords('anna-kz', ANNA_BSN, 'vital-signs', 2)]);
  await seed(verloskunde, [...atVerloskunde, ...clientRecords('anna-vk', ANNA_BSN, 'pregnancy', 1)]);
  await seed(ziekenhuis, atZiekenhuis);
  const pseudonymOf = (bsn: string) => kraamzorg.exchange!.pseudonyms!.pseudonymOf(bsn);
  const [mariaSubject, annaSubject] = await Promise.all([pseudonymOf(MARIA_BSN), pseudonymOf(ANNA_BSN)]);
  await indexed(kraamzorg, mariaSubject, [KRAAMZORG, VERLOSKUNDE, ZIEKENHUIS]);
  await indexed(kraamzorg, annaSubject, [KRAAMZORG, VERLOSKUNDE]);
  maria = await clientAt(kraamzorg, mariaSubject);
  anna = await clientAt(kraamzorg, annaSubject);
}, 120_000);
afterAll(async () => region?.close());

async function exportOf(client: TestClient) {
  const response = await fetch(`${baseOf(kraamzorg)}${EXPORT_PATH}`, { headers: { cookie: client.cookie } });
  return { response, bundle: (await response.json()) as Bundle };
}

const sourceOf = (resource: Resource) =>
  resource.meta?.extension?.find((x) => x.url === SOURCE_EXTENSION)?.valueIdentifier?.value;
/** Records per source holder (`Type/id`), from an export. */
const recordsBySource = (bundle: Bundle) => {
  const out = new Map<string, string[]>();
  for (const { resource } of bundle.entry ?? []) {
    const source = resource && sourceOf(resource);
    if (source) out.set(source, [...(out.get(source) ?? []), `${resource.resourceType}/${resource.id}`]);
  }
  return out;
};

/** Polls her export until every holder's records are in it (her key binding reaches them by mirroring). */
async function completeExport(client: TestClient, holders: number): Promise<Bundle> {
  let last: Bundle | undefined;
  await expect
    .poll(
      async () => {
        last = (await exportOf(client)).bundle;
        return recordsBySource(last).size;
      },
      { timeout: 15_000, interval: 200 },
    )
    .toBe(holders);
  return last!;
}

const logEntries = async (node: RunningNode) => {
  const { sequencer } = node.logbook!;
  return (await sequencer.store.readEntries(0, sequencer.size)).map((e) =>
    Buffer.from(e.entry).toString('hex'),
  );
};

describe('portability: her export across the region', () => {
  it('holds every record about her at every holder, her consents and her access trail — and nothing about Anna', async () => {
    await maria.consent({
      decision: 'grant',
      actor: { kind: 'organisation', ura: ZIEKENHUIS },
      categories: ['pregnancy'],
      purpose: 'treatment',
    });
    const bundle = await completeExport(maria, 3);
    const { response } = await exportOf(maria);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const disposition = response.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="ketenlog-export-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(disposition).not.toContain(MARIA_BSN);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.total).toBeUndefined();
    const bySource = recordsBySource(bundle);
    for (const [holder, expected] of seeded)
      expect(bySource.get(holder)?.sort()).toEqual([...expected].sort());
    const text = JSON.stringify(bundle);
    expect(text).not.toMatch(/anna-/);
    expect(text).not.toContain(anna.pseudonym);
    const consents = bundle.entry!.filter((e) => e.resource?.resourceType === 'Consent');
    expect(consents).toHaveLength(1);
    expect(consents[0]?.resource).toMatchObject({ provision: { type: 'permit' } });
    expect(bundle.entry!.some((e) => e.resource?.resourceType === 'OperationOutcome')).toBe(false);
    // Her portal's timeline: the same records from every holder, without consents and trail.
    const records = await fetch(`${baseOf(kraamzorg)}/exchange/records`, {
      headers: { cookie: maria.cookie },
    });
    expect(records.status).toBe(200);
    const timeline = (await records.json()) as Bundle;
    expect(timeline.type).toBe('searchset');
    const sorted = (m: Map<string, string[]>) =>
      Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
    expect(sorted(recordsBySource(timeline))).toEqual(sorted(bySource));
    expect(timeline.entry!.some((e) => ['Consent', 'AuditEvent'].includes(e.resource!.resourceType))).toBe(
      false,
    );
    expect((await fetch(`${baseOf(kraamzorg)}/exchange/records`)).status).toBe(401);
    // Each holder recorded her export in her trail; the next export shows those accesses.
    await expect
      .poll(
        async () => {
          const trail = (await exportOf(maria)).bundle
            .entry!.map((e) => e.resource!)
            .filter((r): r is AuditEvent => r.resourceType === 'AuditEvent');
          return new Set(
            trail
              .filter((a) => a.purposeOfEvent?.[0]?.coding?.[0]?.code === 'PATRQT')
              .map((a) => a.source.observer.identifier?.value),
          ).size;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(3);
  });

  it('answers only her session; a holder answers only the node where she has her key, for her own pseudonym', async () => {
    expect((await fetch(`${baseOf(kraamzorg)}${EXPORT_PATH}`)).status).toBe(401);
    const askHolder = async (from: RunningNode, pseudonym: string, purpose = 'export') => {
      const { keyId, secretKey } = from.membership!.statementKey;
      const token = await issueNodeToken(
        { keyId, secretKey },
        {
          organisation: from.membership!.organisation.ura,
          audience: baseOf(verloskunde),
          professional: pseudonym,
          role: 'client',
          purpose,
        },
      );
      return fetch(`${baseOf(verloskunde)}${HOLDER_EXPORT_PATH}?pseudonym=${pseudonym}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    };
    // The hospital never bound Maria's key: it cannot export her data in her name.
    const stranger = await askHolder(ziekenhuis, maria.pseudonym);
    expect(stranger.status).toBe(403);
    expect(await stranger.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect((await askHolder(kraamzorg, maria.pseudonym, 'treatment')).status).toBe(403);
    expect((await askHolder(kraamzorg, maria.pseudonym)).status).toBe(200);
    expect(
      (await fetch(`${baseOf(verloskunde)}${HOLDER_EXPORT_PATH}?pseudonym=${maria.pseudonym}`)).status,
    ).toBe(401);
  });
});

describe('erasure: deleted at the source, unlinked on the logbook', () => {
  const erase = (client: TestClient, body: unknown) =>
    fetch(`${baseOf(kraamzorg)}${ERASURE_PATH}`, {
      method: 'POST',
      headers: { cookie: client.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('asks for an explicit confirmation', async () => {
    for (const body of [{}, { confirm: 'ja' }]) {
      const response = await erase(maria, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ code: 'invalid' }],
      });
    }
    expect((await fetch(`${baseOf(kraamzorg)}${ERASURE_PATH}`, { method: 'POST' })).status).toBe(401);
    // Nothing was erased.
    expect((await staffFetch(verloskunde, `/fhir/Condition/maria-vk-pregnancy-0`)).status).toBe(200);
  });

  it('deletes her records at every holder and unlinks her statements; the logs keep every entry, Anna keeps hers', async () => {
    // The RSO's node lost its index batch (its publisher stopped before stating it): it holds
    // records of hers that the index does not show. Erasure must reach them all the same.
    rso.exchange!.publisher!.close();
    const atRso = clientRecords('maria-rso', MARIA_BSN, 'allergies', 1);
    for (const resource of atRso) await put(rso, resource);
    seeded.set(RSO, refs(atRso));
    await new Promise((r) => setTimeout(r, 400));
    expect(holdersOf(rso.logbook!.state.index, maria.pseudonym).map((h) => h.holder)).not.toContain(
      `ura:${RSO}`,
    );
    const nodes = [kraamzorg, verloskunde, ziekenhuis];
    const before = await Promise.all(nodes.map(logEntries));
    // Before: her subject is what her BSN leads to, and the index links her to three holders.
    expect(await ziekenhuis.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN)).toBe(maria.pseudonym);
    expect(holdersOf(kraamzorg.logbook!.state.index, maria.pseudonym)).toHaveLength(3);

    const response = await erase(maria, { confirm: ERASURE_CONFIRMATION });
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      erased: { ura: string; deleted: number }[];
      unlinked: boolean;
    };
    expect(result.unlinked).toBe(true);
    expect(new Map(result.erased.map((e) => [e.ura, e.deleted]))).toEqual(
      new Map([...seeded].map(([ura, list]) => [ura, list.length])),
    );

    // Gone at the source, at every holder.
    for (const [node, holder] of [
      [kraamzorg, KRAAMZORG],
      [verloskunde, VERLOSKUNDE],
      [ziekenhuis, ZIEKENHUIS],
      [rso, RSO],
    ] as const) {
      for (const ref of seeded.get(holder)!) {
        // No version is left either: not the record, not its history (the holder's own API).
        expect((await staffFetch(node, `/fhir/${ref}`)).status, ref).toBe(404);
        expect((await staffFetch(node, `/fhir/${ref}/_history/1`)).status, ref).toBe(404);
        const history = (await (await staffFetch(node, `/fhir/${ref}/_history`)).json()) as {
          entry?: unknown[];
        };
        expect(history.entry ?? [], ref).toEqual([]);
      }
    }
    // Anna's records are untouched.
    for (const ref of ['Patient/anna-kz', 'Observation/anna-kz-vital-signs-1']) {
      expect((await staffFetch(kraamzorg, `/fhir/${ref}`)).status).toBe(200);
    }
    expect((await staffFetch(verloskunde, `/fhir/Condition/anna-vk-pregnancy-0`)).status).toBe(200);

    // Unlinked: her BSN now leads to a new subject; nothing on any log names it, while the old
    // entries (index, consent, key, access) stay — byte for byte — under a subject no one can
    // derive any more.
    const now = await ziekenhuis.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
    expect(now).not.toBe(maria.pseudonym);
    expect(holdersOf(kraamzorg.logbook!.state.index, now)).toEqual([]);
    const after = await Promise.all(nodes.map(logEntries));
    nodes.forEach((_, i) => {
      expect(after[i]!.slice(0, before[i]!.length)).toEqual(before[i]);
      expect(after[i]!.join('')).not.toContain(Buffer.from(now).toString('hex'));
    });
    // Every member's mirror of every log still verifies (consistent checkpoints, valid entries),
    // no evidence of a rewrite anywhere, and each log's new head is co-signed by the quorum.
    for (const node of nodes) {
      await node.logbook!.syncMirrors();
      const status = node.logbook!.status();
      expect(status.mirrors.filter((m) => m.lastError)).toEqual([]);
      expect(status.evidence).toBe(0);
      expect(node.logbook!.state.index.has(maria.pseudonym)).toBe(true);
      await expect
        .poll(() => node.logbook!.status().finalSize, { timeout: 15_000 })
        .toBe(node.logbook!.status().size);
    }
    // Anna's subject is unchanged.
    expect(await ziekenhuis.exchange!.pseudonyms!.pseudonymOf(ANNA_BSN)).toBe(anna.pseudonym);
  });
});

describe('the localisation index against the store', () => {
  it('a reconcile states what a lost batch left out, once', async () => {
    // The RSO's publisher is stopped (above): its batches are never stated by themselves.
    const records = clientRecords('maria-rso-2', MARIA_BSN, 'medication', 2);
    for (const resource of records) await put(rso, resource);
    const pseudonym = await rso.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
    expect(holdersOf(rso.logbook!.state.index, pseudonym)).toEqual([]);
    expect(await rso.exchange!.reconcile!()).toBe(1);
    expect(holdersOf(rso.logbook!.state.index, pseudonym)).toEqual([
      { holder: `ura:${RSO}`, categories: ['medication'] },
    ]);
    await indexed(kraamzorg, pseudonym, [RSO]);
    expect(await rso.exchange!.reconcile!()).toBe(0);
  });
});

describe('a holder that is down', () => {
  it('gives a partial export naming the missing holder, and refuses her erasure until it can delete there too', async () => {
    await completeExport(anna, 2);
    await verloskunde.close();
    const { response, bundle } = await exportOf(anna);
    expect(response.status).toBe(200);
    expect([...recordsBySource(bundle).keys()]).toEqual([KRAAMZORG]);
    const missing = bundle.entry!.find((e) => e.resource?.resourceType === 'OperationOutcome')!
      .resource as OperationOutcome;
    expect(missing.issue).toHaveLength(1);
    expect(missing.issue[0]).toMatchObject({ severity: 'warning', code: 'incomplete' });
    expect(missing.issue[0]?.diagnostics).toContain(VERLOSKUNDE);

    const erasure = await fetch(`${baseOf(kraamzorg)}${ERASURE_PATH}`, {
      method: 'POST',
      headers: { cookie: anna.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ confirm: ERASURE_CONFIRMATION }),
    });
    expect(erasure.status).toBe(502);
    expect(await erasure.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'incomplete' }],
    });
    // Her subject still leads to her, so she can retry once the midwife's node is back.
    expect(await kraamzorg.exchange!.pseudonyms!.pseudonymOf(ANNA_BSN)).toBe(anna.pseudonym);
  });
});
