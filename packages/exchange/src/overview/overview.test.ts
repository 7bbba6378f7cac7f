// Two holder apps on loopback with the PDP guard, one holder down, one slow: the overview merges
// what each holder's guard allows, names sources, and reports the missing holders.
import Fastify, { type FastifyInstance } from 'fastify';
import { applyConsentStatement, type ConsentRegister } from '@ketenlog/region';
import type { StatementOf } from '@ketenlog/logbook';
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { federatedOverview, SOURCE_EXTENSION, type Holder } from './federated-overview.ts';
import { registerHolderGuard } from '../member/holder-guard.ts';
import { DEFAULT_REGION_RULES } from '../pdp.ts';

const MARIA = 'pMaria-0000000000000001';
const ASKER = '11110003';
const consents: ConsentRegister = new Map();
const grant = {
  kind: 'consent',
  v: 1,
  author: 'maria-key',
  iat: 1,
  subject: MARIA,
  body: { decision: 'grant', grantee: `ura:${ASKER}`, category: 'medication' },
};
applyConsentStatement(consents, grant as unknown as StatementOf<'consent'>, 'c0', {
  iat: 1,
  origin: 'log',
  index: 0,
});

const everything = (ura: string): Bundle => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: 3,
  entry: [
    { resource: { resourceType: 'Patient', id: 'p1' } },
    {
      resource: {
        resourceType: 'MedicationStatement',
        id: `m-${ura}`,
        status: 'active',
        subject: { reference: 'Patient/p1' },
        medicationCodeableConcept: { text: 'x' },
      },
    },
    {
      resource: { resourceType: 'AllergyIntolerance', id: `a-${ura}`, patient: { reference: 'Patient/p1' } },
    },
  ],
});

const records: { holder: string; withheld: number }[] = [];
async function holderApp(ura: string, delayMs = 0): Promise<{ app: FastifyInstance; holder: Holder }> {
  const app = Fastify();
  registerHolderGuard(app, {
    rules: () => DEFAULT_REGION_RULES,
    caller: (request) => {
      const [org, role, purpose] = (request.headers.authorization ?? '').replace(/^Bearer /, '').split(':');
      return org && role
        ? {
            accessor: 'uzi-1',
            base: {
              requester: { ura: org, type: 'ziekenhuis', role },
              holder: ura,
              purpose: purpose as 'treatment',
            },
          }
        : undefined;
    },
    subjectOf: () => MARIA,
    consents: () => consents,
    record: (e) => {
      records.push({ holder: ura, withheld: e.withheld });
    },
  });
  app.get('/fhir/Patient/:id/$everything', async (_req, reply) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return reply.type('application/fhir+json').send(everything(ura));
  });
  app.get('/fhir/AllergyIntolerance/:id', async () => everything(ura).entry![2]!.resource);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, holder: { ura, fhirBase: `${address}/fhir` } };
}

let apps: FastifyInstance[] = [];
let holders: Holder[] = [];
beforeAll(async () => {
  const made = await Promise.all([holderApp('11110001'), holderApp('11110002'), holderApp('11110007', 1000)]);
  apps = made.map((m) => m.app);
  holders = [...made.map((m) => m.holder), { ura: '11110009', fhirBase: 'http://127.0.0.1:1/fhir' }];
});
afterAll(async () => Promise.all(apps.map((a) => a.close())));

describe('federated overview', () => {
  it('merges what each holder allows, names sources, and reports down and slow holders as missing', async () => {
    const started = Date.now();
    const { bundle, missing } = await federatedOverview({
      holders,
      path: () => 'Patient/p1/$everything',
      issueToken: async () => `${ASKER}:medisch-specialist:treatment`,
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(900);
    expect(bundle.total).toBeUndefined();
    const ids = bundle
      .entry!.filter((e) => e.search?.mode === 'match')
      .map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
    expect(ids.sort()).toEqual(['MedicationStatement/m-11110001', 'MedicationStatement/m-11110002']);
    const sources = bundle
      .entry!.filter((e) => e.search?.mode === 'match')
      .map(
        (e) => e.resource!.meta!.extension!.find((x) => x.url === SOURCE_EXTENSION)!.valueIdentifier!.value,
      );
    expect(sources.sort()).toEqual(['11110001', '11110002']);
    expect(missing.map((m) => m.ura).sort()).toEqual(['11110007', '11110009']);
    expect(missing.find((m) => m.ura === '11110007')!.reason).toBe('timeout');
    const outcome = bundle.entry!.find((e) => e.search?.mode === 'outcome')!.resource;
    expect(outcome).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'warning' }, { severity: 'warning' }],
    });
    // Patient (demographics) and AllergyIntolerance withheld at each answering holder, one record each.
    expect(
      records.filter((r) => r.holder !== '11110007').sort((a, b) => a.holder.localeCompare(b.holder)),
    ).toEqual([
      { holder: '11110001', withheld: 2 },
      { holder: '11110002', withheld: 2 },
    ]);
  });

  it('refuses a single read the client did not allow with 403, and lets the holder itself read', async () => {
    const [h] = holders;
    assert(h);
    const denied = await fetch(`${h.fhirBase}/AllergyIntolerance/a1`, {
      headers: { authorization: `Bearer ${ASKER}:medisch-specialist:treatment` },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'forbidden' }],
    });
    const own = await fetch(`${h.fhirBase}/AllergyIntolerance/a1`, {
      headers: { authorization: `Bearer ${h.ura}:verpleegkundige:treatment` },
    });
    expect(own.status).toBe(200);
  });
});
