// The client's remaining controls in the portal, in Debian's Chromium against the whole demo region
// (ten members, with the RSO): Maria previews what a party would see (the holders' own PDP, at her
// node) and a grant changes it; she keeps a diary that shows in her timeline and shares it with
// midwives; she downloads all her data as one FHIR Bundle; she invites Sam, her partner, who
// accepts with his own passkey, she confirms with hers, Sam acts for her (signs a choice) until she
// revokes it; an export while her GP's node is down names what is missing; and the new pages in
// English. axe (no serious/critical) and no overflow at desktop and 360 px; no BSN in any URL;
// screenshots in docs/screenshots/ with KETENLOG_SCREENSHOTS=1.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Patient } from '@medplum/fhirtypes';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdersOf } from '@ketenlog/region';
import type { RunningRegion } from '../../../packages/node/src/region/run-region.ts';
import { checkAccessible, SCREENSHOTS, settle } from './accessible.ts';
import { startBrowserRegion, type BrowserRegion } from './browser-region.ts';
import { enrolAndLogIn } from './people.ts';

const KRAAMZORG = '11110001';
const GP = '11110008';
const HOSPITAL = '11110003';
const BSN = /\b\d{9}\b/;
const DIARY_TEXT = 'Vandaag voor het eerst buiten gewandeld.';

let world: BrowserRegion;
let region: RunningRegion;
let origin: string;
let maria: Page;
const urls: string[] = [];

async function newPage(): Promise<Page> {
  const page = await (await world.newContext()).newPage();
  page.on('request', (r) => urls.push(r.url()));
  return page;
}

beforeAll(async () => {
  world = await startBrowserRegion();
  region = world.region;
  origin = world.origin(KRAAMZORG);
  // Maria is a client of Kraamzorg De Wieg: her Patient there, and one record of her medication.
  const { repository } = region.node(KRAAMZORG);
  const { resource: patient } = await repository.create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990019' }],
    name: [{ family: 'de Vries', given: ['Maria'] }],
  });
  await repository.create({
    resourceType: 'MedicationStatement',
    status: 'active',
    subject: { reference: `Patient/${patient.id}` },
    medicationCodeableConcept: { text: 'Paracetamol 500 mg' },
    effectiveDateTime: '2026-11-20',
    meta: { source: 'Kraamzorg De Wieg' },
  });
  // And a client of Ziekenhuis Maasland: one lab result there, for her timeline across the region.
  const hospital = region.node(HOSPITAL).repository;
  const { resource: atHospital } = await hospital.create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990019' }],
    name: [{ family: 'de Vries', given: ['Maria'] }],
  });
  await hospital.create({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ code: 'laboratory' }] }],
    subject: { reference: `Patient/${atHospital.id}` },
    code: { text: 'Hemoglobine' },
    valueQuantity: { value: 7.9, unit: 'mmol/L' },
    effectiveDateTime: '2026-11-18T09:00:00Z',
  } as never);
  mkdirSync(SCREENSHOTS, { recursive: true });
  maria = await newPage();
  await enrolAndLogIn(maria, origin);
}, 120_000);

afterAll(async () => world?.close());

/** The preview's answer for one category: its whole text. */
async function previewOf(page: Page, who: string, purpose = 'behandeling'): Promise<void> {
  const preview = page.locator('section[aria-labelledby="preview"]');
  await preview.getByLabel('Welke organisatie').selectOption({ label: `alle ${who}` });
  await preview.getByLabel('Met welk doel').selectOption({ label: purpose });
  await preview.getByRole('button', { name: 'Toon wat zij ziet' }).click();
  await preview.getByRole('heading', { name: `Voorbeeld voor ${who} · ${purpose}` }).waitFor();
  // The form still names the party the preview is for (it once jumped to the first organisation).
  const chosen = (select: Locator) => select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.label);
  expect(await chosen(preview.getByLabel('Welke organisatie'))).toBe(`alle ${who}`);
  expect(await chosen(preview.getByLabel('Met welk doel'))).toBe(purpose);
}
const category = (page: Page, code: string) => page.locator(`li[data-category="${code}"]`);

