// The region's mCSD directory over real HTTP, and a node following an LRZa stand-in (its own
// process) plus a regional directory: initial load, `_history?_since=`, conflicts reported and not
// applied, malformed requests answered with a 4xx OperationOutcome, and nuts-knooppunt's golden
// history case (several versions of one resource, the newest a deletion).
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Bundle, Endpoint, Organization, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { StatementOf } from '@ketenlog/logbook';
import { applyKeyStatement, configuredKeys, type KeyRegister } from '@ketenlog/region';
import { newTestKey, testRegion } from '@ketenlog/region/testing';
import { fail, ok } from '@ketenlog/problem';
import { openSqlite, testDatabases } from '@ketenlog/storage';
import {
  DirectoryStore,
  endpointId,
  McsdUpdateClient,
  mcsdRoutes,
  regionDirectory,
  statementKeyExtension,
  type Authorize,
} from '../index.ts';
import { startStandin, type RunningStandin } from '../testing/standin-process.ts';

const LRZA = fileURLToPath(new URL('../../standins/lrza.ts', import.meta.url));
const ADMIN = 'lrza-admin-token';
const region = testRegion();
const wieg = region.kraamzorg.organisation;
const REGION = 'region';

const authorize: Authorize = async (request) => {
  const header = request.headers.authorization;
  if (!header) return fail(401, 'login', 'authentication is required');
  if (header !== 'Bearer member') return fail(403, 'forbidden', 'not a region member');
  return ok({ ura: wieg.ura, clientId: 'node', mayWrite: false });
};

