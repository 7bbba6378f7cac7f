import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { addVirtualAuthenticator } from '../../../test/chromium.ts';
import { demoCredentialsOf } from '../../../packages/node/src/auth/node-auth.ts';

/** A demo professional logs in to the portal at her node with password and TOTP. */
export async function professionalLogin(page: Page, origin: string, id: string): Promise<void> {
  const { password, totpSecret } = demoCredentialsOf(id);
  await page.goto(`${origin}/portal/login`);
  await page.getByLabel('Gebruikersnaam').fill(id);
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByLabel('Code uit uw authenticator-app').fill(await generate({ secret: totpSecret }));
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  // Every login lands on the role's home, with her name in the header.
  await page.waitForURL(`${origin}/portal/`);
  await page.getByRole('button', { name: 'Uitloggen' }).waitFor();
}

/**
 * Maria (person 0; Sam, her partner, is person 1) in Chromium: a virtual authenticator, the
 * identity check with the labelled Demo-DigiD stand-in, a new passkey at her node
 * (/auth/passkeys), then passkey login in the portal.
 */
export async function enrolAndLogIn(page: Page, origin: string, person = 0): Promise<void> {
  await addVirtualAuthenticator(page);
  await page.goto(`${origin}/auth/passkeys`);
  await page.click('#identiteit');
  await page.click(`button[name=person][value="${person}"]`);
  await page.waitForURL(`${origin}/auth/passkeys`);
  await page.click('#aanmaken');
  await page.locator('#status').filter({ hasText: 'passkey aangemaakt' }).waitFor();
  await page.goto(`${origin}/portal/login`);
  await page.getByRole('button', { name: 'Inloggen met passkey' }).click();
  await page.waitForURL(`${origin}/portal/`);
  await page.getByRole('button', { name: 'Uitloggen' }).waitFor();
}

/**
 * Maria (logged in on `maria`) makes Sam her representative for everything she may delegate: she
 * invites him, he logs in with a new passkey (person 1) on `sam` and accepts her code, and she
 * confirms with her passkey. Sam is then logged in, acting for no one yet.
 */
export async function authoriseRepresentative(maria: Page, sam: Page, origin: string): Promise<void> {
  await maria.goto(`${origin}/portal/representative`);
  await maria.getByRole('button', { name: 'Uitnodiging maken' }).click();
  const code = (await maria.locator('strong.code').textContent())!;
  await enrolAndLogIn(sam, origin, 1);
  await sam.goto(`${origin}/portal/representative?invite=${code}`);
  await sam.getByRole('button', { name: 'Aannemen' }).click();
  await sam.getByText('Aangenomen.').waitFor();
  await maria.reload();
  await maria.getByRole('button', { name: 'Bevestigen (ondertekenen met passkey)' }).click();
  await maria.getByText('Bevestigd.').waitFor();
}
