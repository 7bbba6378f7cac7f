// The SMART standalone launch in a real browser: Debian's Chromium runs the official fhirclient
// build, which discovers the node's smart-configuration, logs in (demo session cookie), exchanges
// the code with PKCE, reads its patient and writes a self-measurement tagged self-reported.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../../test/chromium.ts';
import { PROVENANCE_SYSTEM } from './fhir-guard.ts';
import { startSmartTestNode } from './test-node.ts';

describe('SMART app in Chromium with fhirclient', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('launches standalone, reads its patient and writes a self-reported Observation', async () => {
    const node = await startSmartTestNode();
    const context = await browser.newContext();
    try {
      await context.addCookies([{ name: 'demo_user', value: 'pseudo:anna', url: node.base }]);
      const page = await context.newPage();
      await page.goto(`${node.base}/app/launch.html`);
      // She sees which app asks for what, and allows it.
      await page.getByRole('button', { name: 'Toestaan' }).click({ timeout: 15_000 });
      await page
        .waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, {
          timeout: 15_000,
        })
        .catch(async (error: unknown) => {
          throw new Error(`${String(error)} at ${page.url()}: ${(await page.content()).slice(0, 400)}`);
        });
      const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as Record<
        string,
        unknown
      >;
      expect(result['error']).toBeUndefined();
      expect(result['patient']).toBe('anna');
      expect(result['own']).toBe(2);
      expect(result['otherStatus']).toBe(403);
      expect(result['refresh']).toBe(true);
      const created = result['created'] as { id: string; meta: { tag: { system: string; code: string }[] } };
      expect(created.meta.tag).toEqual([
        expect.objectContaining({ system: PROVENANCE_SYSTEM, code: 'self-reported' }),
      ]);
      expect(node.store.get(`Observation/${created.id}`)).toBeDefined();
    } finally {
      // The browser's keep-alive connections must go before the server can close.
      await context.close();
      await node.app.close();
    }
  }, 60_000);
});
