/**
 * bench/fhir/lists: how long the lists that must never be cut short take at a realistic size —
 * system and type history (first page and total), system search, compartment search and
 * $everything — on the FHIR routes over SQLite (and PostgreSQL when KETENLOG_TEST_PG is set),
 * with the conformance suite's synthetic record.
 *
 *   node bench/fhir/lists.ts [--patients 1000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres, openSqlite, type Db } from '@ketenlog/storage';
import type { Bundle } from '@medplum/fhirtypes';
import { call, conformanceServer } from '../../packages/fhir/src/conformance/harness.ts';
import {
  patientBundle,
  sharedBundle,
  PER_PATIENT,
  SHARED,
} from '../../packages/fhir/src/conformance/synthetic.ts';

const { values: opts } = parseArgs({ options: { patients: { type: 'string', default: '1000' } } });
const PATIENTS = Number(opts.patients);

async function measure(name: string, db: Db): Promise<void> {
  const app = await conformanceServer(db);
  const started = performance.now();
  await call(app, 'POST', '', sharedBundle());
  const ids: string[] = [];
  for (let i = 0; i < PATIENTS; i++) {
    const answer = await call(app, 'POST', '', patientBundle(i));
    ids.push((answer.json<Bundle>().entry?.[0]?.response?.location ?? '').split('/')[1] as string);
  }
  const resources = SHARED + PATIENTS * PER_PATIENT;
  console.log(
    `${name}: loaded ${resources} resources in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const id = ids[Math.floor(PATIENTS / 2)];
  const cases: Array<[string, string]> = [
    ['system history, first page of 100', '/_history'],
    ['system history, page at offset 90%', `/_history?_count=100&_offset=${Math.floor(resources * 0.9)}`],
    ['type history Observation, first page', '/Observation/_history'],
    ['system search _summary=count', '/?_summary=count'],
    ['system search _lastUpdated, first page', '/?_lastUpdated=gt2000-01-01'],
    ['system search _type=Patient,Medication', '/?_type=Patient,Medication'],
    ['compartment Patient/{id}/Observation', `/Patient/${id}/Observation`],
    ['Patient/{id}/$everything', `/Patient/${id}/$everything`],
  ];
  for (const [label, path] of cases) {
    const times: number[] = [];
    let status = 0;
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      status = (await call(app, 'GET', path)).status;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(44)} ${status}  median ${times[2]!.toFixed(1)} ms`);
  }
  await app.close();
  await db.close().catch(() => undefined);
}

await measure(
  'sqlite',
  await openSqlite(join(mkdtempSync(join(tmpdir(), 'ketenlog-lists-')), 'fhir.sqlite')),
);
const pg = process.env.KETENLOG_TEST_PG;
if (pg) {
  // A schema of its own, dropped afterwards: the database may be shared (the test database).
  const schema = `bench_lists_${randomUUID().replace(/-/g, '')}`;
  const admin = await openPostgres(pg);
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres(pg, { searchPath: schema });
  try {
    await measure('postgres', db);
  } finally {
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  }
}
