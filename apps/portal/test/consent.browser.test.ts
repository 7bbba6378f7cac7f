// The client's control in the portal, in Debian's Chromium against the whole demo region (ten
// members, with the RSO, so the exchange's consent register and access trail are served): Maria
// records a choice in plain language and signs it with her passkey, sees it in her register,
// withdraws it with one click (signed again), and opens "wie heeft mijn gegevens bekeken". axe (no
// serious/critical) and no overflow at desktop and 360 px; screenshots in docs/screenshots/.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../test/chromium.ts';
import { startRegion, type RunningRegion } from '../../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts } from '../../../packages/node/src/region/testing.ts';
import { checkAccessible, DESKTOP, SCREENSHOTS, settle } from './accessible.ts';
import { buildPortal } from './build.ts';
import { enrolAndLogIn } from './people.ts';
import { serveBuild } from './serve-build.ts';

let region: RunningRegion;
let browser: Browser;
let context: BrowserContext;
let origin: string;

beforeAll(async () => {
  const [root, files] = await Promise.all([buildPortal(), demoRegionOnFreePorts()]);
  region = await startRegion({
    ...files,
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  origin = new URL(region.node('11110001').fhirBase).origin.replace('127.0.0.1', 'localhost');
  browser = await chromium.launch({
    executablePath: ensureChromium(),
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
  context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(15_000);
  await serveBuild(context, root);
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await region?.close();
});

describe('consent and access trail in the portal', () => {
  it(
    'Maria grants a consent with her passkey, sees it in her register and withdraws it with one click',
    { timeout: 120_000 },
    async () => {
      const page = await context.newPage();
      await enrolAndLogIn(page, origin);
      await page.goto(`${origin}/portal/consent`);
      await settle(page);
      await page.getByText('U heeft nog geen keuzes vastgelegd').waitFor();
      await checkAccessible(page, 'consent-empty');

      await page.getByLabel('Wie (soort organisatie)').selectOption({ label: 'huisartsen' });
      await page.getByLabel('Welke gegevens').selectOption({ label: 'medicatie' });
      await page.getByLabel('Waarvoor').selectOption({ label: 'behandeling' });
      await page.getByRole('button', { name: 'Ondertekenen met passkey' }).click();
      await page.getByText('Uw keuze is ondertekend en vastgelegd.').waitFor();
      const register = page.locator('section[aria-labelledby="register"] li');
      await expect.poll(() => register.count()).toBe(1);
      const line = (await register.first().textContent()) ?? '';
      expect(line).toContain('Toestemming');
      expect(line).toContain('medicatie');
      expect(line).toContain('behandeling');
      await checkAccessible(page, 'consent');

      await register
        .first()
        .getByRole('button', { name: /Intrekken/ })
        .click();
      await page.getByText('Ingetrokken. Dit geldt vanaf nu.').waitFor();
      await expect.poll(() => register.count()).toBe(0);
      await page.close();
    },
  );

  it('shows her access trail, accessible at desktop and 360 px', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/portal/access`);
    await settle(page);
    await page.getByRole('heading', { name: 'Wie heeft mijn gegevens bekeken' }).waitFor();
    expect(await page.locator('.notice, .timeline').count()).toBeGreaterThan(0);
    await checkAccessible(page, 'access');
    await page.close();
  });
});
