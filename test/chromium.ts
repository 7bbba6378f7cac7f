/**
 * Provisions Debian's Chromium for the browser tests (passkeys with a virtual authenticator).
 * Never skips silently: without Chromium, and without root to install it, it throws with the
 * command to run. Set KETENLOG_TEST_CHROMIUM to use another Chromium binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';

/** The Chromium binary the browser tests launch; installs it first when root and missing. */
export function ensureChromium(): string {
  const path = process.env.KETENLOG_TEST_CHROMIUM ?? CHROMIUM_PATH;
  if (existsSync(path)) return path;
  if (process.env.KETENLOG_TEST_CHROMIUM)
    throw new Error(`KETENLOG_TEST_CHROMIUM names ${path}, which does not exist`);
  if (process.getuid?.() !== 0)
    throw new Error(`Chromium is needed for the browser tests. Run as root: ${INSTALL}`);
  execFileSync('sh', ['-c', `${INSTALL} >/dev/null 2>&1`], { stdio: 'pipe' });
  if (!existsSync(path)) throw new Error(`Chromium is not installed after: ${INSTALL}`);
  return path;
}

/**
 * The flags every browser test launches Chromium with: headless, no sandbox (containers run as
 * root), no GPU, and none of the background networking (updates, metrics) a test machine cannot reach.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-dev-shm-usage',
  '--no-first-run',
];

/**
 * Gives the page a virtual platform authenticator (CTAP2, resident keys, user verified, presence
 * simulated): Chromium then makes and uses passkeys without a person present. Returns the DevTools
 * session and the authenticator's id, to inspect its credentials.
 */
export async function addVirtualAuthenticator(
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}
