/**
 * The IBD-coach run through real member nodes: the demo region (ten nodes in this process, SQLite,
 * loopback HTTP), the hospital, insurer and statistics office seeded with `clients` demo clients,
 * the agreement signed by all three on their logs, then POST /analytics/runs timed from the
 * analyst's request to the answer — agreement checks at all three, each party's columns read from
 * its FHIR store (pseudonyms from the RSO), the MPC over /mpc/v1/message, the co-signed
 * analysis.run appended. Used by run.ts (--region-clients).
 */
import { issueNodeToken } from '@ketenlog/auth';
import { signStatement, KIND_AGREEMENT } from '@ketenlog/logbook';
import { agreementStatus } from '@ketenlog/region';
import { cohortDomain, digestOf, ibdCoachSpec, RUNS_PATH } from '../../packages/analytics/src/index.ts';
import { demoPopulation } from '../../packages/node/src/demo/population.ts';
import { seedBundle } from '../../packages/node/src/demo/seed.ts';
import { startRegion } from '../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts } from '../../packages/node/src/region/testing.ts';

const PARTIES = ['11110003', '11110004', '11110005'];

async function until(check: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function regionRuns(clients: number, runs: number): Promise<number[]> {
  const region = await startRegion({ ...(await demoRegionOnFreePorts()), logLevel: 'fatal' });
  try {
    const node = (ura: string) => region.node(ura);
    const population = demoPopulation(clients);
    await Promise.all(
      PARTIES.map(async (ura) => {
        const { region: config, organisation } = node(ura).membership!;
        await node(ura).repository.processBundle(
          seedBundle(config, organisation, population)!,
          node(ura).fhirBase,
        );
        await node(ura).exchange!.publisher!.flush();
      }),
    );
    const insurer = `ura:${PARTIES[1]}`;
    for (const ura of PARTIES)
      await until(() => cohortDomain(node(ura).logbook!.state, insurer).length === clients, 'the cohort');
    const parties = { hospital: `ura:${PARTIES[0]}`, insurer, statistics: `ura:${PARTIES[2]}` };
    for (const ura of PARTIES) {
      const { statementKey } = node(ura).membership!;
      const appended = await node(ura).logbook!.append(
        signStatement(
          {
            kind: KIND_AGREEMENT,
            v: 1,
            author: statementKey.keyId,
            iat: Math.floor(Date.now() / 1000),
            body: {
              agreement: 'ibd-coach-bench',
              parties: Object.values(parties),
              purpose: 'research',
              specHash: digestOf(ibdCoachSpec(parties)),
            },
          },
          statementKey.secretKey,
        ),
      );
      if (!appended.ok) throw new Error(appended.problem.text);
    }
    for (const ura of PARTIES)
      await until(
        () => agreementStatus(node(ura).logbook!.state, 'ibd-coach-bench')?.complete === true,
        'the agreement',
      );
    const hospital = node(PARTIES[0]!).membership!;
    const times: number[] = [];
    for (let r = 0; r <= runs; r++) {
      const token = await issueNodeToken(
        { keyId: hospital.statementKey.keyId, secretKey: hospital.statementKey.secretKey },
        {
          organisation: PARTIES[0]!,
          audience: hospital.organisation.node.baseUrl,
          role: 'node',
          purpose: 'research',
        },
      );
      const t0 = performance.now();
      const response = await fetch(`${hospital.organisation.node.baseUrl}${RUNS_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ agreement: 'ibd-coach-bench' }),
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`run refused: ${body}`);
      if (r > 0) times.push(performance.now() - t0); // the first is the warm-up
    }
    return times;
  } finally {
    await region.close();
  }
}
