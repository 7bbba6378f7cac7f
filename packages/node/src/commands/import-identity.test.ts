// The README's import example, as written, into the demo's first node: the Nictiz nl-core examples
// land beside the demo clients without touching them, and a Patient claiming a demo client's BSN
// under another name is rejected with the conflict named.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BSN_SYSTEM, FhirSearchIndex, PatientIdentityRepository, SqlFhirRepository } from '@ketenlog/fhir';
import { loadRegionConfig } from '@ketenlog/region';
import { openDatabase } from '@ketenlog/storage';
import { demoPopulation, MARIA_BSN } from '../demo/population.ts';
import { DEMO_CLIENTS } from '../demo/seed-region.ts';
import { seedBundle } from '../demo/seed.ts';
import { DEMO_REGION_FILE } from '../region/testing.ts';
import { loadFhirModel } from '../server.ts';
import { importCommand } from './import.ts';

/** Where the README points: ../shared/fixtures from the repository root. */
const FIXTURES = resolve(import.meta.dirname, '../../../../../shared/fixtures/nl-core-r4/examples');
const model = loadFhirModel();
const dir = mkdtempSync(join(tmpdir(), 'ketenlog-import-'));
const database = join(dir, 'ketenlog.sqlite');
const log = vi.spyOn(console, 'log').mockImplementation(() => {});
afterAll(() => log.mockRestore());

async function withRepository<T>(work: (repository: PatientIdentityRepository) => Promise<T>): Promise<T> {
  const db = await openDatabase(database);
  try {
    return await work(
      new PatientIdentityRepository(await SqlFhirRepository.open(db, new FhirSearchIndex(model.registry))),
    );
  } finally {
    await db.close();
  }
}

const withBsn = async (bsn: string) =>
  withRepository(async (repository) =>
    (
      (
        await repository.search({
          resourceType: 'Patient',
          params: [['identifier', `${BSN_SYSTEM}|${bsn}`]],
          baseUrl: 'x',
        })
      ).entry ?? []
    ).map((e) => e.resource as Patient),
  );

describe.skipIf(!existsSync(FIXTURES))('ketenlog import of the nl-core examples into a demo node', () => {
  it("keeps the demo clients and the examples' persons apart", async () => {
    const region = loadRegionConfig(DEMO_REGION_FILE);
    const kraamzorg = region.organisations.find((o) => o.ura === '11110001')!;
    await withRepository((repository) =>
      repository.processBundle(seedBundle(region, kraamzorg, demoPopulation(DEMO_CLIENTS))!, 'http://x/fhir'),
    );
    const maria = await withBsn(MARIA_BSN);
    expect(maria).toHaveLength(1);

    expect(await importCommand.run(['--database', database, FIXTURES])).toBe(0);
    expect(log.mock.calls.flat().join('\n')).toMatch(/271 loaded, 0 unchanged, 0 rejected/);
    expect(await withBsn(MARIA_BSN)).toEqual(maria); // untouched
    const examplePatient = await withBsn('999911120');
    expect(examplePatient.map((p) => p.id)).toEqual(['nl-core-TreatmentDirective2-02-Patient-01']);
    // Again: nothing changes.
    expect(await importCommand.run(['--database', database, FIXTURES])).toBe(0);
    expect(log.mock.calls.flat().join('\n')).toMatch(/0 loaded, 271 unchanged, 0 rejected/);
  });

  it("rejects a Patient that claims a demo client's BSN under another name, naming the conflict", async () => {
    const file = join(dir, 'impostor.json');
    writeFileSync(
      file,
      JSON.stringify({
        resourceType: 'Patient',
        id: 'impostor',
        identifier: [{ system: BSN_SYSTEM, value: MARIA_BSN }],
        name: [{ family: 'Klaassen', given: ['Johanna'] }],
        birthDate: '1934-04-28',
      }),
    );
    log.mockClear();
    expect(await importCommand.run(['--database', database, file])).toBe(1);
    expect(log.mock.calls.flat().join('\n')).toMatch(
      /rejected .*impostor\.json: .*already belongs to Patient\/[^,]+, whose name and birth date differ/,
    );
    expect(await withBsn(MARIA_BSN)).toHaveLength(1);
  });
});
