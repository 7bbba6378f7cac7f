import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_CLIENTS, patientCount, seedDemoRegion, seedResearchCohort } from '../demo/seed-region.ts';
import { seedDemoCarelog } from '../demo/seed-carelog.ts';
import { demoPopulation } from '../demo/population.ts';
import { startRegion } from '../region/run-region.ts';
import { DEMO_REGION_FILE, DEMO_SECRETS_FILE } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import type { Command } from './command.ts';
import { stopOnSignals } from './signals.ts';
import { demoCredentialsOf } from '../auth/node-auth.ts';
import { DEMO_WARNING } from '../auth/identity-mode.ts';

const DATA_DIR = 'data/demo';

export const startCommand: Command = {
  name: 'start',
  summary: 'start the demo region: every member organisation on embedded SQLite, with sample data',
  help: `Usage: ketenlog start [--reset] [--region <region.yaml> --secrets <secrets.json>]

Starts every member of the demo region in this process, each organisation's node on its own port and
its own SQLite database under ./data/demo/<node>/, talking real HTTP to the others: each node keeps
its FHIR store and its log, mirrors and witnesses the other members' logs, and makes its own
statements final once the region's witness quorum has cosigned. Each member holds synthetic demo
records at the source (clients with test BSNs: pregnancies and maternity care, midwifery, GP and
hospital records including inflammatory bowel disease, pharmacy, insurer claims), seeded when its
store is empty. Prints each node's portal, FHIR base and logbook status. DEMO KEYS ONLY: never use them for real data.
  --reset             delete ./data/demo/ first
  --region <file>     another region file (default: packages/region/config/demo-region.yaml)
  --secrets <file>    the secret keys of every member of that region`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { reset: { type: 'boolean' }, region: { type: 'string' }, secrets: { type: 'string' } },
    });
    if (values.reset) rmSync(DATA_DIR, { recursive: true, force: true });
    console.warn(`WARNING: ${DEMO_WARNING}`);
    const started = performance.now();
    const region = await startRegion({
      demo: true,
      regionFile: values.region ? resolve(values.region) : DEMO_REGION_FILE,
      secretsFile: values.secrets ? resolve(values.secrets) : DEMO_SECRETS_FILE,
      dataDir: resolve(DATA_DIR),
    });
    stopOnSignals(region);
    const [first] = region.nodes;
    if (!first) throw new Error('the demo region started without any organisation');
    await seedDemoRegion(region);
    const config = first.membership!.region;
    console.log(
      `Ketenlog demo region "${config.name}": ${region.nodes.length} organisations, ready in ${Math.round(performance.now() - started)} ms.\n`,
    );
    for (const node of region.nodes) {
      const { organisation } = node.membership!;
      const base = node.fhirBase.replace(/\/fhir$/, '');
      console.log(`  ${organisation.name} (${organisation.type}, URA ${organisation.ura})`);
      console.log(`    portal:  ${base.replace('127.0.0.1', 'localhost')}/portal/`);
      console.log(`    FHIR:    ${node.fhirBase}`);
      console.log(`    logbook: ${base}/logbook/status`);
    }
    const local = (node: RunningNode) =>
      node.fhirBase.replace(/\/fhir$/, '').replace('127.0.0.1', 'localhost');
    console.log(`\nDemo logins (DEMO ONLY):`);
    console.log(`  client Maria de Vries: ${local(first)}/auth/passkeys/enrol (Demo-DigiD, then a passkey)`);
    // One login per role and organisation; the other carers log in the same way.
    const shown = new Set<string>();
    const listed = config.professionals.filter((p) => {
      const key = `${p.organisation} ${p.role}`;
      return shown.has(key) ? false : (shown.add(key), true);
    });
    for (const professional of listed) {
      const { password, totpSecret } = demoCredentialsOf(professional.id);
      const node = region.node(professional.organisation);
      console.log(
        `  ${professional.name} (${professional.role}): ${local(node)}/auth/professionals/login ` +
          `id ${professional.id}, password ${password}, TOTP secret ${totpSecret}`,
      );
    }
    const more = config.professionals.length - listed.length;
    if (more > 0)
      console.log(`  … and ${more} more maternity carers: npm run ketenlog -- demo-logins lists every login`);
    console.log(
      `\n${first.membership!.organisation.name} holds ${await patientCount(first)} demo clients ` +
        `(${first.fhirBase}/Patient?name=jansen, with a token from \`npm run -s ketenlog -- token\`).\n\nOpen the portal: ${local(first)}/portal/ — stop with Ctrl+C.`,
    );
    // Mijn Zorg Log at the pilot's scale fills in while the region already serves.
    const seeding = performance.now();
    seedDemoCarelog(region, demoPopulation(DEMO_CLIENTS)).then(
      (summaries) => {
        if (summaries.length === 0) return;
        const count = (key: 'mothers' | 'entries' | 'approvals') => summaries.reduce((n, s) => n + s[key], 0);
        console.log(
          `\nMijn Zorg Log demo data added in ${Math.round((performance.now() - seeding) / 1000)} s: ` +
            `${count('mothers')} mothers, ${count('entries')} logged visits, ${count('approvals')} approvals or rejections.`,
        );
      },
      (error: unknown) =>
        console.error(`Mijn Zorg Log demo data could not be added: ${(error as Error).message}`),
    );
    // The research cohort (the IBD-coach study's figures under 'Onderzoek') likewise.
    seedResearchCohort(region).then(
      (summaries) => {
        if (summaries.length === 0) return;
        console.log(
          `\nResearch cohort added in ${Math.round((performance.now() - seeding) / 1000)} s: ` +
            `${summaries.reduce((n, s) => n + s.resources, 0)} records at the hospital, the insurer and the statistics office.`,
        );
      },
      (error: unknown) =>
        console.error(`The research cohort could not be added: ${(error as Error).message}`),
    );
  },
};
