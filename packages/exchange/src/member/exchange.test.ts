// Exchange as one component, over SQLite and a Fastify app of its own: off without a pseudonym
// service, its routes behind sessions when on, and one close that ends it. (Its behaviour between
// members is tested on whole regions in packages/node/src/exchange.)
import Fastify, { type FastifyInstance } from 'fastify';
import type { AuditEvent } from '@medplum/fhirtypes';
import { FhirSearchIndex, SearchParameterRegistry, SqlFhirRepository } from '@ketenlog/fhir';
import { createRegionState, type RegionConfig } from '@ketenlog/region';
import { testRegion } from '@ketenlog/region/testing';
import { NodeTokenVerifier } from '@ketenlog/auth';
import { MemoryEphemeralStore, openDatabase, type Db } from '@ketenlog/storage';
import { installErrorHandlers, ok } from '@ketenlog/problem';
import { afterEach, describe, expect, it } from 'vitest';
import { Exchange } from './exchange.ts';
import { AuditWriter } from './audit-writer.ts';

const registry = SearchParameterRegistry.load();
const open: { app: FastifyInstance; db: Db }[] = [];

afterEach(async () => {
  for (const { app, db } of open.splice(0)) {
    await app.close();
    await db.close();
  }
});

async function member(config: RegionConfig) {
  const { kraamzorg } = testRegion();
  const db = await openDatabase(':memory:');
  const repository = await SqlFhirRepository.open(db, new FhirSearchIndex(registry));
  const app = Fastify();
  installErrorHandlers(app);
  open.push({ app, db });
  const state = createRegionState(config);
  const exchange = new Exchange({
    db,
    membership: {
      region: config,
      organisation: kraamzorg.organisation,
      statementKey: { keyId: kraamzorg.key.keyId, secretKey: kraamzorg.key.secret },
      derivationSecret: kraamzorg.key.secret,
    },
    logbook: { state, append: async () => ok({ index: 0 }) },
    repository,
    fetch: () => Promise.reject(new Error('no other member in this test')),
    log: { warn: () => {} },
    verifier: new NodeTokenVerifier({
      audience: kraamzorg.organisation.node.baseUrl,
      state: () => state,
      replays: new MemoryEphemeralStore(),
    }),
    fhirAccessOf: () => undefined,
    representativeMayRead: () => false,
  });
  await app.register(exchange.register);
  await app.ready();
  return { app, exchange, repository };
}

describe('exchange as a component', () => {
  it('stays off in a region without a pseudonym service: the store is not wrapped and no route is served', async () => {
    const { config } = testRegion();
    const withoutRso = { ...config, organisations: config.organisations.filter((o) => o.type !== 'rso') };
    const { app, exchange, repository } = await member(withoutRso);
    expect(exchange.repository).toBe(repository);
    expect(exchange.pseudonyms).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/exchange/consents' })).statusCode).toBe(404);
    expect(await exchange.reconcile()).toBe(0);
    await expect(exchange.close()).resolves.toBeUndefined();
  });

  it('serves its routes behind a session, wraps the store for the index, and ends with close', async () => {
    const { app, exchange, repository } = await member(testRegion().config);
    expect(exchange.repository).not.toBe(repository);
    expect(exchange.pseudonyms).toBeDefined();
    const consents = await app.inject({ method: 'GET', url: '/exchange/consents' });
    expect(consents.statusCode).toBe(401);
    expect(consents.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const reconcile = await app.inject({ method: 'POST', url: '/exchange/index/reconcile' });
    expect(reconcile.statusCode).toBe(401);
    expect(reconcile.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    // An empty store: nothing to state.
    expect(await exchange.reconcile()).toBe(0);
    await expect(exchange.close()).resolves.toBeUndefined();
  });
});

describe('the holder audit writer', () => {
  it('writes the AuditEvents still pending when it closes, as one batch', async () => {
    const db = await openDatabase(':memory:');
    const repository = await SqlFhirRepository.open(db, new FhirSearchIndex(registry));
    const errors: unknown[] = [];
    const audit = new AuditWriter({ repository, delayMs: 60_000, onError: (error) => errors.push(error) });
    const event: AuditEvent = {
      resourceType: 'AuditEvent',
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
      recorded: '2026-12-08T00:00:00Z',
      agent: [{ requestor: true, who: { display: 'uzi-1' } }],
      source: { observer: { display: 'ura:11110001' } },
    };
    audit.add([event, { ...event, id: 'seal-1' }]);
    await audit.close();
    const stored = await repository.search({
      resourceType: 'AuditEvent',
      params: [['_summary', 'count']],
      baseUrl: 'http://local/fhir',
    });
    expect(stored.total).toBe(2);
    expect((await repository.read<AuditEvent>('AuditEvent', 'seal-1')).id).toBe('seal-1');
    expect(errors).toEqual([]);
    await db.close();
  });
});
