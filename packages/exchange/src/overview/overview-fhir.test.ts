// End to end with the real FHIR routes over SQLite (as packages/node registers them): the guard
// filters $everything and search answers of two holders, and the overview merges them.
import Fastify, { type FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '@ketenlog/storage';
import {
  capabilityStatement,
  FhirDefinitions,
  fhirRoutes,
  FhirSearchIndex,
  installContentParsers,
  SearchParameterRegistry,
  SqlFhirRepository,
  validateResource,
} from '@ketenlog/fhir';
import { applyConsentStatement, type ConsentRegister } from '@ketenlog/region';
import type { StatementOf } from '@ketenlog/logbook';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federatedOverview, type Holder } from './federated-overview.ts';
import { registerHolderGuard } from '../member/holder-guard.ts';
import { DEFAULT_REGION_RULES } from '../pdp.ts';
import { installErrorHandlers } from '@ketenlog/problem';

const MARIA = 'pMaria-0000000000000001';
const ASKER = '11110003';
const consents: ConsentRegister = new Map();
applyConsentStatement(
  consents,
  {
    kind: 'consent',
    v: 1,
    author: 'k',
    iat: 1,
    subject: MARIA,
    body: { decision: 'grant', grantee: `ura:${ASKER}`, category: 'medication' },
  } as unknown as StatementOf<'consent'>,
  'c0',
  { iat: 1, origin: 'log', index: 0 },
);
const definitions = FhirDefinitions.load();
const registry = SearchParameterRegistry.load();

const running: { app: FastifyInstance; db: Db }[] = [];
async function holderNode(ura: string): Promise<Holder> {
  const db = await openDatabase(':memory:');
  const repository = await SqlFhirRepository.open(db, new FhirSearchIndex(registry));
  const app = Fastify();
  installContentParsers(app);
  installErrorHandlers(app);
  registerHolderGuard(app, {
    rules: () => DEFAULT_REGION_RULES,
    caller: (request) => {
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      return token
        ? {
            accessor: 'uzi-1',
            base: {
              requester: { ura: token, type: 'ziekenhuis', role: 'medisch-specialist' },
              holder: ura,
              purpose: 'treatment',
            },
          }
        : undefined;
    },
    subjectOf: () => MARIA,
    consents: () => consents,
  });
  const resourceTypes = [...definitions.resourceTypes()];
  const capability = capabilityStatement({
    software: { name: 'Ketenlog', version: '0.1.0' },
    resourceTypes,
    registry,
  });
  await app.register(fhirRoutes, {
    prefix: '/fhir',
    repository,
    validate: (resource: unknown) => validateResource(resource, definitions),
    isResourceType: (type: string) => definitions.isResourceType(type),
    capabilityStatement: () => capability,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  running.push({ app, db });
  const base = `${address}/fhir`;
  const put = async (resource: object) => {
    const r = await fetch(
      `${base}/${(resource as { resourceType: string }).resourceType}/${(resource as { id: string }).id}`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(resource),
      },
    );
    if (r.status >= 300) throw new Error(`seed failed ${r.status}: ${await r.text()}`);
  };
  await put({ resourceType: 'Patient', id: 'p1' });
  await put({
    resourceType: 'MedicationStatement',
    id: 'm1',
    status: 'active',
    subject: { reference: 'Patient/p1' },
    medicationCodeableConcept: { text: 'paracetamol' },
  });
  await put({ resourceType: 'AllergyIntolerance', id: 'a1', patient: { reference: 'Patient/p1' } });
  return { ura, fhirBase: base };
}

let holders: Holder[] = [];
beforeAll(async () => {
  holders = await Promise.all([holderNode('11110001'), holderNode('11110002')]);
});
afterAll(async () => {
  for (const r of running) {
    await r.app.close();
    await r.db.close();
  }
});

describe('overview over the real FHIR routes', () => {
  it('$everything: each holder discloses only the granted category, without total', async () => {
    const { bundle, missing } = await federatedOverview({
      holders,
      path: () => 'Patient/p1/$everything',
      issueToken: async () => ASKER,
    });
    expect(missing).toEqual([]);
    expect(bundle.entry!.map((e) => e.resource!.resourceType)).toEqual([
      'MedicationStatement',
      'MedicationStatement',
    ]);
  });

  it('search with _revinclude and a direct read obey the same decision', async () => {
    const r = await fetch(
      `${holders[0]!.fhirBase}/Patient?_id=p1&_revinclude=AllergyIntolerance:patient&_revinclude=MedicationStatement:subject`,
      { headers: { authorization: `Bearer ${ASKER}` } },
    );
    const page = (await r.json()) as { total?: number; entry?: { resource: { resourceType: string } }[] };
    expect(page.total).toBeUndefined();
    expect((page.entry ?? []).map((e) => e.resource.resourceType)).toEqual(['MedicationStatement']);
    const read = await fetch(`${holders[0]!.fhirBase}/AllergyIntolerance/a1`, {
      headers: { authorization: `Bearer ${ASKER}` },
    });
    expect(read.status).toBe(403);
    const own = await fetch(`${holders[0]!.fhirBase}/AllergyIntolerance/a1`, {
      headers: { authorization: 'Bearer 11110001' },
    });
    expect(own.status).toBe(200);
  });
});
