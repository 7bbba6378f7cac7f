// A node outside demo mode, with fresh keys, logging people in through real identity providers in
// Chromium: a client through a DigiD broker (oidc-provider in its own process: the node's
// redirect, the broker's login page, the callback, the session), then her passkey and a signed
// consent; a professional through her organisation's IdP, her role from the configured mapping.
// And what must fail: a replayed callback, an unmapped role, another organisation's professional,
// too low an assurance, an IdP that is down — in Dutch, never a 500.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, testIdpClient, type RunningTestIdp } from '@ketenlog/auth/test-idp';
import { addVirtualAuthenticator } from '../../../../test/chromium.ts';
import type { IdentityConfig } from '../config.ts';
import type { RunningRegion } from '../region/run-region.ts';
import { launchTestBrowser, productionRegion } from './fresh-region.ts';

const LOA = (level: string) => `http://eidas.europa.eu/LoA/${level}`;
const MARIA = '999990019';
const STEP_MS = 10_000;

let region: RunningRegion;
let broker: RunningTestIdp;
let orgIdp: RunningTestIdp;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  const production = await productionRegion();
  origin = production.origin;
  const { keyFile, publicJwk } = production;
  broker = await startTestIdp({
    port: 0,
    title: 'Test-DigiD-makelaar',
    clients: [testIdpClient('kraamzorg-dewieg', publicJwk, [`${origin}/auth/passkeys/enrol/callback`])],
    accounts: { [MARIA]: { bsn: MARIA } },
    acrValues: [LOA('low'), LOA('substantial'), LOA('high')],
  });
  orgIdp = await startTestIdp({
    port: 0,
    title: 'Kraamzorg De Wieg — inloggen medewerkers (test)',
    clients: [testIdpClient('ketenlog', publicJwk, [`${origin}/auth/professionals/oidc/dewieg/callback`])],
    accounts: {
      anna: { preferred_username: 'anna-jansen', name: 'Anna Jansen', ura: '11110001', roles: ['kraamzorg'] },
      schoonmaak: { preferred_username: 'piet', ura: '11110001', roles: ['facilitair'] },
      elders: { preferred_username: 'eva', ura: '11110003', roles: ['kraamzorg'] },
    },
    acrValues: [],
  });
  const identity = (ura: string): IdentityConfig | undefined =>
    ura !== '11110001'
      ? undefined
      : {
          digid: {
            id: 'digid',
            label: 'DigiD',
            issuer: broker.issuer,
            clientId: 'kraamzorg-dewieg',
            privateKey: `file:${keyFile}`,
            bsnClaim: 'bsn',
            acr: { [LOA('low')]: 'low', [LOA('substantial')]: 'substantial', [LOA('high')]: 'high' },
            minimumAssurance: 'substantial',
          },
          professionalIdps: [
            {
              id: 'dewieg',
              label: 'Kraamzorg De Wieg',
              issuer: orgIdp.issuer,
              clientId: 'ketenlog',
              privateKey: `file:${keyFile}`,
              claims: { id: 'preferred_username', ura: 'ura', role: 'roles' },
              roles: { kraamzorg: 'kraamverzorgende' },
            },
          ],
        };
  region = await production.start((o) => identity(o.ura));
  browser = await launchTestBrowser(STEP_MS);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await region?.close();
  await broker?.stop();
  await orgIdp?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_MS);
  return context.newPage();
}

/** Logs in on the IdP's page the browser was sent to. */
async function logInAtIdp(page: Page, login: string, acr?: string): Promise<void> {
  await page.waitForSelector('input[name=login]');
  await page.fill('input[name=login]', login);
  if (acr !== undefined) await page.selectOption('select[name=acr]', acr);
  await page.click('#inloggen');
}

const bodyText = (page: Page) => page.evaluate(() => document.body.innerText);

