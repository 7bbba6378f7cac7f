// The generic functions at member nodes, over real HTTP: the region's directory under /mcsd for
// region members and the organisation's systems only; a member following the LRZa stand-in and
// another member's directory, with a conflict reported and not applied; its holdings registered at
// the NVI stand-in and found again; and the member's own /nvi answering the same interface.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Organization, OperationOutcome } from '@medplum/fhirtypes';
import { loadRegionConfig } from '@ketenlog/region';
import { NviClient, PrsClient, statementKeyExtension } from '@ketenlog/national';
import { startStandin, type RunningStandin } from '@ketenlog/national/testing';
import { newTestKey } from '@ketenlog/region/testing';
import type { Principal } from '@ketenlog/auth';
import { loadFhirModel, startNode, type RunningNode } from '../server.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import { memberNodeConfig } from '../region/run-region.ts';
import { demoSystem, demoSystemToken, type DemoSystem } from '../region/demo-system.ts';

const STANDINS = fileURLToPath(new URL('../../../national/standins/', import.meta.url));
const ADMIN = 'standin-admin';
const NVI_URA = '90000901';
const MARIA = '999911120';
const WIEG = '11110001';
const LINDE = '11110002';
const RSO = '11110010';

let lrza: RunningStandin;
let nvi: RunningStandin;
const nodes: RunningNode[] = [];
let system: DemoSystem;
let wieg: RunningNode;
let linde: RunningNode;
const base = (node: RunningNode) => node.fhirBase.replace(/\/fhir$/, '');
const bearer = async (node: RunningNode) => `Bearer ${await demoSystemToken(system, base(node))}`;

beforeAll(async () => {
  lrza = await startStandin(`${STANDINS}lrza.ts`, [], { LRZA_STANDIN_ADMIN_TOKEN: ADMIN });
  nvi = await startStandin(`${STANDINS}nvi.ts`, ['--ura', NVI_URA], {
    NVI_STANDIN_ADMIN_TOKEN: ADMIN,
    NVI_STANDIN_CLIENTS: JSON.stringify({ 'nvi-token-wieg': { ura: WIEG, clientId: 'ketenlog-wieg' } }),
  });
  process.env.KETENLOG_TEST_NVI_TOKEN = 'nvi-token-wieg';
  // The RSO is in: node tokens are accepted where the region runs a pseudonym service.
  const files = await demoRegionOnFreePorts({ uras: [WIEG, LINDE, RSO], quorum: 1 });
  const region = loadRegionConfig(files.regionFile);
  system = await demoSystem(files.dataDir);
  const model = loadFhirModel();
  for (const organisation of region.organisations) {
    const config = memberNodeConfig(organisation, { ...files, logLevel: 'error' }, [system.client]);
    const linde = region.organisations.find((o) => o.ura === LINDE)!;
    nodes.push(
      await startNode(
        organisation.ura === WIEG
          ? {
              ...config,
              national: {
                addressing: {
                  follow: [
                    { name: 'lrza', url: `${lrza.url}/fhir` },
                    { name: 'regio', url: `${linde.node.baseUrl}/mcsd` },
                  ],
                  intervalSeconds: 3600,
                },
                localisation: {
                  nvi: {
                    url: `${nvi.url}/fhir`,
                    ura: NVI_URA,
                    prs: `${nvi.url}/prs`,
                    clientId: 'ketenlog-wieg',
                    tokenEnv: 'KETENLOG_TEST_NVI_TOKEN',
                  },
                },
              },
            }
          : organisation.ura === RSO
            ? {
                ...config,
                // The RSO registers its holdings at the region's NVI on Linde's node (a node token).
                national: {
                  localisation: {
                    nvi: {
                      url: `${linde.node.baseUrl}/nvi`,
                      ura: LINDE,
                      prs: `${nvi.url}/prs`,
                      clientId: 'rso-maasland', // a member's client id at another member's NVI is its node id
                      tokenEnv: 'KETENLOG_TEST_NVI_TOKEN',
                    },
                  },
                },
              }
            : config,
        { model },
      ),
    );
  }
  wieg = nodes[0]!;
  linde = nodes[1]!;
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.close()));
  await lrza?.stop();
  await nvi?.stop();
});

const call = async <T>(url: string, init: RequestInit & { authorization?: string } = {}) => {
  const response = await fetch(url, {
    ...init,
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.authorization ? { authorization: init.authorization } : {}),
    },
  });
  return { status: response.status, body: (await response.json()) as T };
};

