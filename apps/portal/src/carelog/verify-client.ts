// The page's side of the receipt checks: one worker per page (verify.worker.ts) does them all, so
// a page full of badges never blocks input. Where no worker can start, the page checks them itself,
// one receipt per task. Either way a badge says "geverifieerd" only when the check passed.
import type { ToCheck } from './receipts.ts';
import type { CheckAnswer, CheckRequest } from './verify.worker.ts';

let worker: Worker | undefined;
/** Set once the worker failed: from then on the page checks receipts itself. */
let failed = false;
let nextId = 0;
const waiting = new Map<number, { items: readonly ToCheck[]; done: (holds: boolean) => void }>();

const onThePage = (items: readonly ToCheck[]): Promise<boolean> =>
  import('./receipts.ts').then((m) => m.allHold(items, true));

function started(): Worker | undefined {
  if (worker || failed || typeof Worker === 'undefined') return worker;
  try {
    worker = new Worker(new URL('./verify.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    failed = true;
    return undefined;
  }
  worker.addEventListener('message', (event: MessageEvent<CheckAnswer>) => {
    const job = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    job?.done(event.data.holds);
  });
  // The worker could not load or crashed: what it still owed is checked on the page.
  worker.addEventListener('error', () => {
    worker?.terminate();
    worker = undefined;
    failed = true;
    const owed = [...waiting.values()];
    waiting.clear();
    for (const job of owed) void onThePage(job.items).then(job.done, () => job.done(false));
  });
  return worker;
}

/** True when every receipt verifies against the region's keys and holds its statement. */
export function receiptsHold(items: readonly ToCheck[]): Promise<boolean> {
  const checker = started();
  if (!checker) return onThePage(items);
  return new Promise((done) => {
    const id = nextId++;
    waiting.set(id, { items, done });
    checker.postMessage({ id, items } satisfies CheckRequest);
  });
}