describe('a production node with a DigiD broker and an organisation IdP, in Chromium', () => {
  it(
    'a client logs in through the DigiD broker, enrols a passkey and signs a consent',
    { timeout: 60_000 },
    async () => {
      const page = await newPage();
      const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
      const mode = await (await fetch(`${origin}/auth/mode`)).json();
      expect(mode).toMatchObject({ demo: false, clientLogin: { id: 'digid', configured: true } });

      await page.goto(`${origin}/auth/passkeys`);
      await page.click('#identiteit');
      await expect.poll(() => page.url()).toMatch(new RegExp(`^${broker.issuer}/interaction/`));
      await logInAtIdp(page, MARIA, LOA('substantial'));
      await page.waitForURL(`${origin}/auth/passkeys`);
      const enrolling = await page.evaluate(async () => (await fetch('/auth/session')).json());
      expect(enrolling.principal).toMatchObject({ kind: 'enrolling', role: 'client' });
      expect(JSON.stringify(enrolling)).not.toContain(MARIA); // her pseudonym, never her BSN

      const status = page.locator('#status');
      await page.click('#aanmaken');
      await status.filter({ hasText: 'passkey aangemaakt' }).waitFor();
      expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
      await page.click('#inloggen');
      await status.filter({ hasText: /^ingelogd$/ }).waitFor();
      await page.click('#ondertekenen');
      await status.filter({ hasText: /^ondertekend$/ }).waitFor();
      const envelope = JSON.parse((await page.textContent('#ondertekend')) as string);
      expect(envelope.statement).toMatchObject({ kind: 'consent', subject: enrolling.principal.holder });
    },
  );

  it('refuses a login below the required assurance, in Dutch', async () => {
    const page = await newPage();
    await page.goto(`${origin}/auth/passkeys/enrol`);
    await logInAtIdp(page, MARIA, LOA('low'));
    await page.waitForURL(/\/auth\/passkeys\/enrol\/callback/);
    expect(await bodyText(page)).toMatch(/niet op het vereiste betrouwbaarheidsniveau/);
  });

  it('a professional logs in through her organisation IdP, acting in her mapped role; a replayed callback fails', async () => {
    const page = await newPage();
    let callback = '';
    page.on('request', (request) => {
      if (request.url().includes('/auth/professionals/oidc/dewieg/callback')) callback = request.url();
    });
    await page.goto(`${origin}/auth/professionals/oidc/dewieg/login?returnTo=/auth/session`);
    await logInAtIdp(page, 'anna');
    await page.waitForURL(`${origin}/auth/session`);
    // The session cookie is SameSite=Strict: the pages' own requests carry it, not the redirect
    // chain that began at the IdP.
    const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
    expect(session.principal).toEqual({
      kind: 'professional',
      id: 'pro:anna-jansen',
      method: 'oidc',
      idp: 'dewieg',
      actingAs: { organisation: 'ura:11110001', role: 'kraamverzorgende' },
    });
    // The node knows her account as her IdP confirmed it (kept in its database): she may act in it.
    const actingAs = await page.evaluate(async () => {
      const response = await fetch('/auth/professionals/acting-as', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organisation: 'ura:11110001', role: 'kraamverzorgende' }),
      });
      return response.status;
    });
    expect(actingAs).toBe(200);
    const replayed = await page.goto(callback);
    expect(replayed?.status()).toBe(400);
    expect(await bodyText(page)).toMatch(/Onbekende of verlopen inlogpoging/);
  });

  it('refuses a role the mapping does not know and a professional of another organisation', async () => {
    for (const [login, message] of [
      ['schoonmaak', /Uw rol bij uw organisatie geeft geen toegang/],
      ['elders', /andere organisatie/],
    ] as const) {
      const page = await newPage();
      await page.goto(`${origin}/auth/professionals/oidc/dewieg/login`);
      await logInAtIdp(page, login);
      await page.waitForURL(/\/callback/);
      expect(await bodyText(page)).toMatch(message);
    }
  });

  it('says in Dutch, without a 500, that DigiD cannot be reached when the broker is down', async () => {
    await broker.stop();
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const page = await newPage();
    const response = await page.goto(`${origin}/auth/passkeys/enrol`);
    expect(response?.status()).toBe(503);
    expect(await bodyText(page)).toMatch(
      /Inloggen met DigiD lukt nu niet: de inlogdienst is niet bereikbaar/,
    );
  });
});
