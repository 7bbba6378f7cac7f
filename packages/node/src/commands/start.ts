import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { NodeConfig } from '../config.ts';
import { sampleBundle } from '../sample-data.ts';
import { startNode } from '../server.ts';
import type { Command } from './command.ts';
import { stopOnSignals } from './signals.ts';

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

export const startCommand: Command = {
  name: 'start',
  summary: 'start a sample organisation node on embedded SQLite with sample data',
  help: `Usage: ketenlog start [--reset] [--port <n>]

Starts a sample maternity-care organisation on embedded SQLite (./data/demo/), loads sample clients
(test BSNs, pregnancies, blood pressure, weight) when its store is empty, and prints its FHIR base.
  --reset      delete ./data/demo/ first
  --port <n>   listen port (default 8080, or $PORT)`,
  async run(args) {
    const { values } = parseArgs({ args, options: { reset: { type: 'boolean' }, port: { type: 'string' } } });
    if (values.reset) rmSync('data/demo', { recursive: true, force: true });
    const port = Number(values.port ?? process.env.PORT ?? 8080);
    const node = await startNode(demoConfig(port));
    stopOnSignals(node);
    const count = async () =>
      (
        await node.repository.search({
          resourceType: 'Patient',
          params: [['_summary', 'count']],
          baseUrl: node.fhirBase,
        })
      ).total ?? 0;
    if ((await count()) === 0) await node.repository.processBundle(sampleBundle(), node.fhirBase);
    console.log(`FHIR base: ${node.fhirBase}`);
    console.log(`Ketenlog demo: Kraamzorg De Ooievaar with ${await count()} clients.`);
    console.log(`Open ${node.fhirBase}/Patient?name=jansen or ${node.fhirBase}/metadata — stop with Ctrl+C.`);
  },
};
