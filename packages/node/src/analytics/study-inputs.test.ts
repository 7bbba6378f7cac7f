// Each party's list comes from its own store, by pseudonym, padded to the cohort domain's size; a
// client who objected to research is left out at the source and counted, before anything is shared.
import { describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FhirRepository } from '@ketenlog/fhir';
import type { StatementOf } from '@ketenlog/logbook';
import { applyConsentStatement, createRegionState, loadRegionConfig } from '@ketenlog/region';
import { demoPopulation } from '../demo/population.ts';
import { seedBundle } from '../demo/seed.ts';
import { DEMO_REGION_FILE } from '../region/testing.ts';
import type { PartyInputs } from '@ketenlog/analytics';
import { studyInputs, RESEARCH_REQUEST } from './study-inputs.ts';

const config = loadRegionConfig(DEMO_REGION_FILE);
const population = demoPopulation(40);
const pseudonymOf = (bsn: string) => Promise.resolve(`p-${bsn}`);
const domain = population.map((c) => `p-${c.bsn}`).sort();

/** A party's list read over the domain (what linkage would align): zeros where it has no record. */
function onDomain(inputs: PartyInputs): bigint[][] {
  const { pseudonyms, columns } = inputs.own;
  expect(pseudonyms.length).toBeGreaterThanOrEqual(domain.length);
  expect(new Set(pseudonyms).size).toBe(pseudonyms.length);
  const at = new Map(pseudonyms.map((p, r) => [p, r]));
  return columns.map((col) => domain.map((p) => (at.has(p) ? col[at.get(p)!]! : 0n)));
}

/** A store holding one member's demo seed, answering searches by type (one page). */
function storeOf(ura: string): FhirRepository {
  const org = config.organisations.find((o) => o.ura === ura)!;
  const resources = (seedBundle(config, org, population)?.entry ?? []).map((e) => e.resource as Resource);
  return {
    search: ({ resourceType }: { resourceType: string }) =>
      Promise.resolve({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: resources.filter((r) => r.resourceType === resourceType).map((resource) => ({ resource })),
      } as Bundle),
  } as unknown as FhirRepository;
}

describe('study inputs at the source', () => {
  it("reads the hospital's IBD-coach users over the domain and leaves out a client who objected to research", async () => {
    const state = createRegionState(config);
    const ibd = population.filter((c) => c.ibd);
    const objector = ibd[0]!;
    applyConsentStatement(
      state.consents,
      {
        kind: 'consent',
        v: 1,
        author: 'client-key',
        iat: 1000,
        subject: `p-${objector.bsn}`,
        body: { decision: 'objection', purpose: RESEARCH_REQUEST.purpose },
      } as StatementOf<'consent'>,
      'h-objection',
      { iat: 1000, origin: 'o', index: 0 },
    );
    const source = { baseUrl: 'http://h/fhir', state, self: 'ura:11110003', pseudonymOf };
    const hospital = await studyInputs(
      'hospital',
      { ...source, repository: storeOf('11110003') },
      domain.length,
    );
    expect(hospital.leftOut).toBe(1);
    // IBD patients only, padded with dummies (all zeros) to the domain's size; the objector absent.
    expect(hospital.own.pseudonyms.length).toBe(domain.length);
    expect(hospital.own.pseudonyms).not.toContain(`p-${objector.bsn}`);
    const dummies = hospital.own.pseudonyms.flatMap((p, r) => (p.startsWith('dummy:') ? [r] : []));
    expect(dummies.length).toBe(domain.length - (ibd.length - 1));
    for (const r of dummies) for (const col of hospital.own.columns) expect(col[r]).toBe(0n);
    const [app, non] = onDomain(hospital) as [bigint[], bigint[]];
    const at = (bsn: string) => domain.indexOf(`p-${bsn}`);
    expect(app[at(objector.bsn)]).toBe(0n);
    expect(non[at(objector.bsn)]).toBe(0n);
    const kept = ibd.slice(1);
    expect(app.filter((x) => x === 1n).length).toBe(kept.filter((c) => c.n % 3 !== 1).length);
    expect(non.filter((x) => x === 1n).length).toBe(kept.filter((c) => c.n % 3 === 1).length);
    // Everyone not an IBD patient at the hospital is a zero in both columns.
    for (const c of population.filter((x) => !x.ibd)) expect(app[at(c.bsn)]! + non[at(c.bsn)]!).toBe(0n);
  });

  it("reads the insurer's yearly cost and the statistics office's income group", async () => {
    const state = createRegionState(config);
    const source = { baseUrl: 'http://x/fhir', state, self: 'ura:11110004', pseudonymOf };
    const insurer = await studyInputs(
      'insurer',
      { ...source, repository: storeOf('11110004') },
      domain.length,
    );
    const stats = await studyInputs(
      'statistics',
      { ...source, repository: storeOf('11110005') },
      domain.length,
    );
    expect(insurer.leftOut + stats.leftOut).toBe(0);
    const maria = population[0]!; // a mother without IBD: the maternity-care claim only
    expect(onDomain(insurer)[0]![domain.indexOf(`p-${maria.bsn}`)]).toBe(BigInt(Math.round(49 * 58.4)));
    const [low, high] = onDomain(stats) as [bigint[], bigint[]];
    for (let k = 0; k < domain.length; k++) expect(low[k]! + high[k]!).toBe(1n);
  });
});
