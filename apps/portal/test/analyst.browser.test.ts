// The analyst's page in Debian's Chromium against the whole demo region: the hospital, the insurer
// and the statistics office hold records of 120 demo clients, sign a research agreement (and the
// hospital alone a second one), and run the IBD-coach study over HTTP. Eva, the statistics
// office's analyst, logs in and reads the agreements (parties, signatures, spec hash, validity)
// and the run (status, released and suppressed cells, records left out, its place on the log).
// Without a professional session the page asks to log in. axe and 360 px as everywhere.
import { mkdirSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueNodeToken } from '@ketenlog/auth';
import { signStatement, type Statement } from '@ketenlog/logbook';
import { agreementStatus, runsOf } from '@ketenlog/region';
import { cohortDomain, digestOf, ibdCoachSpec } from '@ketenlog/analytics';
import type { RunningRegion } from '../../../packages/node/src/region/run-region.ts';
import { seedBundle } from '../../../packages/node/src/demo/seed.ts';
import { demoPopulation } from '../../../packages/node/src/demo/population.ts';
import { checkAccessible, SCREENSHOTS, settle } from './accessible.ts';
import { startBrowserRegion, type BrowserRegion } from './browser-region.ts';
import { professionalLogin } from './people.ts';

const [HOSPITAL, INSURER, STATISTICS] = ['11110003', '11110004', '11110005'];
const CLIENTS = 120;
const parties = { hospital: `ura:${HOSPITAL}`, insurer: `ura:${INSURER}`, statistics: `ura:${STATISTICS}` };

let world: BrowserRegion;
let region: RunningRegion;
let context: BrowserContext;
let origin: string;

const node = (ura: string) => region.node(ura);
const baseUrl = (ura: string) => node(ura).membership!.organisation.node.baseUrl;

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function agree(ura: string, agreement: string): Promise<void> {
  const { statementKey } = node(ura).membership!;
  const statement: Statement = {
    kind: 'agreement',
    v: 1,
    author: statementKey.keyId,
    iat: Math.floor(Date.now() / 1000),
    body: {
      agreement,
      parties: Object.values(parties),
      purpose: 'research',
      specHash: digestOf(ibdCoachSpec(parties)),
      validUntil: '2099-12-31',
    },
  };
  const result = await node(ura).logbook!.append(signStatement(statement, statementKey.secretKey));
  if (!result.ok) throw new Error(`agreement refused: ${result.problem.text}`);
}

beforeAll(async () => {
  world = await startBrowserRegion();
  region = world.region;
  const population = demoPopulation(CLIENTS);
  await Promise.all(
    [HOSPITAL, INSURER, STATISTICS].map(async (ura) => {
      const { region: config, organisation } = node(ura).membership!;
      await node(ura).repository.processBundle(
        seedBundle(config, organisation, population)!,
        node(ura).fhirBase,
      );
      await node(ura).exchange!.publisher!.flush();
    }),
  );
  for (const ura of [HOSPITAL, INSURER, STATISTICS])
    await until(
      () => cohortDomain(node(ura).logbook!.state, parties.insurer).length === CLIENTS,
      'the cohort',
    );
  for (const ura of [HOSPITAL, INSURER, STATISTICS]) await agree(ura, 'ibd-coach-2026');
  await agree(HOSPITAL, 'ibd-half-signed');
  for (const ura of [HOSPITAL, INSURER, STATISTICS])
    await until(
      () => agreementStatus(node(ura).logbook!.state, 'ibd-coach-2026')?.complete === true,
      'agreement',
    );
  await until(
    () => agreementStatus(node(STATISTICS).logbook!.state, 'ibd-half-signed') !== undefined,
    'half',
  );
  // The hospital's node coordinates the run, asked by its own node token.
  const { statementKey } = node(HOSPITAL).membership!;
  const token = await issueNodeToken(
    { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
    { organisation: HOSPITAL, audience: baseUrl(HOSPITAL), role: 'node', purpose: 'research' },
  );
  const run = await fetch(`${baseUrl(HOSPITAL)}/analytics/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ agreement: 'ibd-coach-2026' }),
  });
  if (run.status !== 200) throw new Error(`run: ${run.status} ${await run.text()}`);
  // Released once its analysis.run statement, signed by every party, is on the statistics office's view.
  await until(
    () => runsOf(node(STATISTICS).logbook!.state.analysis, 'ibd-coach-2026').length === 1,
    'the run',
  );

  origin = world.origin(STATISTICS);
  context = await world.newContext();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 240_000);

afterAll(async () => world?.close());

describe("the analyst's page", () => {
  it('asks to log in without a professional session', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/portal/analyst`);
    await settle(page);
    await page.getByText('Log eerst in om deze pagina te zien.').waitFor();
    await page.close();
  });

  it('lists the agreements and the released run with its cells', { timeout: 120_000 }, async () => {
    const page = await context.newPage();
    await professionalLogin(page, origin, 'pro:eva-mulder');
    await page.goto(`${origin}/portal/analyst`);
    await settle(page);
    const agreements = page.locator('.agreements > li');
    await expect.poll(() => agreements.count()).toBe(2);
    const full = (await agreements.filter({ hasText: 'ibd-coach-2026' }).textContent())!;
    expect(full).toContain('geldig');
    // The terms name every party with what it brings in, and that it signed.
    for (const party of [
      'Ziekenhuis Maasland',
      'Zorgverzekeraar Zuid',
      'Regionaal Bureau voor de Statistiek',
    ])
      expect(full).toContain(`${party}: ondertekend`);
    expect(full).toContain('Zorgverzekeraar Zuid: zorgkosten en aantal huisartsbezoeken per jaar');
    expect(full).toContain(digestOf(ibdCoachSpec(parties)));
    expect(await agreements.filter({ hasText: 'ibd-half-signed' }).textContent()).toContain(
      'nog niet door alle partijen ondertekend',
    );
    const run = page.locator('.runs > li');
    await expect.poll(() => run.count()).toBe(1);
    const text = (await run.textContent())!;
    expect(text).toContain('vrijgegeven');
    expect(text).toContain(`Cohortgrootte${CLIENTS.toLocaleString('nl-NL')}`);
    expect(text).toMatch(/\d+ vrijgegeven cel(len)? · [1-9]\d* onderdrukte cel(len)? \(te klein\)/);
    expect(await run.locator('tbody tr').filter({ hasText: 'onderdrukt' }).count()).toBeGreaterThan(0);
    expect(text).toContain('Gemiddeld aantal huisartsbezoeken');
    // a thin income cell is suppressed, so the page says why there is no effect estimate
    expect(await run.getByTestId('effect').textContent()).toContain('Geen effectschatting');
    expect(text).toContain('Ziekenhuis Maasland: 0');
    await checkAccessible(page, 'analyst-runs');
    await page.close();
  });
});
