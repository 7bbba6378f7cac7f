// Each role's main journey in Debian's Chromium, from a fresh start of the demo region (all ten
// members, the demo population and Mijn Zorg Log seeded as `npm start` does) to the task done, at
// 360 px and at desktop size (issue 17). Each checks what a person in the role would check: her
// own home after login with only her menu, names instead of ids, Dutch dates and numbers, no
// console errors (no 401s when logged out, no 404 favicon), and no id, pseudonym or English code
// on screen; axe without serious or critical findings at both sizes. Screenshots of every step in
// docs/screenshots/journey-*.png with KETENLOG_SCREENSHOTS=1.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVirtualAuthenticator } from '../../../test/chromium.ts';
import {
  DEMO_CLIENTS,
  seedDemoRegion,
  seedResearchCohort,
} from '../../../packages/node/src/demo/seed-region.ts';
import { seedDemoCarelog } from '../../../packages/node/src/demo/seed-carelog.ts';
import { DEMO_COHORT, demoPopulation, MARIA_BSN } from '../../../packages/node/src/demo/population.ts';
import { cohortDomain } from '@ketenlog/analytics';
import { signedIndexStatement } from '../../../packages/node/src/logbook/testing.ts';
import { checkAccessible, DESKTOP, fullPageShot, PHONE, SCREENSHOTS, settle } from './accessible.ts';
import { startBrowserRegion, type BrowserRegion } from './browser-region.ts';
import { authoriseRepresentative, professionalLogin } from './people.ts';

const [KRAAMZORG, ZIEKENHUIS, INSURER, STATISTICS, RSO] = [
  '11110001',
  '11110003',
  '11110004',
  '11110005',
  '11110010',
];
/** What a person must never see: professional and organisation ids, indication ids, pseudonyms, codes. */
const NOT_FOR_PEOPLE = [
  /\bpro:[a-z]/,
  /\bura:\d/,
  /\bind-[a-z]/,
  /\bpMaria-/,
  /\b(vital-signs|self-measurements|encounters|demographics)\b/,
  /\b(Encounter|Observation|DocumentReference|MedicationStatement|Claim)\b/,
  /\b\d{4}-\d{2}-\d{2}\b/, // an ISO date: dates are shown the Dutch way
  /\bundefined\b|\bNaN\b|\[object/,
];

let env: BrowserRegion;
let mariaName: string;
/** Maria's phone, logged in: her journey continues after the professional's. */
let maria: { page: Page; errors: string[] };
const origin = (ura: string): string => env.origin(ura);

/** A page in a fresh context (Dutch browser) that records console errors and failed requests. */
async function open(
  viewport = DESKTOP,
  within: BrowserRegion = env,
): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const context = await within.newContext();
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, context, errors };
}

/** The visible text has no id, pseudonym, ISO date or English code. */
async function readsAsPeople(page: Page, where: string): Promise<void> {
  const text = await page.locator('body').innerText();
  for (const pattern of NOT_FOR_PEOPLE) expect(text, `${where}: ${pattern}`).not.toMatch(pattern);
}

const shot = (page: Page, name: string): Promise<void> =>
  fullPageShot(page, `${SCREENSHOTS}journey-${name}.png`);

const menuOf = (page: Page): Promise<string[]> => page.locator('nav a').allTextContents();

