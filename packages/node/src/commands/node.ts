import { parseArgs } from 'node:util';
import { checkSecretFiles } from '../auth/identity-mode.ts';
import { loadConfig } from '../config.ts';
import { startNode } from '../server.ts';
import { UsageError, type Command } from './command.ts';
import { stopOnSignals } from './signals.ts';

export const nodeCommand: Command = {
  name: 'node',
  summary: "run one organisation's node from a configuration file",
  help: `Usage: ketenlog node --config <file> [--database <spec>]

Runs one organisation's node. The configuration (YAML) names the node, the organisation (URA, name,
type), listen address, database and FHIR source; see packages/node/config/sample-org.yaml.
Writes JSON log lines to stdout, and "FHIR base: <url>" to stderr once it answers.
  --config <file>     the node's configuration file (required)
  --database <spec>   override the database: a SQLite file path or postgres://user:pass@host/db`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { config: { type: 'string' }, database: { type: 'string' } },
    });
    if (!values.config) throw new UsageError('ketenlog node: --config <file> is required');
    const config = loadConfig(values.config);
    if (values.database) config.database = values.database;
    checkSecretFiles(config);
    const node = await startNode(config);
    stopOnSignals(node);
    // stdout carries only JSON log lines; the human hint goes to stderr.
    console.error(`FHIR base: ${node.fhirBase}`);
  },
};
