// How fast the portal renders a timeline of 1,000 items (issue 7: <= 200 ms), in Debian's Chromium.
// The production build is served to the page by request interception, and the seven FHIR searches
// the timeline makes are answered with 1,000 bench resources (conditions, medication, allergies,
// lab results with reference ranges, vitals, encounters, documents; labelled as bench data), so
// the figure is the browser's work alone: from the last search answer read by the app to the
// 1,000th item in the DOM ("DOM") and to style and layout of the whole list in the next animation
// frame ("frame"). Median and max of RUNS page loads, unthrottled and with 4x CPU
// throttling (a mid-range phone). Run: node bench/portal/timeline.ts
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../../test/chromium.ts';
import { buildPortal } from '../../apps/portal/test/build.ts';
import { TIMELINE_TYPES } from '../../apps/portal/src/api/fhir.ts';

const ITEMS = 1_000;
const RUNS = Number(process.env.RUNS ?? 15);
const ORIGIN = 'http://portal.bench';
const TYPES = TIMELINE_TYPES;

function resource(type: string, n: number): object {
  const day = new Date(Date.UTC(2026, 0, 1) - n * 3_600_000 * 7).toISOString();
  const source = ['Kraamzorg De Wieg', 'Ziekenhuis Maasland', 'Huisartsenpraktijk De Maas'][n % 3];
  const base = { resourceType: type, id: `bench-${n}`, meta: { source, lastUpdated: day } };
  switch (type) {
    case 'Observation':
      return {
        ...base,
        status: 'final',
        effectiveDateTime: day,
        code: { text: `Bench-meting ${n}` },
        valueQuantity: { value: 7 + (n % 30) / 10, unit: 'mmol/L' },
        referenceRange: [{ low: { value: 7.5 }, high: { value: 10 } }],
      };
    case 'Encounter':
      return { ...base, status: 'finished', period: { start: day }, type: [{ text: `Bench-contact ${n}` }] };
    case 'DocumentReference':
      return { ...base, status: 'current', date: day, description: `Bench-document ${n}` };
    case 'MedicationRequest':
      return { ...base, authoredOn: day, medicationCodeableConcept: { text: `Bench-middel ${n}` } };
    case 'MedicationStatement':
      return { ...base, effectiveDateTime: day, medicationCodeableConcept: { text: `Bench-middel ${n}` } };
    default:
      return { ...base, recordedDate: day, code: { text: `Bench-${type} ${n}` } };
  }
}

/** 1,000 resources of the seven timeline types, as her node's /exchange/records answers them. */
const records = JSON.stringify({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: Array.from({ length: ITEMS }, (_, n) => ({ resource: resource(TYPES[n % TYPES.length]!, n) })),
});
/** A logged-in client (issue 17: the timeline is hers; a logged-out visitor sees the landing page). */
const SESSION = JSON.stringify({
  principal: { kind: 'client', holder: 'bench-client', credentialId: 'bench' },
});
const ME = JSON.stringify({
  kind: 'client',
  name: 'Bench Cliënt',
  organisation: { ura: '0', name: 'Bench' },
});

// Before the app runs: note when the app has read the last search answer, and when the 1,000th
// item is in the DOM and the frame after it.
const PROBE = `(() => {
  const marks = (window.__bench = { lastAnswer: 0, dom: 0, frame: 0 });
  const text = Response.prototype.text;
  Response.prototype.text = async function () {
    const body = await text.call(this);
    if (this.url.includes('/exchange/records')) marks.lastAnswer = performance.now();
    return body;
  };
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll('.timeline li').length < ${ITEMS}) return;
    marks.dom = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => {
      // Style and layout of the whole list, forced here so that the mark includes them.
      void document.documentElement.scrollHeight;
      marks.frame = performance.now();
    });
  }).observe(document, { childList: true, subtree: true });
})();`;

async function measure(page: Page): Promise<{ dom: number; frame: number }> {
  await page.goto(`${ORIGIN}/portal/timeline`);
  await page.waitForFunction(
    () => (window as unknown as { __bench: { frame: number } }).__bench.frame > 0,
    undefined,
    {
      timeout: 30_000,
    },
  );
  const m = await page.evaluate(
    () => (window as unknown as { __bench: { lastAnswer: number; dom: number; frame: number } }).__bench,
  );
  return { dom: m.dom - m.lastAnswer, frame: m.frame - m.lastAnswer };
}

const root = await buildPortal();
const browser = await chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
const rows: Record<string, string | number>[] = [];
try {
  for (const throttle of [1, 4]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(PROBE);
    await context.addInitScript(() => localStorage.setItem('ketenlog-session', '1'));
    await context.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      const json = (body: string) => route.fulfill({ status: 200, contentType: 'application/json', body });
      if (url.pathname === '/exchange/records') return json(records);
      if (url.pathname === '/auth/session') return json(SESSION);
      if (url.pathname === '/exchange/me') return json(ME);
      if (url.pathname === '/portal/api/region-keys') return json('{"organisations":[]}');
      if (!url.pathname.startsWith('/portal/')) return route.fulfill({ status: 404, body: '{}' });
      const path = normalize(url.pathname.replace(/^\/portal\/?/, ''));
      const file = join(root, path);
      const found = path !== '.' && !path.startsWith('..') && existsSync(file) && statSync(file).isFile();
      return route.fulfill({ path: found ? file : join(root, 'index.html') });
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
    await measure(page); // warm-up (compile, caches)
    const dom: number[] = [];
    const frame: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const m = await measure(page);
      dom.push(m.dom);
      frame.push(m.frame);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    rows.push({
      'CPU throttle': `${throttle}x`,
      runs: RUNS,
      'DOM median ms': Math.round(median(dom)),
      'frame median ms': Math.round(median(frame)),
      'frame max ms': Math.round(Math.max(...frame)),
      items: await page.locator('.timeline li').count(),
    });
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(
  `Chromium ${browser.version()}, portal build ${readFileSync(join(root, 'index.html')).length} B index`,
);
console.table(rows);
console.log('target (issue 7): a timeline of 1,000 items renders in <= 200 ms');
