import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegion, type RunningRegion } from './run-region.ts';
import { demoRegionOnFreePorts } from './testing.ts';
import { systemAuthorization } from './demo-system.ts';

describe('a region in one process', () => {
  let region: RunningRegion;
  beforeAll(async () => {
    region = await startRegion({ ...(await demoRegionOnFreePorts()), logLevel: 'fatal' });
  });
  afterAll(async () => region?.close());

  it('starts every member on its own port and store, each knowing its place in the region', async () => {
    expect(region.nodes).toHaveLength(10);
    const bases = new Set(region.nodes.map((n) => n.fhirBase));
    expect(bases.size).toBe(10);
    for (const node of region.nodes) {
      expect((await fetch(node.fhirBase.replace(/\/fhir$/, '/readyz'))).status).toBe(200);
      expect(node.membership?.origin).toMatch(/^demo\.ketenlog\.example\//);
    }
    const hospital = region.node('11110003');
    const created = await fetch(`${hospital.fhirBase}/Patient`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        authorization: await systemAuthorization(hospital),
      },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Maas' }] }),
    });
    expect(created.status).toBe(201);
    const elsewhere = await fetch(`${region.node('11110001').fhirBase}/Patient?family=maas`, {
      headers: { authorization: await systemAuthorization(region.node('11110001')) },
    });
    expect(((await elsewhere.json()) as { total: number }).total).toBe(0);
  });
});
