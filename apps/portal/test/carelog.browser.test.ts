// Mijn Zorg Log in the portal, end to end in Debian's Chromium against a real 5-member region
// (quorum 3): the care administration records Maria's indication; carer Anna logs two visits on a
// 360 px phone, signed with the key on her device; Maria enrols a passkey (Demo-DigiD, Chromium's
// virtual authenticator), sees her hours left, approves one visit and rejects the other with her
// passkey, and the approved one shows "Geverifieerd" after its receipts verify in the browser; the
// insurer's assessor sees only the approved hour, verified, declares it and sets its payment status;
// Anna corrects the rejected visit and logs one while offline (queued, then sent); the care
// administration sees the hours per status. axe (no serious/critical) on every new page at desktop
// and 360 px; screenshots in docs/screenshots/.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../test/chromium.ts';
import { signedIndexStatement } from '../../../packages/node/src/logbook/testing.ts';
import { startRegion, type RunningRegion } from '../../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts } from '../../../packages/node/src/region/testing.ts';
import type { RunningNode } from '../../../packages/node/src/server.ts';
import { checkAccessible, DESKTOP, PHONE, SCREENSHOTS, settle } from './accessible.ts';
import { buildPortal } from './build.ts';
import { enrolAndLogIn, professionalLogin as login } from './people.ts';
import { serveBuild } from './serve-build.ts';

const MARIA = 'pMaria-0000000000000001';
const KRAAMZORG = '11110001';
const INSURER = '11110004';
const BSN = /\b\d{9}\b/;

let region: RunningRegion;
let browser: Browser;
let root: string;
const contexts: BrowserContext[] = [];
const requested: string[] = [];

const originOf = (node: RunningNode): string =>
  new URL(node.fhirBase).origin.replace('127.0.0.1', 'localhost');
