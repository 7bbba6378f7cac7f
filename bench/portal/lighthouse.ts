// Lighthouse (npm lighthouse, Debian's Chromium) on the portal against a real in-process demo
// region (five members). Prints a table per page; issue 7 targets: performance >= 90, LCP <= 1.5 s.
// Run: npm run bench:portal
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { ensureChromium } from '../../test/chromium.ts';
import { startRegion } from '../../packages/node/src/region/run-region.ts';
import { demoRegionOnFreePorts } from '../../packages/node/src/region/testing.ts';
import { buildPortal } from '../../apps/portal/test/build.ts';
import { startPortalFront } from '../../apps/portal/test/front.ts';

const PAGES = ['', 'login', 'diary', 'consent', 'representative', 'hours', 'dashboard', 'clients', 'analyst'];

const [root, files] = await Promise.all([buildPortal(), demoRegionOnFreePorts({ members: 5, quorum: 3 })]);
const region = await startRegion({ ...files, logLevel: 'fatal' });
const front = await startPortalFront(root, new URL(region.node('11110001').fhirBase).origin);
const chrome = await launch({
  chromePath: ensureChromium(),
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const rows: Record<string, string | number>[] = [];
try {
  for (const path of PAGES) {
    const result = await lighthouse(`${front.origin}/portal/${path}`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    });
    const lhr = result!.lhr;
    const ms = (id: string) => Math.round(lhr.audits[id]?.numericValue ?? NaN);
    rows.push({
      page: `/portal/${path}`,
      performance: Math.round((lhr.categories.performance?.score ?? 0) * 100),
      accessibility: Math.round((lhr.categories.accessibility?.score ?? 0) * 100),
      'best-practices': Math.round((lhr.categories['best-practices']?.score ?? 0) * 100),
      'FCP ms': ms('first-contentful-paint'),
      'LCP ms': ms('largest-contentful-paint'),
      'TBT ms': ms('total-blocking-time'),
      CLS: Number((lhr.audits['cumulative-layout-shift']?.numericValue ?? NaN).toFixed(3)),
    });
  }
} finally {
  chrome.kill();
  await front.app.close();
  await region.close();
}
console.table(rows);
console.log('targets (issue 7): performance >= 90, LCP <= 1500 ms');