async function serve(store: DirectoryStore): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  let url = '';
  await app.register(
    (scope) =>
      mcsdRoutes(scope, {
        store,
        authorize,
        maxCount: 4,
        get baseUrl() {
          return url;
        },
      }),
    { prefix: '/mcsd' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcsd`;
  return { app, url };
}

const get = async <T = Bundle>(url: string, token = 'member') => {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as T };
};

function rotate(keys: KeyRegister, ura: string, replaces: string, at: number) {
  const key = newTestKey();
  const statement = {
    kind: 'key',
    author: replaces,
    body: {
      action: 'rotate',
      keyId: key.keyId,
      alg: 'Ed25519',
      publicKey: key.publicKey,
      holder: `ura:${ura}`,
      role: 'node',
      replaces,
    },
  } as unknown as StatementOf<'key'>;
  applyKeyStatement(keys, statement, { log: 'statements', index: at } as never);
  return key;
}

describe.each(testDatabases())('the region directory ($name)', ({ open }) => {
  it("derives Organizations with URA and Endpoints with the logbook's keys, and versions only changes", async () => {
    const db = await open();
    try {
      let time = Date.parse('2026-12-07T10:00:00Z');
      const store = await DirectoryStore.open(db, () => time);
      const keys = configuredKeys(region.config);
      expect(await store.replaceSource(REGION, regionDirectory(region.config, keys))).toBeGreaterThan(30);
      const organisation = (await store.read('Organization', `ura-${wieg.ura}`))!.resource as Organization;
      expect(organisation.identifier![0]).toMatchObject({
        system: 'http://fhir.nl/fhir/NamingSystem/ura',
        value: wieg.ura,
      });
      expect(organisation.endpoint).toHaveLength(3);
      const logbook = (await store.read('Endpoint', endpointId(wieg.ura, 'logbook')))!.resource as Endpoint;
      expect(logbook.extension).toContainEqual(
        statementKeyExtension({
          keyId: region.kraamzorg.key.keyId,
          publicKey: region.kraamzorg.key.publicKey,
        }),
      );

      // The same region again: nothing new. A rotated key: only that Endpoint gets a version.
      time += 60_000;
      expect(await store.replaceSource(REGION, regionDirectory(region.config, keys))).toBe(0);
      const since = new Date(time).toISOString();
      time += 60_000;
      const next = rotate(keys, wieg.ura, region.kraamzorg.key.keyId, 1);
      expect(await store.replaceSource(REGION, regionDirectory(region.config, keys))).toBe(1);
      const changed = await store.history({ since, count: 10 });
      expect(changed.map((v) => `${v.type}/${v.id}/${v.version}`)).toEqual([
        `Endpoint/${endpointId(wieg.ura, 'logbook')}/2`,
      ]);
      const extensions = (changed[0]!.resource as Endpoint).extension!;
      expect(extensions).toContainEqual(statementKeyExtension(next));
      expect(extensions).not.toContainEqual(
        statementKeyExtension({
          keyId: region.kraamzorg.key.keyId,
          publicKey: region.kraamzorg.key.publicKey,
        }),
      );
    } finally {
      await db.close();
    }
  });
});

describe('following an LRZa stand-in and a regional directory', () => {
  let lrza: RunningStandin;
  let regional: { app: FastifyInstance; url: string };
  let regionalStore: DirectoryStore;
  const warnings: { obj: object; msg: string }[] = [];

  beforeAll(async () => {
    lrza = await startStandin(LRZA, ['--page-size', '2'], { LRZA_STANDIN_ADMIN_TOKEN: ADMIN });
    regionalStore = await DirectoryStore.open(await openSqlite(':memory:'));
    await regionalStore.replaceSource(REGION, regionDirectory(region.config, configuredKeys(region.config)));
    regional = await serve(regionalStore);
  }, 30_000);
  afterAll(async () => {
    await regional?.app.close();
    await lrza?.stop();
  });

  const feed = (resource: Resource) =>
    fetch(`${lrza.url}/feed/${resource.resourceType}/${resource.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify(resource),
    });

  async function follower() {
    const db = await openSqlite(':memory:');
    const store = await DirectoryStore.open(db);
    const keys = configuredKeys(region.config);
    const client = await McsdUpdateClient.open({
      db,
      store,
      directories: [
        { name: 'lrza', url: `${lrza.url}/fhir` },
        { name: 'regio', url: regional.url },
      ],
      region: () => ({ config: region.config, keys }),
      headers: async (url): Promise<Record<string, string>> =>
        url.startsWith(regional.url) ? { authorization: 'Bearer member' } : {},
      log: { warn: (obj, msg) => warnings.push({ obj, msg }), info: () => {} },
    });
    return { store, client, keys };
  }

  it('loads both directories, then takes only what changed since', async () => {
    const { store, client } = await follower();
    await client.sync();
    const status = await client.status();
    expect(status.directories.map((d) => d.lastError)).toEqual([undefined, undefined]);
    expect((await store.read('Endpoint', 'd6a4678b-755e-5ae3-bd36-67db6ae3d8c4'))?.resource).toMatchObject({
      address: 'https://cp1-test.example.org/fhirr4',
    });
    expect((await store.read('Endpoint', '53c03a2e-53e9-4994-827c-98f6b4caf897'))?.resource).toMatchObject({
      status: 'off',
    });
    expect((await store.all('Organization')).length).toBe(3 + region.config.organisations.length);
    expect(status.directories[0]!.since.Organization).toMatch(/^\d{4}-/);

    const renamed = {
      ...((await store.read('Organization', 'ca56444f-f98c-5d9b-aad2-65a0729ac8f8'))!
        .resource as Organization),
    };
    delete renamed.meta;
    expect((await feed({ ...renamed, name: 'example Hospital (renamed)' })).status).toBe(200);
    const before = status.directories[0]!.applied;
    await client.sync();
    const after = await client.status();
    expect(after.directories[0]!.applied - before).toBe(1);
    expect(
      (await store.read('Organization', 'ca56444f-f98c-5d9b-aad2-65a0729ac8f8'))!.resource,
    ).toMatchObject({
      name: 'example Hospital (renamed)',
    });
  });

  it('reports an endpoint or key of a member that the region does not confirm, and does not apply it', async () => {
    const { store, client, keys } = await follower();
    const member = region.ziekenhuis.organisation;
    const ok = {
      resourceType: 'Endpoint',
      id: 'lrza-maasland-ok',
      status: 'active',
      address: `${member.node.baseUrl}/fhir`,
    } as Endpoint;
    const elsewhere = { ...ok, id: 'lrza-maasland-elsewhere', address: 'https://evil.example/fhir' };
    const stranger = newTestKey();
    const unknownKey = { ...ok, id: 'lrza-maasland-key', extension: [statementKeyExtension(stranger)] };
    for (const r of [ok, elsewhere, unknownKey]) expect((await feed(r)).status).toBe(200);
    expect(
      (
        await feed({
          resourceType: 'Organization',
          id: 'lrza-maasland',
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', value: member.ura }],
          name: member.name,
          endpoint: [ok, elsewhere, unknownKey].map((e) => ({ reference: `Endpoint/${e.id}` })),
        } as Organization)
      ).status,
    ).toBe(200);
    await client.sync();
    const { conflicts } = await client.status();
    expect(conflicts.map((c) => [c.resource, c.ura])).toEqual([
      ['Endpoint/lrza-maasland-elsewhere', member.ura],
      ['Endpoint/lrza-maasland-key', member.ura],
    ]);
    expect(conflicts[1]!.reason).toMatch(/not an active node key/);
    expect(warnings.some((w) => w.msg.startsWith('mCSD conflict'))).toBe(true);
    expect(await store.read('Endpoint', 'lrza-maasland-ok')).toBeDefined();
    expect(await store.read('Endpoint', 'lrza-maasland-elsewhere')).toBeUndefined();
    expect(await store.read('Endpoint', 'lrza-maasland-key')).toBeUndefined();

    // Once the logbook binds the key, the same upstream Endpoint is confirmed.
    keys.bindings.set(stranger.keyId, {
      keyId: stranger.keyId,
      alg: 'Ed25519',
      publicKey: stranger.publicKey,
      holder: `ura:${member.ura}`,
      role: 'node',
      organisation: `ura:${member.ura}`,
      at: { log: 'statements', index: 9 } as never,
    });
    expect((await feed({ ...unknownKey, name: 'touched' })).status).toBe(200);
    await client.sync();
    expect(await store.read('Endpoint', 'lrza-maasland-key')).toBeDefined();
    expect((await client.status()).conflicts.map((c) => c.resource)).toEqual([
      'Endpoint/lrza-maasland-elsewhere',
    ]);
  });

  it('golden (nuts-knooppunt history_with_duplicates, #233): the newest version wins, a misplaced entry is skipped', async () => {
    const upstream = Fastify();
    const history: Bundle = {
      resourceType: 'Bundle',
      type: 'history',
      meta: { lastUpdated: '2025-08-14T10:00:00.000+00:00' },
      entry: [
        { request: { method: 'DELETE', url: 'Organization/fd3524f9-705e-453c-8130-71cdf51cfcb9' } },
        {
          request: { method: 'PUT', url: 'Organization/fd3524f9-705e-453c-8130-71cdf51cfcb9' },
          resource: {
            resourceType: 'Organization',
            id: 'fd3524f9-705e-453c-8130-71cdf51cfcb9',
            meta: { versionId: '2' },
            name: 'Test Organization Updated',
          },
        },
        {
          request: { method: 'POST', url: 'Organization' },
          resource: {
            resourceType: 'Organization',
            id: 'fd3524f9-705e-453c-8130-71cdf51cfcb9',
            meta: { versionId: '1' },
            name: 'Test Organization',
          },
        },
      ],
    };
    upstream.get('/fhir/Organization/_history', async () => history);
    // nuts-knooppunt#233 (test/bugs/233-no-bundle-request): an entry without `request`, and of
    // another type than the history asked for.
    upstream.get('/fhir/Endpoint/_history', async () => ({
      resourceType: 'Bundle',
      type: 'history',
      meta: { lastUpdated: '2025-08-14T10:00:00.000+00:00' },
      entry: [
        {
          fullUrl: 'Endpoint/ep-1',
          resource: { resourceType: 'Organization', id: 'ep-1', name: 'misplaced' },
        },
      ],
    }));
    upstream.get('/fhir/Endpoint', async () => ({
      resourceType: 'Bundle',
      type: 'searchset',
      meta: { lastUpdated: '2025-08-14T09:00:00.000+00:00' },
    }));
    upstream.get('/fhir/Organization', async () => ({
      resourceType: 'Bundle',
      type: 'searchset',
      meta: { lastUpdated: '2025-08-14T09:00:00.000+00:00' },
      entry: [
        {
          resource: {
            resourceType: 'Organization',
            id: 'fd3524f9-705e-453c-8130-71cdf51cfcb9',
            name: 'Test Organization',
          },
        },
      ],
    }));
    await upstream.listen({ port: 0, host: '127.0.0.1' });
    try {
      const db = await openSqlite(':memory:');
      const store = await DirectoryStore.open(db);
      const client = await McsdUpdateClient.open({
        db,
        store,
        directories: [
          {
            name: 'knooppunt',
            url: `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/fhir`,
          },
        ],
        types: ['Organization', 'Endpoint'],
        region: () => ({ config: region.config, keys: configuredKeys(region.config) }),
        log: { warn: () => {}, info: () => {} },
      });
      await client.sync();
      expect((await client.status()).directories[0]!.lastError).toBeUndefined();
      expect(await store.all('Organization')).toEqual([]);
      expect((await store.read('Organization', 'fd3524f9-705e-453c-8130-71cdf51cfcb9'))!.deleted).toBe(true);
      expect(await store.read('Organization', 'ep-1')).toBeUndefined();
    } finally {
      await upstream.close();
    }
  });

  it('pages the initial load and history, and answers bad requests with a 4xx OperationOutcome', async () => {
    const first = await get(`${regional.url}/Endpoint`);
    expect(first.status).toBe(200);
    expect(first.body.entry).toHaveLength(4);
    expect(first.body.meta!.lastUpdated).toMatch(/Z$/);
    const next = first.body.link!.find((l) => l.relation === 'next')!.url!;
    expect((await get(next)).body.entry!.length).toBeGreaterThan(0);
    expect(
      (await get(`${regional.url}/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|${wieg.ura}`))
        .body.total,
    ).toBe(1);
    expect((await get(`${regional.url}/Organization/ura-${wieg.ura}`)).body).toMatchObject({
      name: wieg.name,
    });
    expect((await get(`${lrza.url}/fhir/metadata`, '')).status).toBe(200);

    const cases: [string, string, number][] = [
      ['/Organization', '', 401],
      ['/Organization', 'stranger', 403],
      ['/Organization?foo=1', 'member', 400],
      ['/Organization?_count=99999', 'member', 400],
      ['/Organization/_history?_since=yesterday', 'member', 400],
      ['/Organization/_history?_since=2026-13-45T00:00:00Z', 'member', 400],
      ['/Patient', 'member', 404],
      ['/Organization/does-not-exist', 'member', 404],
      ['/Organization/not%20an%20id', 'member', 404],
    ];
    for (const [path, token, status] of cases) {
      const answer = await get<OperationOutcome>(`${regional.url}${path}`, token);
      expect([path, answer.status]).toEqual([path, status]);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    }
    const feedRefused = await fetch(`${lrza.url}/feed/Organization/x`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${ADMIN}` },
      body: '{"resourceType":"Patient","id":"x"}',
    });
    expect(feedRefused.status).toBe(400);
  });
});
