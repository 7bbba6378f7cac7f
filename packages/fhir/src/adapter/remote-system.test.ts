// The adapter over a server with the system-level and compartment interactions (here: these very
// routes): system search, compartment search, system history and $everything's parameters reach it.
import type { FastifyInstance } from 'fastify';
import type { Bundle } from '@medplum/fhirtypes';
import { openSqlite, type Db } from '@ketenlog/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceServer } from '../conformance/harness.ts';
import { patientBundle, PER_PATIENT, SYNTHETIC } from '../conformance/synthetic.ts';
import { RemoteFhirRepository } from './remote-repository.ts';

const LOCAL = 'http://node.example/fhir';

describe('RemoteFhirRepository at system level', () => {
  let db: Db;
  let app: FastifyInstance;
  let remote: RemoteFhirRepository;
  let patient: string;
  beforeAll(async () => {
    db = await openSqlite(':memory:');
    app = await conformanceServer(db, { hostBase: true });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    remote = new RemoteFhirRepository({ baseUrl: `${address}/fhir` });
    const loaded = await remote.processBundle(patientBundle(0), LOCAL);
    patient = (loaded.entry?.[0]?.response?.location ?? '').split('/')[1] as string;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('forwards system search, compartment search, system history and $everything parameters', async () => {
    const system = await remote.search({
      resourceType: '',
      params: [['_type', 'Condition']],
      baseUrl: LOCAL,
    });
    expect(system.total).toBe(SYNTHETIC.conditionsPerPatient);
    expect(system.entry?.[0]?.fullUrl).toMatch(/^http:\/\/node\.example\/fhir\/Condition\//);
    const compartment = await remote.search({
      resourceType: 'Observation',
      compartment: { type: 'Patient', id: patient },
      params: [['_summary', 'count']],
      baseUrl: LOCAL,
    });
    expect(compartment.total).toBe(SYNTHETIC.observationsPerPatient);
    const history: Bundle = await remote.history(undefined, undefined, [['_count', '5']], LOCAL);
    expect(history.total).toBe(PER_PATIENT);
    expect(history.link?.find((l) => l.relation === 'next')?.url).toMatch(
      /^http:\/\/node\.example\/fhir\/_history\?/,
    );
    const everything = await remote.everything(patient, LOCAL, [['_type', 'Encounter']]);
    expect(everything.total).toBe(SYNTHETIC.encountersPerPatient);
  });
});
