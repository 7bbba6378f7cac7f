import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FhirSearchIndex,
  importPaths,
  PatientIdentityRepository,
  progressReporter,
  SqlFhirRepository,
} from '@ketenlog/fhir';
import { openDatabase } from '@ketenlog/storage';
import { loadConfig } from '../config.ts';
import { loadFhirModel } from '../server.ts';
import { UsageError, type Command } from './command.ts';

export const importCommand: Command = {
  name: 'import',
  summary: "import FHIR JSON/XML resources and bundles into a node's store",
  help: `Usage: ketenlog import (--config <file> | --database <spec>) <file or folder>...

Imports FHIR R4 resources and bundles (.json and .xml) idempotently: re-importing changes nothing.
Prints progress and a summary (loaded, unchanged, rejected with reasons); exit code 1 if any
file was rejected.
  --config <file>     the node whose store to import into
  --database <spec>   or a database directly (default: the demo region's first node,
                      ./data/demo/kraamzorg-dewieg/ketenlog.sqlite)`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: 'string' }, database: { type: 'string' } },
    });
    if (positionals.length === 0) throw new UsageError('ketenlog import: name at least one file or folder');
    const database =
      values.database ??
      (values.config
        ? loadConfig(values.config).database
        : resolve('data/demo/kraamzorg-dewieg/ketenlog.sqlite'));
    const model = loadFhirModel();
    const db = await openDatabase(database);
    try {
      // The node's rule for Patients applies to imports too (see PatientIdentityRepository).
      const repository = new PatientIdentityRepository(
        await SqlFhirRepository.open(db, new FhirSearchIndex(model.registry)),
      );
      const started = performance.now();
      const summary = await importPaths(positionals, {
        repository,
        definitions: model.definitions,
        onProgress: progressReporter(process.stderr),
      });
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `Imported: ${summary.loaded} loaded, ${summary.unchanged} unchanged, ${summary.rejected.length} rejected (${seconds.toFixed(1)} s)`,
      );
      for (const r of summary.rejected) console.log(`  rejected ${r.file}: ${r.reason}`);
      return summary.rejected.length ? 1 : 0;
    } finally {
      await db.close();
    }
  },
};