const isoDay = (offset: number): string =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  const [built, files] = await Promise.all([buildPortal(), demoRegionOnFreePorts({ members: 5, quorum: 3 })]);
  root = built;
  region = await startRegion({
    ...files,
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  // Maria is insured at Zorgverzekeraar Zuid: its node's index statement for her pseudonym.
  const insurer = region.node(INSURER);
  const indexed = await insurer.logbook!.append(
    signedIndexStatement(insurer.membership!.statementKey, INSURER, MARIA, 'verzekering'),
  );
  expect(indexed.ok).toBe(true);
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

async function newPage(viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  await serveBuild(context, root);
  const page = await context.newPage();
  page.on('request', (r) => requested.push(r.url()));
  return page;
}

async function logVisit(
  page: Page,
  date: string,
  start: string,
  end: string,
  activities: string[],
): Promise<void> {
  await page.getByLabel('Datum').fill(date);
  await page.getByLabel('Begintijd').fill(start);
  await page.getByLabel('Eindtijd').fill(end);
  for (const activity of activities) await page.getByLabel(activity).check();
  await page.getByRole('button', { name: 'Uren vastleggen en ondertekenen' }).click();
  await page.getByText('Uren vastgelegd en ondertekend').waitFor();
}

describe('Mijn Zorg Log in the portal', () => {
  it(
    'carer logs on a phone, the mother approves and rejects with her passkey, the insurer sees and declares the approved hour, the carer corrects the rejected one and logs one offline',
    { timeout: 180_000 },
    async () => {
      const kraamzorg = region.node(KRAAMZORG);
      const insurerNode = region.node(INSURER);

      // The care administration records the indication (basic package, breastfeeding: 49 h).
      const admin = await newPage();
      await login(admin, originOf(kraamzorg), 'pro:karin-dewit');
      const recorded = await admin.evaluate(
        async (body) =>
          (
            await fetch('/carelog/indications', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            })
          ).status,
        {
          indication: 'ind-maria-2026',
          subject: MARIA,
          birthDate: isoDay(-3),
          carePackage: 'basis-borstvoeding',
          days: 8,
          carers: ['pro:anna-jansen'],
        },
      );
      expect(recorded).toBe(201);

      // Anna logs two visits on her phone; the first use binds the key on her device.
      const carer = await newPage(PHONE);
      await login(carer, originOf(kraamzorg), 'pro:anna-jansen');
      await carer.goto(`${originOf(kraamzorg)}/portal/hours`);
      await settle(carer);
      await expect.poll(() => carer.getByRole('heading', { level: 1 }).textContent()).toBe('Uren vastleggen');
      await checkAccessible(carer, 'hours-carer');
      await logVisit(carer, isoDay(-2), '09:00', '12:00', [
        'Zorg voor de moeder',
        'Zorg voor de pasgeborene',
      ]);
      await logVisit(carer, isoDay(-1), '13:00', '16:30', ['Ondersteuning bij voeding']);
      await expect.poll(() => carer.locator('.timeline li').count()).toBe(2);
      await carer.getByText('Wacht op akkoord').first().waitFor();
      await carer.screenshot({ path: `${SCREENSHOTS}portal-hours-carer-logged-360.png`, fullPage: true });

      // Maria: identity check (Demo-DigiD), a passkey in Chromium's virtual authenticator, login.
      const mother = await newPage();
      await enrolAndLogIn(mother, originOf(kraamzorg));

      // Her consent for billing by her insurer (the consent screens are the exchange's; signed here
      // through the node's passkey page, the same flow).
      await mother.goto(`${originOf(kraamzorg)}/auth/passkeys`);
      const consent = await mother.evaluate(async (insurer) => {
        const post = (path: string, body: unknown) =>
          fetch(`/auth/passkeys${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const draft = {
          kind: 'consent',
          body: { decision: 'grant', grantee: `ura:${insurer}`, category: 'kraamzorg', purpose: 'billing' },
        };
        const { statement, options } = await (await post('/statements/options', { draft })).json();
        const lib = (
          globalThis as unknown as {
            SimpleWebAuthnBrowser: { startAuthentication: (o: unknown) => Promise<unknown> };
          }
        ).SimpleWebAuthnBrowser;
        const response = await lib.startAuthentication({ optionsJSON: options });
        return (await post('/statements/sign', { statement, response })).status;
      }, INSURER);
      expect(consent).toBe(200);

      // Her hours: 49 h indicated, nothing approved yet, two visits waiting.
      await mother.goto(`${originOf(kraamzorg)}/portal/hours`);
      await settle(mother);
      await mother.getByRole('heading', { name: /Kraamzorg vanaf/ }).waitFor();
      expect(await mother.locator('.budget .remaining dd').textContent()).toBe('49:00 u');
      await checkAccessible(mother, 'hours-client');

      const visits = mother.locator('.timeline li');
      await visits.nth(0).getByRole('button', { name: 'Akkoord (ondertekenen met passkey)' }).click();
      await mother.getByText('Akkoord ondertekend met uw passkey en vastgelegd.').waitFor();
      await expect.poll(() => mother.locator('.budget .remaining dd').textContent()).toBe('46:00 u');

      await visits.nth(1).getByRole('button', { name: 'Afwijzen' }).click();
      await visits.nth(1).getByLabel('Reden van afwijzen').fill('Zij was om 16:00 al weg');
      await visits.nth(1).getByRole('button', { name: 'Afwijzen (ondertekenen met passkey)' }).click();
      await mother.getByText('Afwijzing ondertekend met uw passkey en vastgelegd.').waitFor();
      await visits.nth(1).getByText('Afgewezen').waitFor();

      // The approved visit earns the badge once both receipts verify in this browser.
      await visits.nth(0).getByText('Geverifieerd').waitFor({ timeout: 30_000 });
      await checkAccessible(mother, 'hours-client-approved');

      // The insurer's assessor sees only the approved hour, verified, and declares it.
      const insurer = await newPage();
      await login(insurer, originOf(insurerNode), 'pro:dirk-smit');
      await expect
        .poll(
          async () => {
            await insurer.goto(`${originOf(insurerNode)}/portal/dashboard`);
            await settle(insurer);
            return insurer.locator('section[aria-labelledby="approved-hours"] tbody tr').count();
          },
          { timeout: 30_000 },
        )
        .toBe(1);
      const row = insurer.locator('section[aria-labelledby="approved-hours"] tbody tr');
      // One client, one visit of 3 hours, not yet declared.
      expect(await row.locator('td').allTextContents()).toEqual(['1', '3:00', '3:00', expect.any(String)]);
      await row.getByText('Geverifieerd').waitFor({ timeout: 30_000 });
      await insurer.getByRole('button', { name: 'Declaraties aanmaken' }).click();
      await insurer.getByText('1 declaratie aangemaakt').waitFor();
      await expect
        .poll(() => insurer.locator('section[aria-labelledby="declarations"] tbody tr').count())
        .toBe(1);
      const payment = insurer.getByLabel('Betaalstatus Declaratie 1');
      await payment.selectOption('betaald');
      await expect.poll(() => payment.inputValue()).toBe('betaald');
      await checkAccessible(insurer, 'dashboard-insurer');

      // Anna corrects the rejected visit: a new entry, signed, that supersedes it.
      await carer.reload();
      await settle(carer);
      await carer.getByRole('button', { name: /^Corrigeren/ }).click();
      expect(await carer.getByLabel('Eindtijd').inputValue()).toBe('16:30');
      await carer.getByLabel('Eindtijd').fill('16:00');
      await carer.getByRole('button', { name: 'Uren vastleggen en ondertekenen' }).click();
      await carer.getByText('Correctie vastgelegd en ondertekend').waitFor();
      await carer.locator('.timeline li', { hasText: 'Gecorrigeerd' }).waitFor();
      await checkAccessible(carer, 'hours-carer-corrected');

      // A visit logged while her phone is offline is signed at once, queued, and sent when online.
      await carer.context().setOffline(true);
      await carer.getByLabel('Datum').fill(isoDay(-1));
      await carer.getByLabel('Begintijd').fill('18:00');
      await carer.getByLabel('Eindtijd').fill('19:00');
      await carer.getByLabel('Observatie en signalering').check();
      await carer.getByRole('button', { name: 'Uren vastleggen en ondertekenen' }).click();
      await carer.getByText('Geen verbinding met de server.').waitFor();
      expect(await carer.locator('section[aria-labelledby="queued"] li').count()).toBe(1);
      await carer.context().setOffline(false);
      await carer.getByText('Uren die offline zijn vastgelegd, zijn nu verstuurd.').waitFor();
      await carer.locator('.timeline li', { hasText: '18:00–19:00' }).waitFor();
      expect(await carer.locator('section[aria-labelledby="queued"]').count()).toBe(0);

      // The care administration sees the hours per status against the budget: indicated,
      // approved, pending, rejected, left.
      await admin.goto(`${originOf(kraamzorg)}/portal/dashboard`);
      await settle(admin);
      const cells = admin.locator('tbody tr').first().locator('td');
      expect(await cells.allTextContents()).toEqual([
        '49:00',
        '3:00',
        '4:00', // the correction and the visit logged offline, awaiting her approval
        '3:30', // rejected, superseded by the correction
        '46:00',
      ]);
      await checkAccessible(admin, 'dashboard-administration');

      expect(requested.filter((u) => BSN.test(new URL(u).pathname + new URL(u).search))).toEqual([]);
    },
  );
});
