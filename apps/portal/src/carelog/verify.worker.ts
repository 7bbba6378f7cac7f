// Receipt checks off the page's thread: each receipt is a few Ed25519 signature checks and a
// Merkle proof, about 50 ms on a mid-range phone, and a page of approved hours holds hundreds —
// on the main thread that was seconds of blocked input (Lighthouse's total blocking time, issue 17).
import { allHold, type ToCheck } from './receipts.ts';

export interface CheckRequest {
  readonly id: number;
  readonly items: readonly ToCheck[];
}
export interface CheckAnswer {
  readonly id: number;
  readonly holds: boolean;
}

addEventListener('message', (event: MessageEvent<CheckRequest>) => {
  const { id, items } = event.data;
  void allHold(items, false).then(
    (holds) => postMessage({ id, holds } satisfies CheckAnswer),
    // A check that throws has not shown the receipts hold.
    () => postMessage({ id, holds: false } satisfies CheckAnswer),
  );
});
