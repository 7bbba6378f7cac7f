// Receipt verification in the browser: the same verifyReceipt the CLI uses, against the region's
// policies the node serves at /portal/api/region-keys, from the logbook's browser-safe core.
import { verifyReceipt, type ReceiptPolicy } from '@ketenlog/logbook/core';
import { requestJson, type ApiResult } from './api/http.ts';

export type Verification = { verified: true } | { verified: false; reason: string };

export async function regionPolicies(): Promise<ApiResult<{ policies: ReceiptPolicy[] }>> {
  return requestJson('/portal/api/region-keys');
}

/** Cosigned checkpoints opened on this page: many receipts share one, its signatures checked once. */
const opened: NonNullable<Parameters<typeof verifyReceipt>[3]> = new Map();

/** Checks a tlog-proof receipt for an entry against the policy of the log it names. */
export function verifyLogged(
  receipt: string,
  entry: Uint8Array,
  policies: readonly ReceiptPolicy[],
): Verification {
  const candidates = policies.filter((p) => receipt.includes(p.origin));
  if (candidates.length === 0) return { verified: false, reason: 'unknown-log' };
  let reason = 'invalid';
  for (const policy of candidates) {
    const result = verifyReceipt(receipt, entry, policy, opened);
    if (result.ok) return { verified: true };
    reason = result.reason;
  }
  return { verified: false, reason };
}
