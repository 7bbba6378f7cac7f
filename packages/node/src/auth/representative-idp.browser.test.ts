// A representative outside demo mode, in Chromium: a person with her own BSN logs in through the
// DigiD broker (oidc-provider in its own process) choosing "als vertegenwoordiger", enrols her
// passkey, and is a representative — known by a holder identity that is not her BSN nor her
// client pseudonym — who takes up the invite of a client who logged in through the same broker.
// Its own file: the node's login rate limit (10 a minute per address) is shared by every login of
// a test file, and real-idp.browser.test.ts uses most of it.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, testIdpClient, type RunningTestIdp } from '@ketenlog/auth/test-idp';
import { addVirtualAuthenticator } from '../../../../test/chromium.ts';
import type { RunningRegion } from '../region/run-region.ts';
import { launchTestBrowser, productionRegion } from './fresh-region.ts';

const LOA = (level: string) => `http://eidas.europa.eu/LoA/${level}`;
const MARIA = '999990019';
const SAM = '999912343';
const STEP_MS = 10_000;

let region: RunningRegion;
let broker: RunningTestIdp;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  const production = await productionRegion();
  origin = production.origin;
  broker = await startTestIdp({
    port: 0,
    title: 'Test-DigiD-makelaar',
    clients: [
      testIdpClient('kraamzorg-dewieg', production.publicJwk, [`${origin}/auth/passkeys/enrol/callback`]),
    ],
    accounts: { [MARIA]: { bsn: MARIA }, [SAM]: { bsn: SAM } },
    acrValues: [LOA('substantial')],
  });
  region = await production.start((o) =>
    o.ura !== '11110001'
      ? undefined
      : {
          digid: {
            id: 'digid',
            label: 'DigiD',
            issuer: broker.issuer,
            clientId: 'kraamzorg-dewieg',
            privateKey: `file:${production.keyFile}`,
            bsnClaim: 'bsn',
            acr: { [LOA('substantial')]: 'substantial' },
            minimumAssurance: 'substantial',
          },
        },
  );
  browser = await launchTestBrowser(STEP_MS);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await region?.close();
  await broker?.stop();
});

/** Through the broker as `bsn` (from the passkey page's link `link`), a passkey, and logged in with it. */
async function enrolThroughBroker(link: string, bsn: string): Promise<{ page: Page; holder: string }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(`${origin}/auth/passkeys`);
  await page.click(link);
  await expect.poll(() => page.url()).toMatch(new RegExp(`^${broker.issuer}/interaction/`));
  await page.fill('input[name=login]', bsn);
  await page.selectOption('select[name=acr]', LOA('substantial'));
  await page.click('#inloggen');
  await page.waitForURL(`${origin}/auth/passkeys`);
  const enrolling = await page.evaluate(async () => (await fetch('/auth/session')).json());
  expect(JSON.stringify(enrolling)).not.toContain(bsn); // never her BSN
  const status = page.locator('#status');
  await page.click('#aanmaken');
  await status.filter({ hasText: 'passkey aangemaakt' }).waitFor();
  await page.click('#inloggen');
  await status.filter({ hasText: /^ingelogd$/ }).waitFor();
  return { page, holder: enrolling.principal.holder };
}

const post = (page: Page, path: string, body: unknown) =>
  page.evaluate(
    async ([path, body]) => {
      const response = await fetch(path as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    [path, body] as const,
  );

const principalOf = async (page: Page) =>
  (await page.evaluate(async () => (await fetch('/auth/session')).json())).principal;

describe('a representative on a production node, in Chromium', () => {
  it('logs in through the DigiD broker as a representative, not a client, and takes up the client’s invite', async () => {
    const maria = await enrolThroughBroker('#identiteit', MARIA);
    expect(await principalOf(maria.page)).toMatchObject({ kind: 'client', holder: maria.holder });
    const invite = await post(maria.page, '/auth/delegations/invites', {
      kinds: ['consent'],
      validUntil: Date.now() + 86_400_000,
    });
    expect(invite.status).toBe(201);
    // A client may not take up an invite: that is a representative's act.
    expect(
      (await post(maria.page, '/auth/delegations/invites/accept', { code: invite.body.code })).status,
    ).toBe(401);

    const sam = await enrolThroughBroker('#vertegenwoordiger', SAM);
    expect(sam.holder).toMatch(/^rep:[A-Za-z0-9_-]{32}$/);
    expect(await principalOf(sam.page)).toMatchObject({ kind: 'representative', holder: sam.holder });
    const accepted = await post(sam.page, '/auth/delegations/invites/accept', { code: invite.body.code });
    expect(accepted.status).toBe(200);
    const invites = await maria.page.evaluate(async () => (await fetch('/auth/delegations/invites')).json());
    expect(invites.invites[0]).toMatchObject({ status: 'accepted', representative: sam.holder });

    // Any other role asked for is refused plainly, not a 500.
    const wrong = await fetch(`${origin}/auth/passkeys/enrol?as=grootouder`, { redirect: 'manual' });
    expect(wrong.status).toBe(400);
  }, 90_000);
});
