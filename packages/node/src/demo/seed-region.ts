// Seeds every member of a running region with its own demo records (see seed.ts), skipping members
// that already hold clients (a restarted demo keeps its data).
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import { DEMO_COHORT, demoPopulation, researchCohort } from './population.ts';
import { seedBundle } from './seed.ts';

export async function patientCount(node: RunningNode): Promise<number> {
  const bundle = await node.repository.search({
    resourceType: 'Patient',
    params: [['_summary', 'count']],
    baseUrl: node.fhirBase,
  });
  return bundle.total ?? 0;
}

export interface SeedSummary {
  readonly ura: string;
  readonly resources: number;
}

/** The demo population's size: enough mothers for Mijn Zorg Log at the pilot's scale (33). */
export const DEMO_CLIENTS = 50;

/** Seeds each member that holds no clients yet; `clients` scales the population. */
export async function seedDemoRegion(region: RunningRegion, clients = DEMO_CLIENTS): Promise<SeedSummary[]> {
  const population = demoPopulation(clients);
  const seeded = await Promise.all(
    region.nodes.map(async (node): Promise<SeedSummary | undefined> => {
      const { region: config, organisation } = node.membership!;
      const bundle = seedBundle(config, organisation, population);
      if (!bundle || (await patientCount(node)) > 0) return undefined;
      await node.repository.processBundle(bundle, node.fhirBase);
      return { ura: organisation.ura, resources: bundle.entry?.length ?? 0 };
    }),
  );
  return seeded.filter((s) => s !== undefined);
}

/** The organisations that hold the research cohort's records: the IBD-coach study's parties. */
const COHORT_HOLDERS: readonly string[] = ['ziekenhuis', 'zorgverzekeraar', 'statistiek'];

/**
 * Seeds the research cohort (population.ts) at the hospital, the insurer and the statistics office,
 * so the IBD-coach study releases its cells in the demo (issue 17); skips a member that holds it.
 */
export async function seedResearchCohort(region: RunningRegion, count = DEMO_COHORT): Promise<SeedSummary[]> {
  const cohort = researchCohort(count);
  const first = `client-${cohort[0]!.n + 1}`;
  const seeded = await Promise.all(
    region.nodes.map(async (node): Promise<SeedSummary | undefined> => {
      const { region: config, organisation } = node.membership!;
      if (!COHORT_HOLDERS.includes(organisation.type)) return undefined;
      const held = await node.repository.search({
        resourceType: 'Patient',
        params: [
          ['_id', first],
          ['_summary', 'count'],
        ],
        baseUrl: node.fhirBase,
      });
      const bundle = seedBundle(config, organisation, cohort);
      if (!bundle || (held.total ?? 0) > 0) return undefined;
      await node.repository.processBundle(bundle, node.fhirBase);
      return { ura: organisation.ura, resources: bundle.entry?.length ?? 0 };
    }),
  );
  return seeded.filter((s) => s !== undefined);
}
