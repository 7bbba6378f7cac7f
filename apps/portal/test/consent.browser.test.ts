// The client's control in the portal, in Debian's Chromium against the whole demo region (ten
// members, with the RSO, so the exchange's consent register and access trail are served): Maria
// records a choice in plain language and signs it with her passkey, sees it in her register,
// withdraws it with one click (signed again), and opens "wie heeft mijn gegevens bekeken". axe (no
// serious/critical) and no overflow at desktop and 360 px; screenshots in docs/screenshots/.
import { mkdirSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessible, SCREENSHOTS, settle } from './accessible.ts';
import { startBrowserRegion, type BrowserRegion } from './browser-region.ts';
import { enrolAndLogIn } from './people.ts';

let world: BrowserRegion;
let context: BrowserContext;
let origin: string;

beforeAll(async () => {
  world = await startBrowserRegion();
  origin = world.origin('11110001');
  context = await world.newContext();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => world?.close());

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

      await page.getByLabel('Wie', { exact: true }).selectOption({ label: 'alle huisartsen' });
      await page.getByLabel('Welke gegevens').selectOption({ label: 'medicatie' });
      await page.getByLabel('Waarvoor').selectOption({ label: 'behandeling' });
      await page.getByRole('button', { name: 'Ondertekenen met passkey', exact: true }).click();
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