describe('every role, its own journey', () => {
  beforeAll(async () => {
    env = await startBrowserRegion();
    // On a loaded machine a node-to-node call can time out while seeding: seeding is idempotent per
    // organisation, so try again (as a restarted demo does).
    for (let attempt = 1; ; attempt++) {
      try {
        await seedDemoRegion(env.region, DEMO_CLIENTS);
        await seedDemoCarelog(env.region, demoPopulation(DEMO_CLIENTS));
        break;
      } catch (error) {
        if (attempt === 5) throw error;
        console.warn(`seeding the demo, attempt ${attempt}:`, (error as Error).stack);
      }
    }
    // Maria is insured at Zorgverzekeraar Zuid: its index statement for her (which the seeding's
    // index publisher may have missed when a call timed out on a loaded machine).
    const insurer = env.region.node(INSURER);
    const pseudonym = await env.region.node(KRAAMZORG).exchange!.pseudonyms!.pseudonymOf(MARIA_BSN);
    const indexed = await insurer.logbook!.append(
      signedIndexStatement(insurer.membership!.statementKey, INSURER, pseudonym, 'insurance'),
    );
    expect(indexed.ok).toBe(true);
    const maria = demoPopulation(DEMO_CLIENTS).find((c) => c.bsn === MARIA_BSN)!;
    mariaName = `${maria.given} ${maria.family}`;
  }, 300_000);

  afterAll(async () => {
    await env?.close();
  });

  it('logged out: the landing page makes no data calls and logs nothing in the console', async () => {
    const { page, errors } = await open(PHONE);
    const calls: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (!path.startsWith('/portal/') || path.startsWith('/portal/api/')) calls.push(path);
    });
    await page.goto(`${origin(KRAAMZORG)}/portal/`);
    await page.getByRole('heading', { name: 'Welkom bij Ketenlog' }).waitFor();
    // The demo says so on every page (issue 16).
    await page.getByText('Demo — geen echte gegevens').waitFor();
    await checkAccessible(page, 'journey-landing');
    expect(calls).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('carer on a 360 px phone: lands on "Uren vastleggen", picks Maria by name and logs today’s visit', async () => {
    const { page, errors } = await open(PHONE);
    await professionalLogin(page, origin(KRAAMZORG), 'pro:anna-jansen');
    await settle(page);
    await page.getByRole('heading', { level: 1, name: 'Uren vastleggen' }).waitFor();
    expect(await page.locator('.session').textContent()).toContain('Anna Jansen');
    // One task, no menu.
    expect(await page.locator('nav').count()).toBe(0);
    const client = page.getByLabel('Cliënt');
    await expect
      .poll(() => client.locator('option').allTextContents())
      .toContainEqual(expect.stringContaining(mariaName));
    await client.selectOption({
      label: (await client.locator('option', { hasText: mariaName }).textContent())!,
    });
    await page.getByText(/Kraamperiode: \d+ \w+ 20\d\d t\/m/).waitFor();
    await shot(page, 'carer-1-form-360');
    await readsAsPeople(page, 'carer form');
    // Today's visit, early this morning (in the past, within her care period) — or, in the first
    // 40 minutes of a Dutch day, last night's, so it is never in the future.
    const visit = pastVisit(new Date());
    if (visit.date) await page.getByLabel('Datum').fill(visit.date);
    await page.getByLabel('Begintijd').fill(visit.start);
    await page.getByLabel('Eindtijd').fill(visit.end);
    await page.getByLabel('Observatie en signalering').check();
    await page.getByRole('button', { name: 'Uren vastleggen en ondertekenen' }).click();
    await page.getByText('Uren vastgelegd en ondertekend').waitFor();
    await page
      .locator('.timeline li', { hasText: `${visit.start}–${visit.end}` })
      .first()
      .waitFor();
    await shot(page, 'carer-2-logged-360');
    await checkAccessible(page, 'journey-carer');
    expect(errors).toEqual([]);
  }, 120_000);

  it('client Maria: enrols, lands on her home, approves hours, gives and withdraws a consent with its preview, reads her timeline', async () => {
    const { page, errors } = await open(PHONE);
    await addVirtualAuthenticator(page);
    await page.goto(`${origin(KRAAMZORG)}/portal/login`);
    await page.getByRole('link', { name: 'Identiteit controleren en passkey aanmaken' }).click();
    await page.click('button[name=person][value="0"]');
    await page.waitForURL(`${origin(KRAAMZORG)}/auth/passkeys**`);
    await page.click('#aanmaken');
    // Enrolment returns to the portal: one click logs her in, on her own home.
    await page.waitForURL(`${origin(KRAAMZORG)}/portal/enrolled`);
    await page.getByRole('heading', { name: 'Passkey aangemaakt' }).waitFor();
    await page.getByRole('button', { name: 'Inloggen met passkey' }).click();
    await page.waitForURL(`${origin(KRAAMZORG)}/portal/`);
    await page.getByRole('heading', { name: `Welkom, ${mariaName}` }).waitFor();
    await page.getByText(/\d bezoeken? wacht/).waitFor();
    await shot(page, 'client-1-home-360');
    // The compact menu: closed on a phone, her pages only.
    await page.getByRole('button', { name: /Menu/ }).click();
    const menu = await page.locator('#menu a').allTextContents();
    expect(menu).toContain('Wie ziet wat');
    expect(menu).not.toContain('Cliënten');
    expect(menu).not.toContain('Onderzoek');
    await shot(page, 'client-2-menu-360');
    await checkAccessible(page, 'journey-client-home');

    // Approve the first visit waiting.
    await page.getByRole('link', { name: 'Nu bekijken en goedkeuren' }).click();
    await settle(page);
    await page.getByRole('button', { name: 'Akkoord (ondertekenen met passkey)' }).first().click();
    await page.getByText('Akkoord ondertekend met uw passkey en vastgelegd.').waitFor();
    await shot(page, 'client-3-hours-360');
    await readsAsPeople(page, 'hours');

    // A consent for the hospital, pregnancy, treatment: the preview then shows that very party.
    await page.goto(`${origin(KRAAMZORG)}/portal/consent`);
    await settle(page);
    await page.getByLabel('Ik geef toestemming').check();
    await page.getByLabel('Wie', { exact: true }).selectOption({ label: 'Ziekenhuis Maasland' });
    await page.getByLabel('Welke gegevens').selectOption({ label: 'zwangerschap' });
    await page.getByRole('button', { name: 'Ondertekenen met passkey', exact: true }).click();
    await page.getByText('Uw keuze is ondertekend', { exact: false }).waitFor();
    await page.getByRole('heading', { name: /^Voorbeeld voor Ziekenhuis Maasland · behandeling/ }).waitFor();
    const pregnancy = page.locator('[data-category="pregnancy"]');
    await pregnancy.getByText('zichtbaar', { exact: true }).waitFor();
    await shot(page, 'client-4-consent-360');
    await readsAsPeople(page, 'consent');
    await checkAccessible(page, 'journey-client-consent');
    // Withdraw it again with one click.
    await page
      .locator('.consents li', { hasText: 'Ziekenhuis Maasland' })
      .getByRole('button', { name: /Intrekken/ })
      .click();
    await page.getByText('Ingetrokken. Dit geldt vanaf nu.').waitFor();

    // Her timeline: blood pressure as systolic/diastolic, Dutch dates, the source named.
    await page.goto(`${origin(KRAAMZORG)}/portal/timeline`);
    await settle(page);
    await page
      .getByText(/\d+\/\d+ mmHg/)
      .first()
      .waitFor();
    await page
      .getByText(/Bron: Kraamzorg De Wieg/)
      .first()
      .waitFor();
    await shot(page, 'client-5-timeline-360');
    await readsAsPeople(page, 'timeline');
    // Her own measurements, with the way to connect the demo patient app.
    await page.goto(`${origin(KRAAMZORG)}/portal/measurements`);
    await settle(page);
    expect(await page.getByRole('link', { name: 'Koppel de demo-app' }).getAttribute('href')).toBe(
      '/apps/pgo/launch',
    );
    await readsAsPeople(page, 'measurements');
    await shot(page, 'client-5b-measurements-360');
    maria = { page, errors };
    expect(errors).toEqual([]);
  }, 240_000);

  it('representative Sam on a 360 px phone and at desktop: chooses Maria, reads her timeline, approves her hours, and sees what he may not do', async () => {
    const { page, errors } = await open(PHONE);
    const home = `${origin(KRAAMZORG)}/portal/`;
    await authoriseRepresentative(maria.page, page, origin(KRAAMZORG));
    // Logged in, acting for no one yet: his home says to choose first, his menu has nothing of hers.
    await page.goto(home);
    await settle(page);
    await page.getByText('Kies eerst voor wie u optreedt:').waitFor();
    await page.getByRole('button', { name: /Menu/ }).click();
    expect(await page.locator('#menu a').allTextContents()).toEqual(['Start', 'Vertegenwoordiger']);
    await page.getByRole('link', { name: 'Vertegenwoordiger' }).first().click();
    await settle(page);
    await page.getByRole('button', { name: 'Namens deze cliënt handelen' }).click();
    await page.getByText('U handelt nu namens de cliënt.').waitFor();
    await shot(page, 'representative-1-choose-360');
    // His home: for whom, until when, what he may do for her (links) and what not. Her name shows
    // once Maria's signed mandate is on the logbook (it opens her record).
    await expect
      .poll(
        async () => {
          await page.goto(home);
          await settle(page);
          return page.locator('.notice', { hasText: 'U handelt nu namens' }).innerText();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toContain(mariaName);
    expect(await page.locator('.session').textContent()).toContain(`vertegenwoordiger voor ${mariaName}`);
    const may = page.locator('section[aria-labelledby="mandate-may"] li');
    expect(await may.allTextContents()).toEqual([
      'Haar gegevens bij zorgverleners in de regio bekijken en downloaden',
      'Haar kraamzorguren bekijken en goedkeuren of afwijzen',
      'Kiezen wie haar gegevens mag zien, en keuzes intrekken',
      'Zien wie haar gegevens heeft bekeken',
    ]);
    const mayNot = await page.locator('section[aria-labelledby="mandate-not"] li').allTextContents();
    expect(mayNot).toContain('Haar gegevens wissen: dat kan alleen zij zelf');
    expect(mayNot).toContain('Iemand anders machtigen: dat kan alleen zij zelf');
    await page.getByRole('button', { name: /Menu/ }).click();
    const menu = await page.locator('#menu a').allTextContents();
    expect(menu).toContain('Haar gegevens');
    expect(menu).not.toContain('Mijn dagboek');
    await readsAsPeople(page, 'representative home');
    await shot(page, 'representative-2-home-360');
    await checkAccessible(page, 'journey-representative-home');
    // Her timeline, without the erase button: that stays hers.
    await may.getByRole('link', { name: /Haar gegevens/ }).click();
    await settle(page);
    await page.locator('.timeline li').first().waitFor();
    await page.getByText('Alleen de cliënt zelf kan haar gegevens wissen.').waitFor();
    expect(await page.getByRole('button', { name: 'Al mijn gegevens wissen…' }).count()).toBe(0);
    await readsAsPeople(page, 'representative timeline');
    await shot(page, 'representative-3-timeline-360');
    // A visit of hers to approve, signed with his own passkey.
    await page.goto(`${origin(KRAAMZORG)}/portal/hours`);
    await settle(page);
    await page.getByRole('button', { name: 'Akkoord (ondertekenen met passkey)' }).first().click();
    await page.getByText('Akkoord ondertekend met uw passkey en vastgelegd.').waitFor();
    await readsAsPeople(page, 'representative hours');
    await shot(page, 'representative-4-hours-360');
    // Her diary is hers alone.
    await page.goto(`${origin(KRAAMZORG)}/portal/diary`);
    await settle(page);
    await page.getByRole('heading', { level: 1, name: 'Niet voor uw rol' }).waitFor();
    // The same home at desktop size.
    await page.setViewportSize(DESKTOP);
    await page.goto(home);
    await settle(page);
    await page.locator('section[aria-labelledby="mandate-not"]').waitFor();
    await shot(page, 'representative-5-home-desktop');
    expect(errors).toEqual([]);
  }, 240_000);

  it('administration at desktop: hours per client by name, and a CSV for Dutch Excel', async () => {
    const { page, errors } = await open(DESKTOP);
    await professionalLogin(page, origin(KRAAMZORG), 'pro:karin-dewit');
    await settle(page);
    await page.getByRole('heading', { level: 1, name: 'Uren en declaraties' }).waitFor();
    await page.getByRole('rowheader', { name: new RegExp(mariaName) }).waitFor();
    expect(await menuOf(page)).not.toContain('Wie ziet wat');
    await readsAsPeople(page, 'administration');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download als CSV (Excel)' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFFCliënt;Geboortedatum;Geïndiceerd;Goedgekeurd;Wacht op akkoord;Afgewezen;Nog over',
    );
    expect(csv).toContain(`${mariaName};`);
    await shot(page, 'administration-1-desktop');
    await checkAccessible(page, 'journey-administration');
    expect(errors).toEqual([]);
  }, 120_000);

  it('insurer assessor: approved hours per client by name, to declarations with progress', async () => {
    const { page, errors } = await open(DESKTOP);
    await professionalLogin(page, origin(INSURER), 'pro:dirk-smit');
    await settle(page);
    await page.getByRole('heading', { name: 'Goedgekeurde uren' }).waitFor();
    // The approved hours reach the insurer through the logbook (mirrored, witnessed): wait for them.
    await expect
      .poll(
        async () => {
          await page.reload();
          await settle(page);
          return page.locator('section[aria-labelledby="approved-hours"] tbody tr').count();
        },
        { timeout: 60_000, interval: 2_000 },
      )
      .toBeGreaterThan(0);
    // Each client's receipts are checked in a worker, off the page's thread: the badge still says so.
    await page
      .locator('section[aria-labelledby="approved-hours"] .badge.verified', { hasText: 'Geverifieerd' })
      .first()
      .waitFor({ timeout: 60_000 });
    await readsAsPeople(page, 'insurer');
    await shot(page, 'insurer-1-desktop');
    await page.getByRole('button', { name: 'Declaraties aanmaken' }).click();
    await page.getByText(/\d+ declaraties? aangemaakt/).waitFor({ timeout: 60_000 });
    await page.locator('section[aria-labelledby="declarations"] tbody tr').first().waitFor();
    await readsAsPeople(page, 'declarations');
    await shot(page, 'insurer-2-declared-desktop');
    await checkAccessible(page, 'journey-insurer');
    expect(errors).toEqual([]);
  }, 180_000);

  it('hospital professional: finds Maria by name and by BSN, sees the banner, the withheld items and uses emergency access', async () => {
    const { page, errors } = await open(DESKTOP);
    await professionalLogin(page, origin(ZIEKENHUIS), 'pro:carla-bakker');
    await settle(page);
    await page.getByRole('heading', { level: 1, name: 'Mijn cliënten' }).waitFor();
    expect(await page.locator('.session').textContent()).toBe(
      'Ingelogd als Carla Bakker · medisch specialist · Ziekenhuis Maasland',
    );
    await page.getByLabel('Zoek op naam of BSN').fill(mariaName.toLowerCase());
    await expect.poll(() => page.locator('.clients li').count()).toBe(1);
    await page
      .getByLabel('Zoek op naam of BSN')
      .fill(`${MARIA_BSN.slice(0, 4)}.${MARIA_BSN.slice(4, 6)}.${MARIA_BSN.slice(6)}`);
    await expect.poll(() => page.locator('.clients li').count()).toBe(1);
    await page.getByText(/geboren \d\d-\d\d-\d{4} \(\d+ jaar\)/).waitFor();
    await shot(page, 'professional-1-search-desktop');
    await page.getByRole('link', { name: mariaName }).click();
    await settle(page);
    const banner = page.getByRole('region', { name: 'Cliëntgegevens' });
    await banner.getByText(mariaName).waitFor();
    await banner.getByText(/\d\d-\d\d-\d{4} \(\d+ jaar\)/).waitFor();
    await banner
      .getByText(`${MARIA_BSN.slice(0, 4)}.${MARIA_BSN.slice(4, 6)}.${MARIA_BSN.slice(6)}`)
      .waitFor();
    await page.locator('.missing li', { hasText: 'niet gedeeld' }).first().waitFor();
    await readsAsPeople(page, 'overview');
    await shot(page, 'professional-2-overview-desktop');
    await page.getByLabel('Reden voor noodtoegang').fill('Bewusteloos binnengebracht op de SEH');
    await page.getByRole('button', { name: 'Noodtoegang gebruiken' }).click();
    await page
      .locator('.emergency')
      .getByText('Bewusteloos binnengebracht op de SEH', { exact: false })
      .waitFor();
    await shot(page, 'professional-3-emergency-desktop');
    await checkAccessible(page, 'journey-professional');
    expect(errors).toEqual([]);
  }, 180_000);

  it('client Maria sees who looked: herself as "U zelf", and the emergency access standing out with who, when and why', async () => {
    const { page, errors } = maria;
    await page.goto(`${origin(KRAAMZORG)}/portal/access`);
    await settle(page);
    const emergency = page.locator('section.emergency');
    await emergency
      .getByText('Carla Bakker (medisch specialist), Ziekenhuis Maasland', { exact: false })
      .waitFor();
    await emergency.getByText('Bewusteloos binnengebracht op de SEH', { exact: false }).waitFor();
    await page.locator('.trail h2', { hasText: 'U zelf' }).first().waitFor();
    await readsAsPeople(page, 'access trail');
    await shot(page, 'client-6-access-360');
    await checkAccessible(page, 'journey-client-access');
    expect(errors).toEqual([]);
  }, 120_000);

  it('client Maria downloads everything, then erases it after confirming', async () => {
    const { page, errors } = maria;
    await page.goto(`${origin(KRAAMZORG)}/portal/timeline`);
    await settle(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download al mijn gegevens' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^ketenlog-mijn-gegevens-/);
    await page.getByRole('button', { name: 'Al mijn gegevens wissen…' }).click();
    await page.getByText('Let op: dit kan niet ongedaan worden gemaakt.', { exact: false }).waitFor();
    await shot(page, 'client-7-erase-confirm-360');
    await page.getByLabel('Typ VERWIJDER om te bevestigen').fill('VERWIJDER');
    await page.getByRole('button', { name: 'Definitief wissen' }).click();
    await page.getByText('Uw gegevens zijn gewist bij:').waitFor({ timeout: 60_000 });
    await page.locator('.notice li', { hasText: 'Kraamzorg De Wieg' }).waitFor();
    await shot(page, 'client-8-erased-360');
    expect(errors).toEqual([]);
  }, 120_000);
});

describe('research, in a region of the study’s parties', () => {
  let study: BrowserRegion;
  beforeAll(async () => {
    // The research journey's own region: the study's three parties and the RSO (pseudonyms).
    study = await startBrowserRegion({ uras: [ZIEKENHUIS, INSURER, STATISTICS, RSO], quorum: 2 });
    // The demo population and the research cohort, as `npm start` seeds them (on a loaded machine a
    // node-to-node call can time out: seeding is idempotent per organisation, so try again).
    for (let attempt = 1; ; attempt++) {
      try {
        await seedDemoRegion(study.region, DEMO_CLIENTS);
        await seedResearchCohort(study.region);
        break;
      } catch (error) {
        if (attempt === 5) throw error;
        console.warn(`seeding the research cohort, attempt ${attempt}:`, (error as Error).stack);
      }
    }
    // The cohort on the index: stated by each holder, then mirrored by the other parties.
    await Promise.all(
      [ZIEKENHUIS, INSURER, STATISTICS].map((ura) => study.region.node(ura).exchange!.publisher!.flush()),
    );
    const end = Date.now() + 180_000;
    for (const ura of [ZIEKENHUIS, INSURER, STATISTICS])
      while (
        cohortDomain(study.region.node(ura).logbook!.state, `ura:${INSURER}`).length <
        DEMO_CLIENTS + DEMO_COHORT
      ) {
        if (Date.now() > end) throw new Error('the research cohort did not reach the index');
        await new Promise((r) => setTimeout(r, 200));
      }
  }, 420_000);
  afterAll(async () => study?.close());

  it('research: the analyst proposes the study, each party’s assessor signs it, the analyst runs it and reads the released result', async () => {
    const STUDY = 'IBD-coach: effect van appgebruik op zorgkosten en huisartsbezoek';
    const agreement = (page: Page) => page.locator('.agreements li', { hasText: STUDY });
    const waitFor = async (page: Page, text: string) =>
      expect
        .poll(
          async () => {
            await page.reload();
            await settle(page);
            return (await agreement(page).count()) > 0 ? await agreement(page).innerText() : '';
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toContain(text);

    // Eva, the statistics office's researcher, lands on Onderzoek and proposes the study.
    const eva = await open(DESKTOP, study);
    await professionalLogin(eva.page, study.origin(STATISTICS), 'pro:eva-mulder');
    await settle(eva.page);
    await eva.page.getByRole('heading', { level: 1, name: 'Onderzoek: afspraken en analyses' }).waitFor();
    const proposal = eva.page.getByRole('form', { name: 'Nieuwe onderzoeksafspraak voorstellen' });
    await proposal
      .getByText('Zorgverzekeraar Zuid: zorgkosten en aantal huisartsbezoeken per jaar')
      .waitFor();
    await readsAsPeople(eva.page, 'proposal');
    await shot(eva.page, 'research-1-propose-desktop');
    await proposal
      .getByRole('button', { name: 'Voorstellen en ondertekenen namens Regionaal Bureau voor de Statistiek' })
      .click();
    await eva.page
      .getByText('Ondertekend namens Regionaal Bureau voor de Statistiek en vastgelegd in het logboek.')
      .waitFor();
    await agreement(eva.page).getByText('Ziekenhuis Maasland: wacht op ondertekening').waitFor();
    await eva.page.getByText('De analyse kan starten zodra alle partijen hebben ondertekend.').waitFor();
    await readsAsPeople(eva.page, 'research proposed');
    await shot(eva.page, 'research-2-proposed-desktop');

    // The hospital's privacy officer, on her phone, reviews the terms and signs.
    const joost = await open(PHONE, study);
    await professionalLogin(joost.page, study.origin(ZIEKENHUIS), 'pro:joost-kok');
    expect(await joost.page.locator('.session').textContent()).toContain('Joost Kok · privacyfunctionaris');
    await waitFor(joost.page, 'Regionaal Bureau voor de Statistiek: ondertekend');
    await agreement(joost.page).getByText('wie IBD heeft en wie de IBD-coach-app gebruikt').waitFor();
    await readsAsPeople(joost.page, 'hospital assessor');
    await shot(joost.page, 'research-3-assess-360');
    await checkAccessible(joost.page, 'journey-research-assessor');
    // A privacy officer signs; she does not run analyses.
    expect(await joost.page.getByRole('button', { name: 'Analyse starten' }).count()).toBe(0);
    await joost.page.getByRole('button', { name: 'Ondertekenen namens Ziekenhuis Maasland' }).click();
    await joost.page
      .getByText('Ondertekend namens Ziekenhuis Maasland en vastgelegd in het logboek.')
      .waitFor();
    await agreement(joost.page).getByText('Ziekenhuis Maasland: ondertekend').waitFor();
    await readsAsPeople(joost.page, 'research signed');
    await shot(joost.page, 'research-4-signed-360');

    // The insurer's privacy officer signs too.
    const lieke = await open(DESKTOP, study);
    await professionalLogin(lieke.page, study.origin(INSURER), 'pro:lieke-smeets');
    await waitFor(lieke.page, 'Ziekenhuis Maasland: ondertekend');
    await lieke.page.getByRole('button', { name: 'Ondertekenen namens Zorgverzekeraar Zuid' }).click();
    await lieke.page
      .getByText('Ondertekend namens Zorgverzekeraar Zuid en vastgelegd in het logboek.')
      .waitFor();

    // Signed by all: Eva starts the run and follows its steps until its result is released.
    await waitFor(eva.page, 'geldig');
    await eva.page.getByRole('button', { name: 'Analyse starten' }).click();
    await eva.page.getByText('De analyse is gestart.', { exact: false }).waitFor();
    const run = eva.page.locator('.runs > li').first();
    await run.locator('.run-progress [role=status]').waitFor();
    await readsAsPeople(eva.page, 'research running');
    await shot(eva.page, 'research-5-running-desktop');
    await run.locator('.tag', { hasText: 'vrijgegeven' }).waitFor({ timeout: 240_000 });
    const text = await run.innerText();
    expect(text).toMatch(/6 vrijgegeven cellen · 0 onderdrukte cellen/);
    expect(text).toMatch(new RegExp(`Cohortgrootte\\s+${DEMO_CLIENTS + DEMO_COHORT} cliënten`));
    const effect = await run.getByTestId('effect').innerText();
    // The demo's truth (ibd-coach-truth.ts): app users cost about €370 less (€300 at the hospital,
    // two GP visits of €35) and see the GP about twice less a year; both with a 95% interval.
    expect(effect).toMatch(
      /zorgkosten per jaar: −€\s[\d.]+,\d\d \(95%-betrouwbaarheidsinterval [−+]€\s[\d.,]+ tot [−+]€\s[\d.,]+\)/,
    );
    expect(effect).toMatch(/huisartsbezoeken per jaar: −[12],\d\d \(95%-betrouwbaarheidsinterval/);
    await run.getByRole('figure', { name: 'Gemiddelde zorgkosten per jaar, per groep' }).waitFor();
    await run.getByText('Onderdrukt: minder dan 10 cliënten in deze groep', { exact: false }).waitFor();
    await readsAsPeople(eva.page, 'research result');
    await shot(eva.page, 'research-6-result-desktop');
    await checkAccessible(eva.page, 'journey-research-result');
    for (const who of [eva, joost, lieke]) expect(who.errors).toEqual([]);
  }, 420_000);
});

/** A half-hour visit that has ended by `now` in Dutch time: early today, or late yesterday. */
function pastVisit(now: Date): { date?: string; start: string; end: string } {
  const dutch = (d: Date, part: 'hour' | 'minute') =>
    Number(new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', [part]: 'numeric' }).format(d));
  if (dutch(now, 'hour') * 60 + dutch(now, 'minute') >= 40) return { start: '00:05', end: '00:35' };
  const yesterday = new Date(now.getTime() - 24 * 3600_000);
  const date = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(yesterday);
  return { date, start: '23:00', end: '23:30' };
}