describe('GF addressing at a member', () => {
  it('serves the region as mCSD to its own systems, and to no one without a credential', async () => {
    const anonymous = await call<OperationOutcome>(`${base(wieg)}/mcsd/Organization`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.resourceType).toBe('OperationOutcome');
    const organisations = await call<Bundle<Organization>>(`${base(linde)}/mcsd/Organization?_count=50`, {
      authorization: await bearer(linde),
    });
    expect(organisations.status).toBe(200);
    const uras = organisations.body.entry!.map((e) => e.resource!.identifier![0]!.value).sort();
    expect(uras).toEqual([WIEG, LINDE, '11110010']);
    const since = await call<Bundle>(`${base(linde)}/mcsd/Endpoint/_history?_since=2999-01-01T00:00:00Z`, {
      authorization: await bearer(linde),
    });
    expect(since.body.entry).toEqual([]);
    expect(
      (await call(`${base(linde)}/mcsd/Endpoint?bogus=1`, { authorization: await bearer(linde) })).status,
    ).toBe(400);
  });

  it('lets a professional of this organisation read it; a client, or a professional acting elsewhere, gets 403', async () => {
    const cookie = async (principal: Principal) =>
      `ketenlog_session=${(await wieg.auth!.sessions.create(principal, Date.now())).id}`;
    const as = async (principal: Principal) =>
      (await fetch(`${base(wieg)}/mcsd/Organization`, { headers: { cookie: await cookie(principal) } }))
        .status;
    const anna = { kind: 'professional', id: 'pro:anna-jansen', method: 'passkey' } as const;
    expect(await as({ ...anna, actingAs: { organisation: `ura:${WIEG}`, role: 'kraamverzorgende' } })).toBe(
      200,
    );
    expect(await as({ ...anna, actingAs: { organisation: `ura:${LINDE}`, role: 'verloskundige' } })).toBe(
      403,
    );
    expect(await as({ kind: 'client', holder: 'pMaria-0000000000000001' } as Principal)).toBe(403);
  });

  it("follows the LRZa and a member's directory, and reports an endpoint the region does not confirm", async () => {
    const auth = await bearer(wieg);
    let status = await call<{
      directories: { name: string; lastError?: string; applied: number }[];
      conflicts: unknown[];
    }>(`${base(wieg)}/national/addressing/sync`, { method: 'POST', authorization: auth });
    expect(status.status).toBe(200);
    expect(status.body.directories.map((d) => [d.name, d.lastError])).toEqual([
      ['lrza', undefined],
      ['regio', undefined],
    ]);
    expect(status.body.directories[0]!.applied).toBeGreaterThan(3);
    const hospital = await call<Bundle>(
      `${base(wieg)}/mcsd/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|22222222`,
      { authorization: auth },
    );
    expect(hospital.body.total).toBe(1);

    // The LRZa says Linde's node is elsewhere, with a key the logbook never bound.
    const feed = (resource: { resourceType: string; id: string; [key: string]: unknown }) =>
      fetch(`${lrza.url}/feed/${resource.resourceType}/${resource.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify(resource),
      });
    const endpoint = {
      resourceType: 'Endpoint',
      id: 'linde-moved',
      status: 'active',
      address: 'https://elders.example/fhir',
      extension: [statementKeyExtension(newTestKey())],
    };
    expect((await feed(endpoint)).status).toBe(200);
    expect(
      (
        await feed({
          resourceType: 'Organization',
          id: 'linde-in-lrza',
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', value: LINDE }],
          name: 'Verloskundigenpraktijk De Linde',
          endpoint: [{ reference: 'Endpoint/linde-moved' }],
        })
      ).status,
    ).toBe(200);
    status = await call(`${base(wieg)}/national/addressing/sync`, { method: 'POST', authorization: auth });
    expect(status.body.conflicts).toEqual([
      expect.objectContaining({ directory: 'lrza', resource: 'Endpoint/linde-moved', ura: LINDE }),
    ]);
    expect((await call(`${base(wieg)}/mcsd/Endpoint/linde-moved`, { authorization: auth })).status).toBe(404);
    expect((await call(`${base(wieg)}/national/addressing/status`)).status).toBe(401);
    expect(
      (await call(`${base(linde)}/national/addressing/status`, { authorization: await bearer(linde) }))
        .status,
    ).toBe(200);
  });
});

describe('GF localisation at a member', () => {
  it('registers its holdings at the NVI and finds them again; malformed input is a 4xx', async () => {
    const auth = await bearer(wieg);
    const patient = await call<{ id: string }>(`${wieg.fhirBase}/Patient`, {
      method: 'POST',
      authorization: auth,
      body: JSON.stringify({
        resourceType: 'Patient',
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: MARIA }],
        name: [{ family: 'de Vries', given: ['Maria'] }],
      }),
    });
    expect(patient.status).toBe(201);
    await call(`${wieg.fhirBase}/Condition`, {
      method: 'POST',
      authorization: auth,
      body: JSON.stringify({
        resourceType: 'Condition',
        subject: { reference: `Patient/${patient.body.id}` },
        code: { text: 'Zwangerschapsdiabetes' },
      }),
    });
    const published = await call<{ registered: number }>(`${base(wieg)}/national/nvi/publish`, {
      method: 'POST',
      authorization: auth,
    });
    expect(published).toEqual({ status: 200, body: { registered: 1 } });
    const holders = await call(`${base(wieg)}/national/nvi/holders`, {
      method: 'POST',
      authorization: auth,
      body: JSON.stringify({ bsn: MARIA }),
    });
    expect(holders).toEqual({ status: 200, body: { holders: [{ ura: WIEG, categories: ['Condition'] }] } });
    for (const [body, status] of [
      [{ bsn: '123456789' }, 400],
      [{ bsn: MARIA, categories: ['Nonsense'] }, 400],
    ] as const) {
      const refused = await call<OperationOutcome>(`${base(wieg)}/national/nvi/holders`, {
        method: 'POST',
        authorization: auth,
        body: JSON.stringify(body),
      });
      expect(refused.status).toBe(status);
      expect(refused.body.resourceType).toBe('OperationOutcome');
    }
    expect((await call(`${base(wieg)}/national/nvi/publish`, { method: 'POST' })).status).toBe(401);
  });

  it('serves the localisation interface for its region, with its own pseudonym key', async () => {
    // The stand-in PRS learns where Linde publishes its recipient key.
    const registered = await fetch(`${nvi.url}/prs/recipients/${LINDE}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ jwks: `${base(linde)}/nvi/.well-known/jwks.json` }),
    });
    expect(registered.status).toBe(204);
    const lindeSystem = await bearer(linde);
    const client = new NviClient({
      url: `${base(linde)}/nvi`,
      ura: LINDE,
      custodian: LINDE,
      clientId: system.client.clientId,
      prs: new PrsClient({ url: `${nvi.url}/prs`, token: async () => 'nvi-token-wieg' }),
      token: async () => lindeSystem.slice('Bearer '.length),
    });
    expect(await client.register([{ bsn: MARIA, categories: ['ObservationVitalSigns'] }])).toBe(1);
    expect(await client.holders(MARIA)).toEqual([{ ura: LINDE, categories: ['ObservationVitalSigns'] }]);
    expect((await call(`${base(linde)}/nvi/List?code=Condition`)).status).toBe(401);
  });

  it("lets another member register at the region's NVI with its node token", async () => {
    const rso = nodes[2]!;
    const auth = await bearer(rso);
    const patient = await call<{ id: string }>(`${rso.fhirBase}/Patient`, {
      method: 'POST',
      authorization: auth,
      body: JSON.stringify({
        resourceType: 'Patient',
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: MARIA }],
      }),
    });
    await call(`${rso.fhirBase}/Observation`, {
      method: 'POST',
      authorization: auth,
      body: JSON.stringify({
        resourceType: 'Observation',
        status: 'final',
        category: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
            ],
          },
        ],
        code: { text: 'Hb' },
        subject: { reference: `Patient/${patient.body.id}` },
      }),
    });
    expect(await call(`${base(rso)}/national/nvi/publish`, { method: 'POST', authorization: auth })).toEqual({
      status: 200,
      body: { registered: 1 },
    });
    expect(
      await call(`${base(rso)}/national/nvi/holders`, {
        method: 'POST',
        authorization: auth,
        body: JSON.stringify({ bsn: MARIA }),
      }),
    ).toEqual({
      status: 200,
      body: {
        holders: [
          { ura: LINDE, categories: ['ObservationVitalSigns'] },
          { ura: RSO, categories: ['ObservationLaboratory'] },
        ],
      },
    });
  });
});