describe("the client's controls in the portal", () => {
  it(
    'previews exactly what a party would see, and a signed grant changes the preview',
    { timeout: 120_000 },
    async () => {
      await maria.goto(`${origin}/portal/consent`);
      await settle(maria);
      await previewOf(maria, 'huisartsen');
      const medication = category(maria, 'medication');
      await expect.poll(() => medication.textContent()).toContain('niet zichtbaar');
      expect(await medication.textContent()).toContain('Hiervoor is uw toestemming nodig');
      expect(await maria.getByText('Deze partij ziet niets').count()).toBe(1);
      await checkAccessible(maria, 'consent-preview');

      const form = maria.locator('section[aria-labelledby="new-consent"]');
      await form.getByLabel('Wie', { exact: true }).selectOption({ label: 'alle huisartsen' });
      await form.getByLabel('Welke gegevens').selectOption({ label: 'medicatie' });
      await form.getByLabel('Waarvoor').selectOption({ label: 'behandeling' });
      await form.getByRole('button', { name: 'Ondertekenen met passkey', exact: true }).click();
      await maria.getByText('Uw keuze is ondertekend en vastgelegd.').waitFor();
      // The preview follows the signed choice: medication is now visible, with her item in it.
      await expect.poll(() => medication.locator('.tag').first().textContent()).toBe('zichtbaar');
      expect(await medication.textContent()).toContain('U heeft hiervoor toestemming gegeven.');
      expect(await medication.textContent()).toContain('Paracetamol 500 mg');
      expect(await category(maria, 'problems').textContent()).toContain('niet zichtbaar');
      // Not for another purpose.
      await previewOf(maria, 'huisartsen', 'onderzoek');
      await expect.poll(() => medication.textContent()).toContain('niet zichtbaar');
      await previewOf(maria, 'huisartsen');
      await checkAccessible(maria, 'consent-preview-granted');
    },
  );

  it('keeps a diary in her timeline and shares it with midwives', { timeout: 120_000 }, async () => {
    await maria.goto(`${origin}/portal/diary`);
    await settle(maria);
    await maria.getByText('U heeft nog niets in uw dagboek geschreven.').waitFor();
    await maria.getByLabel('Wat wilt u vastleggen?').fill(DIARY_TEXT);
    await maria.getByRole('button', { name: 'Opslaan' }).click();
    await maria.getByText('Opgeslagen in uw dagboek.').waitFor();
    await maria.locator('.diary li').filter({ hasText: DIARY_TEXT }).waitFor();
    expect(await maria.locator('.diary li').first().textContent()).toContain('Zelf ingevoerd');

    await maria.getByLabel('Wie', { exact: true }).selectOption({ label: 'alle verloskundigen' });
    await maria.getByRole('button', { name: 'Delen (ondertekenen met passkey)' }).click();
    await maria.getByText('Gedeeld.').waitFor();
    await checkAccessible(maria, 'diary-entries');

    // In her timeline, marked as entered by herself.
    await maria.goto(`${origin}/portal/timeline`);
    await settle(maria);
    const item = maria.locator('.timeline li').filter({ hasText: DIARY_TEXT });
    await item.waitFor();
    expect(await item.textContent()).toContain('Zelf ingevoerd');
    // Across the region: the hospital's lab result, naming the hospital.
    const lab = maria.locator('.timeline li').filter({ hasText: 'Hemoglobine' });
    await lab.waitFor();
    expect(await lab.textContent()).toContain('Ziekenhuis Maasland');
    // Midwives now see her own measurements and diary, the diary entry among them.
    await maria.goto(`${origin}/portal/consent`);
    await settle(maria);
    await previewOf(maria, 'verloskundigen');
    const own = category(maria, 'self-measurements');
    await expect.poll(() => own.locator('.tag').first().textContent()).toBe('zichtbaar');
    expect(await own.textContent()).toContain(DIARY_TEXT);
  });

  it('downloads all her data as one FHIR Bundle', { timeout: 120_000 }, async () => {
    await maria.goto(`${origin}/portal/timeline`);
    await settle(maria);
    const [download] = await Promise.all([
      maria.waitForEvent('download'),
      maria.getByRole('button', { name: 'Download al mijn gegevens' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^ketenlog-mijn-gegevens-\d{4}-\d{2}-\d{2}\.json$/);
    const bundle = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      resourceType: string;
      entry: { resource: { resourceType: string; valueString?: string } }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    const resources = bundle.entry.map((e) => e.resource);
    expect(resources.some((r) => r.valueString === DIARY_TEXT)).toBe(true);
    expect(resources.some((r) => r.resourceType === 'Consent')).toBe(true);
    await maria.getByText('Gedownload:').waitFor();
    await checkAccessible(maria, 'export');
  });

  it(
    'invites Sam as her representative; he accepts, acts for her, until she revokes it',
    { timeout: 180_000 },
    async () => {
      await maria.goto(`${origin}/portal/representative`);
      await settle(maria);
      await maria.getByText('U heeft (nog) niemand gemachtigd.').waitFor();
      await maria.getByRole('button', { name: 'Uitnodiging maken' }).click();
      const code = (await maria.locator('strong.code').textContent())!;
      expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
      await maria.getByText('wacht op uw vertegenwoordiger').waitFor();

      // Sam opens her link before he has logged in; the code waits in his tab while he does.
      const sam = await newPage();
      await sam.goto(`${origin}/portal/representative?invite=${code}`);
      await settle(sam);
      await sam.getByText('Log in met uw passkey, als cliënt of als vertegenwoordiger.').waitFor();
      await enrolAndLogIn(sam, origin, 1);
      await sam.getByText('Ingelogd als vertegenwoordiger').waitFor();
      await sam.goto(`${origin}/portal/representative`);
      await settle(sam);
      expect(await sam.getByLabel('Code').inputValue()).toBe(code);
      await sam.getByRole('button', { name: 'Aannemen' }).click();
      await sam.getByText('Aangenomen.').waitFor();
      expect(await sam.evaluate(() => sessionStorage.length)).toBe(0);
      await sam.getByRole('button', { name: 'Aannemen' }).click();
      await sam.getByText('Deze code is onbekend, al gebruikt of verlopen.').waitFor();
      await checkAccessible(sam, 'representative-accept');

      await maria.reload();
      await settle(maria);
      await maria.getByText('aangenomen: bevestig met uw passkey').waitFor();
      await maria.getByRole('button', { name: 'Bevestigen (ondertekenen met passkey)' }).click();
      await maria.getByText('Bevestigd.').waitFor();
      await expect.poll(() => maria.locator('.delegations li').count()).toBe(1);
      expect(await maria.getByText('U heeft geen openstaande uitnodigingen.').count()).toBe(1);
      await checkAccessible(maria, 'representative-client');

      // Sam acts for Maria: her register, and a choice he signs with his own passkey.
      await sam.reload();
      await settle(sam);
      await sam.getByRole('button', { name: 'Namens deze cliënt handelen' }).click();
      await sam.getByText('U handelt nu namens de cliënt.').waitFor();
      await sam.getByText(/Ingelogd als vertegenwoordiger voor /).waitFor();
      await sam.goto(`${origin}/portal/consent`);
      await settle(sam);
      const consentsOfMaria = () =>
        maria.evaluate(async () => {
          const bundle = (await (await fetch('/exchange/consents')).json()) as { entry?: unknown[] };
          return bundle.entry?.length ?? 0;
        });
      const before = await consentsOfMaria();
      const register = sam.locator('section[aria-labelledby="register"] li');
      await expect.poll(() => register.count()).toBe(before);
      const form = sam.locator('section[aria-labelledby="new-consent"]');
      await form.getByLabel('Wie', { exact: true }).selectOption({ label: 'alle apotheken' });
      await form.getByLabel('Welke gegevens').selectOption({ label: 'medicatie' });
      await form.getByRole('button', { name: 'Ondertekenen met passkey', exact: true }).click();
      await sam.getByText('Uw keuze is ondertekend en vastgelegd.').waitFor();
      await expect.poll(() => register.count()).toBe(before + 1);
      // Maria sees the choice Sam made for her.
      await expect.poll(consentsOfMaria).toBe(before + 1);

      // Maria revokes: at once Sam acts for no one.
      await maria.getByRole('button', { name: 'Intrekken (ondertekenen met passkey)' }).click();
      await maria
        .getByText('Ingetrokken. Uw vertegenwoordiger kan vanaf nu niet meer namens u handelen.')
        .waitFor();
      await sam.reload();
      await settle(sam);
      await sam.getByRole('heading', { level: 1, name: 'Kies eerst voor wie u handelt' }).waitFor();
      await sam.goto(`${origin}/portal/representative`);
      await settle(sam);
      await sam.getByText('Nog niemand heeft u gemachtigd.').waitFor();
    },
  );

  it('speaks English on the new pages after the toggle, and Dutch again', { timeout: 60_000 }, async () => {
    await maria.goto(`${origin}/portal/diary`);
    await settle(maria);
    await maria.getByRole('button', { name: 'Switch to English' }).click();
    await maria.getByRole('heading', { name: 'My diary' }).waitFor();
    await maria.getByRole('heading', { name: 'Share with' }).waitFor();
    for (const [path, heading] of [
      ['consent', 'What would this party see?'],
      ['representative', 'Invite someone'],
      ['timeline', 'All my data'],
    ] as const) {
      await maria.goto(`${origin}/portal/${path}`);
      await settle(maria);
      await maria.getByRole('heading', { name: heading }).waitFor();
    }
    expect(await maria.getAttribute('html', 'lang')).toBe('en');
    await maria.getByRole('button', { name: 'Schakel naar Nederlands' }).click();
    await maria.getByRole('heading', { name: 'Al mijn gegevens' }).waitFor();
  });

  it(
    'says which organisation is missing from the export when its node is down',
    { timeout: 120_000 },
    async () => {
      // Her GP holds a record of her too; the GP's node then goes down.
      const gp = region.node(GP);
      const { resource: patient } = await gp.repository.create<Patient>({
        resourceType: 'Patient',
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990019' }],
      });
      await gp.repository.create({
        resourceType: 'Condition',
        subject: { reference: `Patient/${patient.id}` },
        code: { text: 'Migraine' },
      });
      await gp.exchange!.publisher!.flush();
      const pseudonym = await maria.evaluate(async () => {
        const session = (await (await fetch('/auth/session')).json()) as { principal: { holder: string } };
        return session.principal.holder;
      });
      const kraamzorg = region.node(KRAAMZORG).logbook!;
      await expect
        .poll(() => holdersOf(kraamzorg.state.index, pseudonym).map((h) => h.holder), { timeout: 15_000 })
        .toContain(`ura:${GP}`);
      await gp.close();

      await maria.goto(`${origin}/portal/timeline`);
      await settle(maria);
      // The organisation that is down is waited for (its timeout), then named as missing.
      const [download] = await Promise.all([
        maria.waitForEvent('download', { timeout: 60_000 }),
        maria.getByRole('button', { name: 'Download al mijn gegevens' }).click(),
      ]);
      const bundle = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
        entry: { resource: { resourceType: string; valueString?: string } }[];
      };
      expect(bundle.entry.some((e) => e.resource.valueString === DIARY_TEXT)).toBe(true);
      await maria.getByText('Let op: niet elke organisatie gaf antwoord.').waitFor();
      // Named as a person reads it: the organisation's name, not its URA.
      const missing = await maria.locator('section[aria-labelledby="export"] li').first().textContent();
      expect(missing).toContain('Huisartsenpraktijk De Maas');
      expect(missing).not.toContain('URA');
      await checkAccessible(maria, 'export-incomplete');
    },
  );

  it('never puts a BSN in a URL', () => {
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((u) => BSN.test(new URL(u).pathname + new URL(u).search))).toEqual([]);
  });
});
