#!/usr/bin/env node
// The `ketenlog` command line: one small function per command, each with its own --help.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type NodeConfig } from './config.ts';
import { sampleBundle } from './sample-data.ts';
import { loadFhirModel, startNode, type RunningNode } from './server.ts';

const USAGE = `ketenlog — regional health-data exchange for Dutch care

Usage: ketenlog <command> [options]

Commands:
  start              start a sample organisation node on embedded SQLite with sample data
  node               run one organisation's node from a configuration file
  import             import FHIR JSON/XML resources and bundles into a node's store

Run "ketenlog <command> --help" for the options of a command.`;

const HELP: Record<string, string> = {
  start: `Usage: ketenlog start [--reset] [--port <n>]

Starts a sample maternity-care organisation on embedded SQLite (./data/demo/), loads sample clients
(test BSNs, pregnancies, blood pressure, weight) when its store is empty, and prints its FHIR base.
  --reset      delete ./data/demo/ first
  --port <n>   listen port (default 8080, or $PORT)`,
  node: `Usage: ketenlog node --config <file> [--database <spec>]

Runs one organisation's node. The configuration (YAML) names the node, the organisation (URA, name,
type), listen address, database and FHIR source; see packages/node/config/sample-org.yaml.
  --config <file>     the node's configuration file (required)
  --database <spec>   override the database: a SQLite file path or postgres://user:pass@host/db`,
  import: `Usage: ketenlog import (--config <file> | --database <spec>) <file or folder>...

Imports FHIR R4 resources and bundles (.json and .xml) idempotently: re-importing changes nothing.
Prints progress and a summary (loaded, unchanged, rejected with reasons); exit code 1 if any
file was rejected.
  --config <file>     the node whose store to import into
  --database <spec>   or a database directly (default ./data/demo/fhir.sqlite)`,
};

function demoConfig(port: number): NodeConfig {
  return {
    node: 'demo',
    organisation: { ura: '00000001', name: 'Kraamzorg De Ooievaar (demo)', type: 'kraamzorg' },
    listen: { host: '127.0.0.1', port },
    database: resolve('data/demo/fhir.sqlite'),
    fhir: { source: 'local' },
    log: { level: 'warn' },
    maxBodyBytes: 16 * 1024 * 1024,
  };
}

function onSignals(node: RunningNode): void {
  const stop = (): void => {
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { reset: { type: 'boolean' }, port: { type: 'string' } } });
  if (values.reset) rmSync('data/demo', { recursive: true, force: true });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  const node = await startNode(demoConfig(port));
  onSignals(node);
  const existing = await node.repository.search({ resourceType: 'Patient', params: [['_summary', 'count']], baseUrl: node.fhirBase });
  if (!existing.total) await node.repository.processBundle(sampleBundle(), node.fhirBase);
  const patients = await node.repository.search({ resourceType: 'Patient', params: [['_summary', 'count']], baseUrl: node.fhirBase });
  console.log(`FHIR base: ${node.fhirBase}`);
  console.log(`Ketenlog demo: Kraamzorg De Ooievaar with ${patients.total ?? 0} clients.`);
  console.log(`Open ${node.fhirBase}/Patient?name=jansen or ${node.fhirBase}/metadata — stop with Ctrl+C.`);
}

async function runNode(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, database: { type: 'string' } } });
  if (!values.config) throw new UsageError('ketenlog node: --config <file> is required');
  const config = loadConfig(values.config);
  if (values.database) config.database = values.database;
  const node = await startNode(config);
  onSignals(node);
  console.log(`FHIR base: ${node.fhirBase}`);
}

async function runImport(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, database: { type: 'string' } },
  });
  if (positionals.length === 0) throw new UsageError('ketenlog import: name at least one file or folder');
  const database = values.database ?? (values.config ? loadConfig(values.config).database : resolve('data/demo/fhir.sqlite'));
  const { openDatabase } = await import('@ketenlog/storage');
  const fhir = await import('@ketenlog/fhir');
  const model = loadFhirModel();
  const db = await openDatabase(database);
  try {
    const repository = await fhir.SqlFhirRepository.open(db, new fhir.FhirSearchIndex(model.registry));
    const started = performance.now();
    const summary = await fhir.importPaths(positionals, {
      repository,
      definitions: model.definitions,
      onProgress: fhir.progressReporter(process.stderr),
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Imported: ${summary.loaded} loaded, ${summary.unchanged} unchanged, ${summary.rejected.length} rejected (${seconds.toFixed(1)} s)`,
    );
    for (const r of summary.rejected) console.log(`  rejected ${r.file}: ${r.reason}`);
    if (summary.rejected.length) process.exitCode = 1;
  } finally {
    await db.close();
  }
}

class UsageError extends Error {}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = { start, node: runNode, import: runImport };

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`ketenlog: unknown command "${command}"\n\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(HELP[command]);
    return;
  }
  await run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error((error as Error).message);
    process.exit(2);
  }
  console.error(`ketenlog: ${(error as Error).message}`);
  process.exit(1);
});
