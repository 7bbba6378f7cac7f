// The portal in Debian's Chromium against a real in-process region (five members, quorum three):
// every page loads in Dutch with no serious or critical axe violations at desktop and 360 px, the
// English toggle works, no BSN ever appears in a URL, and screenshots of the main screens are kept
// in docs/screenshots/ (KETENLOG_SCREENSHOTS=1; see accessible.ts). A front server serves a fresh build from the plugin and forwards /fhir and
// /auth to the kraamzorg node (the Mijn Zorg Log, consent and overview tests browse the nodes
// themselves, as passkeys need the node's own origin: serve-build.ts).
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../test/chromium.ts';
import { startRegion, type RunningRegion } from '../../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts } from '../../../packages/node/src/region/testing.ts';
import { portalPlugin } from '../server/plugin.ts';
import { SCREENSHOTS } from './accessible.ts';
import { buildPortal } from './build.ts';

const PAGES = [
  '',
  'login',
  'measurements',
  'diary',
  'consent',
  'access',
  'representative',
  'hours',
  'dashboard',
  'clients',
  'analyst',
] as const;
const BSN = /\b\d{9}\b/;

let region: RunningRegion;
let front: FastifyInstance;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  const [root, files] = await Promise.all([buildPortal(), demoRegionOnFreePorts({ members: 5, quorum: 3 })]);
  region = await startRegion({ ...files, logLevel: 'fatal' });
  const node = new URL(region.node('11110001').fhirBase).origin;
  await seed(region.node('11110001').app);
  front = Fastify();
  const forward = async (
    request: import('fastify').FastifyRequest,
    reply: import('fastify').FastifyReply,
  ) => {
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'content-type', 'cookie', 'origin'])
      if (typeof request.headers[name] === 'string') headers[name] = request.headers[name] as string;
    const answer = await fetch(node + request.url, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    });
    reply.code(answer.status);
    for (const name of ['content-type', 'location', 'set-cookie']) {
      const value = answer.headers.get(name);
      if (value) reply.header(name, value);
    }
    return reply.send(Buffer.from(await answer.arrayBuffer()));
  };
  front.all('/fhir/*', forward);
  front.all('/auth/*', forward);
  await front.register(portalPlugin, { root });
  const address = await front.listen({ host: '127.0.0.1', port: 0 });
  origin = address.replace('127.0.0.1', 'localhost');
  browser = await chromium.launch({
    executablePath: ensureChromium(),
    args: [...CHROMIUM_ARGS],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await front?.close();
  await region?.close();
});

/** A few resources at the node, so the screenshots show the timeline and the chart with content. */
async function seed(app: FastifyInstance): Promise<void> {
  const post = (resource: object) =>
    app.inject({
      method: 'POST',
      url: `/fhir/${(resource as { resourceType: string }).resourceType}`,
      headers: { 'content-type': 'application/fhir+json' },
      payload: resource,
    });
  const loinc = (code: string, display: string) => ({
    coding: [{ system: 'http://loinc.org', code, display }],
    text: display,
  });
  await post({
    resourceType: 'Condition',
    subject: { reference: 'Patient/maria' },
    code: { text: 'Zwangerschap' },
    recordedDate: '2026-05-02',
    meta: { source: 'Kraamzorg De Wieg' },
  });
  await post({
    resourceType: 'AllergyIntolerance',
    patient: { reference: 'Patient/maria' },
    code: { text: 'Penicilline' },
    recordedDate: '2025-02-10',
  });
  for (const [day, sys] of [
    [1, 128],
    [3, 135],
    [5, 142],
    [8, 131],
  ] as const)
    await post({
      resourceType: 'Observation',
      status: 'final',
      subject: { reference: 'Patient/maria' },
      effectiveDateTime: `2026-06-0${day}T08:00:00Z`,
      code: loinc('85354-9', 'Bloeddruk'),
      performer: [{ reference: 'Patient/maria' }],
      component: [{ code: loinc('8480-6', 'Bovendruk'), valueQuantity: { value: sys, unit: 'mmHg' } }],
    });
  await post({
    resourceType: 'Observation',
    status: 'final',
    subject: { reference: 'Patient/maria' },
    effectiveDateTime: '2026-05-20T09:00:00Z',
    code: loinc('718-7', 'Hemoglobine'),
    valueQuantity: { value: 7.4, unit: 'mmol/L' },
    referenceRange: [{ low: { value: 7.5 }, high: { value: 10 } }],
  });
}

async function settled(page: Page, path: string): Promise<void> {
  await page.goto(`${origin}/portal/${path}`);
  await page.locator('h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[role="status"]'), undefined, {
    timeout: 10_000,
  });
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('portal in Chromium', () => {
  for (const [label, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['360', { width: 360, height: 740 }],
  ] as const) {
    it(`every page is Dutch, accessible and fits at ${label}`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const urls: string[] = [];
      page.on('request', (r) => urls.push(r.url()));
      for (const path of PAGES) {
        await settled(page, path);
        expect(await page.getAttribute('html', 'lang')).toBe('nl');
        expect(await seriousViolations(page), path || 'timeline').toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} horizontal overflow`).toBeLessThanOrEqual(0);
        await page.screenshot({
          path: `${SCREENSHOTS}portal-${path || 'timeline'}-${label}.png`,
          fullPage: true,
        });
      }
      expect(urls.filter((u) => BSN.test(new URL(u).pathname + new URL(u).search))).toEqual([]);
      await context.close();
    }, 90_000);
  }

  it('switches to English and back, and asks a logged-out visitor to log in (no data calls)', async () => {
    const page = await browser.newPage();
    const data: string[] = [];
    page.on(
      'request',
      (r) => /\/(fhir|exchange|carelog|auth)\//.test(new URL(r.url()).pathname) && data.push(r.url()),
    );
    await settled(page, 'consent');
    await page.getByText('Log eerst in om deze pagina te zien.').waitFor();
    expect(data).toEqual([]);
    await page.getByRole('button', { name: 'Switch to English' }).click();
    // The document's language follows the toggle once the app has rendered it.
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('heading', { name: 'Who sees what' }).waitFor();
    await page.getByRole('button', { name: 'Schakel naar Nederlands' }).click();
    await page.getByRole('heading', { name: 'Wie ziet wat' }).waitFor();
    await page.close();
  }, 30_000);

  it('refuses a wrong professional login with a Dutch message', async () => {
    const page = await browser.newPage();
    await settled(page, 'login');
    await page.getByLabel('Gebruikersnaam').fill('niemand');
    await page.getByLabel('Wachtwoord').fill('fout');
    await page.getByLabel('Code uit uw authenticator-app').fill('000000');
    await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Inloggen is niet gelukt');
    await page.close();
  }, 30_000);
});
