import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { issueNodeToken } from '@ketenlog/auth';
import { signStatement, type Statement } from '@ketenlog/logbook';
import { findOrganisation, loadRegionConfig, RegionConfigError } from '@ketenlog/region';
import {
  digestOf,
  ibdCoachSpec,
  regionStudyParties,
  RESEARCH_PURPOSE,
  RUNS_PATH,
  type AppUseEffect,
  type IbdCoachCellResult,
} from '@ketenlog/analytics';
import { loadMembership } from '../region/membership.ts';
import { DEMO_REGION_FILE, DEMO_SECRETS_FILE } from '../region/testing.ts';
import { UsageError, type Command } from './command.ts';

const euro = (x: number): string => `€ ${x.toFixed(2)}`;

function table(cells: readonly IbdCoachCellResult[]): string {
  const rows = cells.map((c) =>
    c.suppressed
      ? `  ${c.cell.padEnd(24)} suppressed (fewer than 10, or one client above half of the total)`
      : `  ${c.cell.padEnd(24)} n = ${String(c.count).padStart(5)}   mean ${euro(c.meanCostEur).padStart(12)}   sd ${euro(Math.sqrt(c.varianceCostEur)).padStart(11)}   total ${euro(c.sumCostEur).padStart(14)}   GP visits ${c.meanGpVisits.toFixed(2)} (sd ${Math.sqrt(c.varianceGpVisits).toFixed(2)})`,
  );
  return rows.join('\n');
}

function effectLine(e: AppUseEffect | undefined): string {
  if (!e) return 'Effect of app use: not estimated (an app-use × income cell is suppressed).';
  const pm = (x: { coefficient: number; standardError: number }, d: number): string =>
    `${x.coefficient >= 0 ? '+' : ''}${x.coefficient.toFixed(d)} (SE ${x.standardError.toFixed(d)})`;
  return `Effect of app use, adjusted for income (OLS over ${e.n} IBD patients): cost ${pm(e.costEur, 2)} euro a year, GP visits ${pm(e.gpVisits, 2)} a year`;
}

export const analyseCommand = {
  name: 'analyse',
  summary: 'run an analysis agreement (multi-party computation) from your node, or sign one',
  help: `Usage: ketenlog analyse --agreement <id> --organisation <URA> [options]

Asks your organisation's node to run the computation of an analysis agreement (the IBD-coach
evaluation: yearly insurer cost and GP visits by IBD-coach app use and income group, and the effect
of app use adjusted for income) together with the other two
parties, over multi-party computation: each party computes its columns from its own FHIR store and
shares only secret shares. The node refuses (HTTP 403, OperationOutcome) when the agreement is not on
the region's logbook, not signed by every party, expired, or when your organisation is not a party.
Prints the released table (cells under 10 clients, or dominated by one client, suppressed) and
where the run is stated on the log, with its output digest.

With --sign-agreement, signs the agreement for the IBD-coach study instead (parties: the region's
hospital, insurer and statistics office; purpose research) as your organisation, on your node's log.
Every party signs it once; after that any party can run it.
  --agreement <id>       the agreement's id, e.g. ibd-coach-2026 (required)
  --organisation <URA>   your organisation (its node and its statement key)
  --region <file>        the region file (default: the demo region)
  --secrets <file>       your organisation's secret keys (default: the demo region's)
  --node <url>           your node's base URL (default: as the region file publishes it)
  --sign-agreement       sign the agreement instead of running it
  --valid-until <date>   with --sign-agreement: last day of validity (YYYY-MM-DD)
  --json                 print the node's answer as JSON`,
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        agreement: { type: 'string' },
        organisation: { type: 'string' },
        region: { type: 'string' },
        secrets: { type: 'string' },
        node: { type: 'string' },
        'sign-agreement': { type: 'boolean' },
        'valid-until': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (!values.agreement) throw new UsageError('ketenlog analyse: --agreement <id> is required');
    if (!values.organisation) throw new UsageError('ketenlog analyse: --organisation <URA> is required');
    const regionFile = values.region ? resolve(values.region) : DEMO_REGION_FILE;
    const secretsFile = values.secrets ? resolve(values.secrets) : DEMO_SECRETS_FILE;
    let region;
    try {
      region = loadRegionConfig(regionFile);
    } catch (error) {
      if (error instanceof RegionConfigError) throw new UsageError(error.message);
      throw error;
    }
    if (!findOrganisation(region, values.organisation))
      throw new UsageError(
        `ketenlog analyse: ${values.organisation} is not a member of region "${region.name}"`,
      );
    const { organisation, statementKey } = loadMembership(regionFile, secretsFile, values.organisation);
    const nodeUrl = (values.node ?? organisation.node.baseUrl).replace(/\/$/, '');

    if (values['sign-agreement']) {
      const parties = regionStudyParties(region);
      if (!parties)
        throw new UsageError('ketenlog analyse: the region has no hospital, insurer and statistics office');
      const statement: Statement = {
        kind: 'agreement',
        v: 1,
        author: statementKey.keyId,
        iat: Math.floor(Date.now() / 1000),
        body: {
          agreement: values.agreement,
          parties: Object.values(parties),
          purpose: RESEARCH_PURPOSE,
          specHash: digestOf(ibdCoachSpec(parties)),
          ...(values['valid-until'] ? { validUntil: values['valid-until'] } : {}),
        },
      };
      const response = await fetch(`${nodeUrl}/logbook/statements`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(signStatement(statement, statementKey.secretKey)),
      });
      const answer = await response.text();
      if (!response.ok) {
        console.error(
          `ketenlog analyse: the node refused the agreement (HTTP ${response.status}): ${answer}`,
        );
        return 1;
      }
      console.log(
        `${organisation.name} signed agreement ${values.agreement} (spec ${statement.body.specHash}).`,
      );
      return 0;
    }

    const token = await issueNodeToken(
      { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
      {
        organisation: organisation.ura,
        audience: organisation.node.baseUrl,
        role: 'node',
        purpose: RESEARCH_PURPOSE,
      },
    );
    const response = await fetch(`${nodeUrl}${RUNS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ agreement: values.agreement }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      issue?: { diagnostics?: string }[];
      cells?: IbdCoachCellResult[];
      effect?: AppUseEffect;
      cohortSize?: number;
      recordsLeftOut?: Record<string, number>;
      outputDigest?: string;
      statement?: { log: string; index: number };
    };
    if (values.json) console.log(JSON.stringify(body, null, 2));
    if (!response.ok) {
      console.error(
        `ketenlog analyse: run refused (HTTP ${response.status}): ${body.issue?.[0]?.diagnostics ?? 'no reason given'}`,
      );
      return 1;
    }
    if (!values.json) {
      const leftOut = Object.entries(body.recordsLeftOut ?? {})
        .map(([party, n]) => `${party} ${n}`)
        .join(', ');
      console.log(
        `Agreement ${values.agreement}: cohort of ${body.cohortSize} clients; left out for an objection to research: ${leftOut}`,
      );
      console.log(table(body.cells ?? []));
      console.log(effectLine(body.effect));
      console.log(
        `Stated on the log ${body.statement?.log} at index ${body.statement?.index}; output digest ${body.outputDigest}`,
      );
    }
    return 0;
  },
} satisfies Command & { run(args: string[]): Promise<number> };
