import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../../../test/chromium.ts';
import { startRegion, type RunningRegion } from '../../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts, type DemoRegionCut } from '../../../packages/node/src/region/testing.ts';
import { DESKTOP } from './accessible.ts';
import { buildPortal } from './build.ts';
import { serveBuild } from './serve-build.ts';

export interface BrowserRegion {
  readonly region: RunningRegion;
  readonly browser: Browser;
  /** A member's origin as the browser reaches it (localhost: WebAuthn needs a secure context). */
  origin(ura: string): string;
  /** A fresh browser context at desktop size that serves the fresh portal build on every node. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * The demo region (all ten members, or the `cut` of it; short logbook timings) with a fresh portal build and
 * Debian's Chromium, for the browser tests that browse the nodes themselves (passkeys need the
 * node's own origin).
 */
export async function startBrowserRegion(cut: DemoRegionCut = {}): Promise<BrowserRegion> {
  const [root, files] = await Promise.all([buildPortal(), demoRegionOnFreePorts(cut)]);
  const region = await startRegion({
    ...files,
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  const browser = await chromium.launch({
    executablePath: ensureChromium(),
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
  const contexts: BrowserContext[] = [];
  return {
    region,
    browser,
    origin: (ura) => new URL(region.node(ura).fhirBase).origin.replace('127.0.0.1', 'localhost'),
    async newContext() {
      const context = await browser.newContext({
        viewport: DESKTOP,
        acceptDownloads: true,
        // A Dutch browser: date and time inputs as a Dutch user sees them.
        locale: 'nl-NL',
        timezoneId: 'Europe/Amsterdam',
      });
      context.setDefaultTimeout(15_000);
      await serveBuild(context, root);
      contexts.push(context);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
      await region.close();
    },
  };
}
