// Scratch: browse the running demo as each role and take screenshots (not a test).
import { chromium, type Page } from 'playwright-core';
import { generate } from 'otplib';
import { CHROMIUM_ARGS, ensureChromium, addVirtualAuthenticator } from '../../../test/chromium.ts';
import { demoCredentialsOf } from '../../../packages/node/src/auth/node-auth.ts';

const out = '/tmp/shots/';
const browser = await chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
async function page(width: number): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 740 : 800 } });
  ctx.setDefaultTimeout(30_000);
  const p = await ctx.newPage();
  p.on(
    'console',
    (m) => (m.type() === 'error' || m.type() === 'warning') && console.log(`[console ${m.type()}]`, m.text()),
  );
  p.on('response', (r) => r.status() >= 400 && console.log('[http]', r.status(), r.url()));
  return p;
}
async function login(p: Page, origin: string, id: string) {
  const { password, totpSecret } = demoCredentialsOf(id);
  await p.goto(`${origin}/portal/login`);
  await p.getByLabel('Gebruikersnaam').fill(id);
  await p.getByLabel('Wachtwoord').fill(password);
  await p.getByLabel('Code uit uw authenticator-app').fill(await generate({ secret: totpSecret }));
  await p.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await p.waitForURL(`${origin}/portal/`);
  await p.waitForFunction(() => !document.querySelector('[role="status"]'));
  await p.waitForTimeout(1500);
}
const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'landing') {
  const p = await page(360);
  await p.goto('http://localhost:8101/portal/');
  await p.waitForTimeout(800);
  await p.screenshot({ path: `${out}landing-360.png`, fullPage: true });
}
if (which === 'all' || which === 'carer') {
  const p = await page(360);
  await login(p, 'http://localhost:8101', 'pro:anna-jansen');
  await p.screenshot({ path: `${out}carer-360.png`, fullPage: true });
}
if (which === 'all' || which === 'admin') {
  const p = await page(1280);
  await login(p, 'http://localhost:8101', 'pro:karin-dewit');
  await p.screenshot({ path: `${out}admin-desktop.png`, fullPage: true });
}
if (which === 'all' || which === 'insurer') {
  const p = await page(1280);
  await login(p, 'http://localhost:8104', 'pro:dirk-smit');
  await p.screenshot({ path: `${out}insurer-desktop.png`, fullPage: true });
}
if (which === 'all' || which === 'pro') {
  const p = await page(1280);
  await login(p, 'http://localhost:8103', 'pro:carla-bakker');
  await p.screenshot({ path: `${out}pro-clients-desktop.png`, fullPage: true });
  await p.getByLabel('Zoek op naam of BSN').fill('vries');
  await p.screenshot({ path: `${out}pro-search-desktop.png`, fullPage: true });
  await p.locator('.clients a').first().click();
  await p.waitForFunction(() => !document.querySelector('[role="status"]'));
  await p.screenshot({ path: `${out}pro-overview-desktop.png`, fullPage: true });
}
if (which === 'all' || which === 'client') {
  const p = await page(360);
  const origin = 'http://localhost:8101';
  await addVirtualAuthenticator(p);
  await p.goto(`${origin}/portal/login`);
  await p.getByRole('link', { name: 'Identiteit controleren en passkey aanmaken' }).click();
  await p.screenshot({ path: `${out}client-enrol-1.png`, fullPage: true });
  await p.click('button[name=person][value="0"]');
  await p.waitForTimeout(1000);
  await p.screenshot({ path: `${out}client-enrol-2.png`, fullPage: true });
  await p.click('#aanmaken');
  await p.waitForURL(`${origin}/portal/enrolled`);
  await p.screenshot({ path: `${out}client-enrolled.png`, fullPage: true });
  await p.getByRole('button', { name: 'Inloggen met passkey' }).click();
  await p.waitForURL(`${origin}/portal/`);
  await p.waitForTimeout(2000);
  await p.screenshot({ path: `${out}client-home-360.png`, fullPage: true });
  for (const r of ['timeline', 'hours', 'consent', 'access']) {
    await p.goto(`${origin}/portal/${r}`);
    await p.waitForFunction(() => !document.querySelector('[role="status"]'));
    await p.waitForTimeout(1500);
    await p.screenshot({ path: `${out}client-${r}-360.png`, fullPage: true });
  }
}
await browser.close();
