import type { Position } from '../api/carelog.ts';

/** The final receipt of this node's log entry at `at` (waits briefly for the witnesses' quorum). */
export async function receiptAt(at: Position): Promise<string | undefined> {
  try {
    const response = await fetch(`/logbook/receipts/${at.index}?wait=5000`, { credentials: 'same-origin' });
    return response.status === 200 ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}
