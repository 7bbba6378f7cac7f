import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Where the browser tests put their screenshots: docs/screenshots/ when KETENLOG_SCREENSHOTS=1 (to
 * refresh the committed ones), otherwise a temporary folder, so that a test run leaves the tree clean.
 */
export const SCREENSHOTS =
  process.env.KETENLOG_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : `${join(tmpdir(), 'ketenlog-screenshots')}/`;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/**
 * No serious or critical axe violations and no sideways scrolling, at desktop and at 360 px; a
 * full-page screenshot of each in SCREENSHOTS/portal-<name>-<desktop|360>.png.
 */
export async function checkAccessible(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? DESKTOP;
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['360', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    const serious = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious, `${name} at ${label}`).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    // What sticks out, to name in the failure: elements, and text that overflows its element.
    const wide = await page.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n && out.length < 5; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        if (range.getBoundingClientRect().right > window.innerWidth + 0.5)
          out.push(
            n instanceof Element ? n.tagName.toLowerCase() : `"${(n.textContent ?? '').slice(0, 40)}"`,
          );
      }
      return out;
    });
    expect(overflow, `${name} at ${label}: horizontal overflow (${wide.join(', ')})`).toBeLessThanOrEqual(0);
    await fullPageShot(page, `${SCREENSHOTS}portal-${name}-${label}.png`);
  }
  await page.setViewportSize(before);
}

export async function settle(page: Page): Promise<void> {
  await page.locator('h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[role="status"]'));
}

/**
 * A full-page screenshot with every list item painted: long lists skip painting items off screen
 * (content-visibility: auto), which a full-page screenshot would show as blank rows.
 */
export async function fullPageShot(page: Page, path: string): Promise<void> {
  const style = await page.addStyleTag({
    content: '.timeline li { content-visibility: visible !important; }',
  });
  await page.screenshot({ path, fullPage: true });
  await style.evaluate((node) => (node as Element).remove());
}
