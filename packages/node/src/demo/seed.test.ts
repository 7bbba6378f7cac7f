import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { FhirDefinitions, isValidBsn, validateResource } from '@ketenlog/fhir';
import { loadRegionConfig } from '@ketenlog/region';
import { describe, expect, it } from 'vitest';
import { DEMO_REGION_FILE } from '../region/testing.ts';
import { demoPopulation, MARIA_BSN, researchCohort } from './population.ts';
import { seedBundle } from './seed.ts';

const config = loadRegionConfig(DEMO_REGION_FILE);
const population = demoPopulation(40);
const definitions = FhirDefinitions.load();
const bundles = new Map(config.organisations.map((o) => [o.ura, seedBundle(config, o, population)]));
const resources = (bundle: Bundle | undefined) => (bundle?.entry ?? []).map((e) => e.resource!);
const patients = (ura: string) =>
  resources(bundles.get(ura)).filter((r): r is Patient => r.resourceType === 'Patient');
const holdsMaria = (ura: string) => patients(ura).some((p) => p.identifier?.[0]?.value === MARIA_BSN);

describe('the demo region seed', () => {
  it('gives every client a valid test BSN, Maria (the Demo-DigiD client) first', () => {
    expect(population[0]).toMatchObject({ bsn: MARIA_BSN, given: 'Maria', family: 'de Vries', mother: true });
    expect(new Set(population.map((c) => c.bsn)).size).toBe(40);
    for (const c of population) expect(isValidBsn(c.bsn)).toBe(true);
  });

  it('produces only valid FHIR R4 resources', () => {
    for (const bundle of bundles.values())
      for (const resource of resources(bundle)) validateResource(resource, definitions);
  });

  it('keeps each record at its source: care organisations hold their own part; the RSO holds none', () => {
    // Maria: maternity care at the first maternity-care organisation, midwife, GP, pharmacy, insurer.
    for (const ura of ['11110001', '11110002', '11110008', '11110009', '11110004'])
      expect(holdsMaria(ura)).toBe(true);
    expect(holdsMaria('11110006')).toBe(false);
    // the statistics office holds only its income register
    expect(
      resources(bundles.get('11110005')).every(
        (r) =>
          r.resourceType === 'Patient' || (r.resourceType === 'Observation' && r.valueInteger !== undefined),
      ),
    ).toBe(true);
    expect(bundles.get('11110010')).toBeUndefined();
    // Every mother is cared for by exactly one of the three maternity-care organisations.
    const kraamzorg = ['11110001', '11110006', '11110007'].flatMap((ura) =>
      patients(ura).map((p) => p.identifier![0]!.value),
    );
    expect(kraamzorg.sort()).toEqual(
      population
        .filter((c) => c.mother)
        .map((c) => c.bsn)
        .sort(),
    );
  });

  it('gives the hospital IBD patients lab results with reference ranges', () => {
    const labs = resources(bundles.get('11110003')).filter(
      (r): r is Observation => r.resourceType === 'Observation' && r.code?.coding?.[0]?.code === '38445-3',
    );
    expect(labs.length).toBeGreaterThanOrEqual(10 * 3);
    for (const lab of labs) expect(lab.referenceRange?.[0]?.high?.value).toBe(50);
    const ibd = resources(bundles.get('11110003')).filter((r) => r.resourceType === 'Condition');
    expect(ibd.length).toBe(population.filter((c) => c.ibd).length);
  });

  it('seeds a research cohort at the study parties only, large enough that every cell is released', () => {
    const cohort = researchCohort();
    const all = [...population, ...cohort];
    expect(new Set(all.map((c) => c.bsn)).size).toBe(all.length);
    for (const c of cohort) expect(isValidBsn(c.bsn)).toBe(true);
    const of = (ura: string) =>
      resources(
        seedBundle(
          config,
          config.organisations.find((o) => o.ura === ura)!,
          cohort,
        ),
      );
    for (const ura of ['11110003', '11110004', '11110005'])
      for (const resource of of(ura)) validateResource(resource, definitions);
    // the hospital holds only what the study reads: the diagnosis and the app use
    expect(new Set(of('11110003').map((r) => r.resourceType))).toEqual(
      new Set(['Patient', 'Condition', 'Observation']),
    );
    // each app use × income cell holds well over the release threshold of 10 clients
    const app = new Map(
      of('11110003').flatMap((r) =>
        r.resourceType === 'Observation' ? [[r.subject!.reference!, r.valueBoolean!] as const] : [],
      ),
    );
    const cells = new Map<string, number>();
    for (const r of of('11110005'))
      if (r.resourceType === 'Observation') {
        const key = `${app.get(r.subject!.reference!)}/${r.valueInteger! <= 2 ? 'low' : 'high'}`;
        cells.set(key, (cells.get(key) ?? 0) + 1);
      }
    expect(cells.size).toBe(4);
    for (const n of cells.values()) expect(n).toBeGreaterThanOrEqual(50);
  });
});
