// Consent that changes what a professional sees, in Debian's Chromium against a demo region cut to
// a maternity-care organisation, a hospital and the RSO: Maria's records are at both. Carla
// (medisch specialist at the hospital) opens Maria's regional overview: the maternity-care records
// are withheld, and the page says so. Maria grants hospitals access in her portal, signing with her
// passkey; Carla's overview now shows them, naming the source; Maria sees Carla's read in "wie
// heeft mijn gegevens bekeken"; she withdraws with one click and the records are withheld again.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../test/chromium.ts';
import { MARIA_BSN } from '../../../packages/node/src/demo/population.ts';
import {
  clientRecords,
  indexed,
  seed,
  startExchangeRegion,
} from '../../../packages/node/src/exchange/testing.ts';
import type { RunningRegion } from '../../../packages/node/src/region/run-region.ts';
import type { RunningNode } from '../../../packages/node/src/server.ts';
import { checkAccessible, DESKTOP, SCREENSHOTS, settle } from './accessible.ts';
import { buildPortal } from './build.ts';
import { enrolAndLogIn, professionalLogin } from './people.ts';
import { serveBuild } from './serve-build.ts';

const [KRAAMZORG, ZIEKENHUIS] = ['11110001', '11110003'];
let region: RunningRegion;
let browser: Browser;
const contexts: BrowserContext[] = [];
let root: string;

const originOf = (node: RunningNode): string =>
  new URL(node.fhirBase).origin.replace('127.0.0.1', 'localhost');

beforeAll(async () => {
  const [built, started] = await Promise.all([buildPortal(), startExchangeRegion([KRAAMZORG, ZIEKENHUIS])]);
  root = built;
  region = started;
  const [kraamzorg, ziekenhuis] = [region.node(KRAAMZORG), region.node(ZIEKENHUIS)];
  await seed(kraamzorg, clientRecords('maria-kz', MARIA_BSN, 'vital-signs', 3));
  await seed(ziekenhuis, clientRecords('maria-zh', MARIA_BSN, 'medication', 2));
  const pseudonym = await kraamzorg.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
  await indexed(ziekenhuis, pseudonym, [KRAAMZORG, ZIEKENHUIS]);
  browser = await chromium.launch({
    executablePath: ensureChromium(),
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await region?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  await serveBuild(context, root);
  return context.newPage();
}

/** Reloads Carla's overview until the maternity-care records are (or are not) in it. */
async function kraamzorgRecords(page: Page, origin: string): Promise<number> {
  await page.goto(`${origin}/portal/overview?patient=maria-zh`);
  await settle(page);
  return page.locator('.timeline li', { hasText: 'Bron: Kraamzorg De Wieg' }).count();
}

describe('consent in the portal changes what a professional sees', () => {
  it(
    'withheld, then shared after her passkey-signed grant, her access trail shows the read, withheld again after withdrawal; emergency access with a reason she sees',
    { timeout: 150_000 },
    async () => {
      const kraamzorg = originOf(region.node(KRAAMZORG));
      const ziekenhuis = originOf(region.node(ZIEKENHUIS));

      const carla = await newPage();
      await professionalLogin(carla, ziekenhuis, 'pro:carla-bakker');
      expect(await kraamzorgRecords(carla, ziekenhuis)).toBe(0);
      await carla.locator('#missing ~ ul li', { hasText: 'Kraamzorg De Wieg' }).first().waitFor();
      expect(await carla.locator('.timeline li', { hasText: 'Bron: Ziekenhuis Maasland' }).count()).toBe(2);
      await checkAccessible(carla, 'overview-withheld');
      // Her client list says what the other organisations would share: nothing yet.
      await carla.goto(`${ziekenhuis}/portal/clients`);
      await settle(carla);
      await carla
        .locator('.consent-status', {
          hasText: '0 soorten gegevens gedeeld door andere organisaties · 1 soort gegevens niet gedeeld',
        })
        .waitFor();
      await checkAccessible(carla, 'clients-consent-status');

      const maria = await newPage();
      await enrolAndLogIn(maria, kraamzorg);
      await maria.goto(`${kraamzorg}/portal/consent`);
      await settle(maria);
      await maria.getByLabel('Wie', { exact: true }).selectOption({ label: 'alle ziekenhuizen' });
      await maria.getByLabel('Welke gegevens').selectOption({ label: 'alle gegevens' });
      await maria.getByLabel('Waarvoor').selectOption({ label: 'behandeling' });
      await maria.getByRole('button', { name: 'Ondertekenen met passkey', exact: true }).click();
      await maria.getByText('Uw keuze is ondertekend en vastgelegd.').waitFor();

      await expect.poll(() => kraamzorgRecords(carla, ziekenhuis), { timeout: 30_000 }).toBe(3);
      await checkAccessible(carla, 'overview');
      await carla.goto(`${ziekenhuis}/portal/clients`);
      await carla.locator('.consent-status', { hasText: '1 soort gegevens gedeeld' }).waitFor();

      await expect
        .poll(
          async () => {
            await maria.goto(`${kraamzorg}/portal/access`);
            await settle(maria);
            return maria.locator('.timeline li', { hasText: 'Carla Bakker' }).count();
          },
          { timeout: 30_000 },
        )
        .toBeGreaterThan(0);
      await checkAccessible(maria, 'access-trail');

      await maria.goto(`${kraamzorg}/portal/consent`);
      await settle(maria);
      await maria
        .getByRole('button', { name: /Intrekken/ })
        .first()
        .click();
      await maria.getByText('Ingetrokken. Dit geldt vanaf nu.').waitFor();
      await expect.poll(() => kraamzorgRecords(carla, ziekenhuis), { timeout: 30_000 }).toBe(0);

      // In an emergency Carla may still look, once, with a reason that Maria then sees.
      const reason = 'Bewusteloos binnengebracht op de SEH';
      await carla.getByLabel('Reden voor noodtoegang').fill(reason);
      await carla.getByRole('button', { name: 'Noodtoegang gebruiken' }).click();
      await carla.getByText('Noodtoegang gebruikt').waitFor();
      await settle(carla);
      expect(await carla.locator('.timeline li', { hasText: 'Bron: Kraamzorg De Wieg' }).count()).toBe(3);
      await checkAccessible(carla, 'overview-emergency');
      // The next ordinary request is withheld again.
      expect(await kraamzorgRecords(carla, ziekenhuis)).toBe(0);
      await expect
        .poll(
          async () => {
            await maria.goto(`${kraamzorg}/portal/access`);
            await settle(maria);
            return maria.locator('.timeline li', { hasText: reason }).count();
          },
          { timeout: 30_000 },
        )
        .toBeGreaterThan(0);
      await maria.locator('.timeline li', { hasText: 'noodtoegang' }).first().waitFor();
    },
  );
});
