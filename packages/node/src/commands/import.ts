import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FhirSearchIndex,
  importPaths,
  PatientIdentityRepository,
  PatientReviewQueue,
  progressReporter,
  RemoteFhirRepository,
  SqlFhirRepository,
  type FhirRepository,
} from '@ketenlog/fhir';
import { backendServicesToken } from '@ketenlog/auth';
import { openDatabase, type Db } from '@ketenlog/storage';
import { DEMO_SYSTEM_CLIENT_ID, DEMO_SYSTEM_SCOPE } from '../region/demo-system.ts';
import { loadConfig } from '../config.ts';
import { loadFhirModel } from '../server.ts';
import { UsageError, type Command } from './command.ts';

export const importCommand: Command = {
  name: 'import',
  summary: "import FHIR JSON/XML resources and bundles into a node's store",
  help: `Usage: ketenlog import (--url <node> [--client-id <id> --key <jwk file>] | --config <file> | --database <spec>) <file or folder>...

Imports FHIR R4 resources and bundles (.json and .xml) idempotently: re-importing changes nothing.
Prints progress and a summary (loaded, unchanged, rejected with reasons); exit code 1 if any
file was rejected.
  --url <base URL>    a running node, through its FHIR API as the organisation's own system
                      (SMART Backend Services: a token for the system's key, scope system/*.cruds)
  --client-id <id>    the system's client id at that node (default: the demo system)
  --key <file>        the system's private key as a JWK (default: ./data/demo/demo-system-key.json)
  --config <file>     a stopped node's store, by its configuration
  --database <spec>   or a database directly (default: the demo region's first node,
                      ./data/demo/kraamzorg-dewieg/ketenlog.sqlite, while the demo is stopped)`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        database: { type: 'string' },
        url: { type: 'string' },
        'client-id': { type: 'string' },
        key: { type: 'string' },
      },
    });
    if (positionals.length === 0) throw new UsageError('ketenlog import: name at least one file or folder');
    const model = loadFhirModel();
    let db: Db | undefined;
    let repository: FhirRepository;
    if (values.url) {
      const url = values.url.replace(/\/$/, '').replace(/\/fhir$/, '');
      if (!/^https?:\/\/[^/]+$/.test(url)) throw new UsageError('ketenlog import: --url is a node base URL');
      const keyFile = resolve(values.key ?? 'data/demo/demo-system-key.json');
      let privateKey;
      try {
        privateKey = JSON.parse(readFileSync(keyFile, 'utf8'));
      } catch {
        throw new UsageError(`ketenlog import: cannot read the system key ${keyFile}`);
      }
      const { accessToken } = await backendServicesToken({
        tokenUrl: `${url}/oidc/token`,
        clientId: values['client-id'] ?? DEMO_SYSTEM_CLIENT_ID,
        privateKey,
        scope: DEMO_SYSTEM_SCOPE,
      });
      repository = new RemoteFhirRepository({
        baseUrl: `${url}/fhir`,
        headers: { authorization: `Bearer ${accessToken}` },
      });
    } else {
      const config = values.config ? loadConfig(values.config) : undefined;
      const database =
        values.database ?? config?.database ?? resolve('data/demo/kraamzorg-dewieg/ketenlog.sqlite');
      db = await openDatabase(database);
      // The node's rule for Patients applies to imports too (see PatientIdentityRepository); a
      // Patient held for review is listed with the rejected, its reason saying so.
      repository = new PatientIdentityRepository(
        await SqlFhirRepository.open(db, new FhirSearchIndex(model.registry)),
        config?.patientIdentity?.onConflict === 'review'
          ? { reviews: await PatientReviewQueue.open(db) }
          : {},
      );
    }
    try {
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
      await db?.close();
    }
  },
};
