// The "geverifieerd" badge: a logged statement's tlog-proof receipt checked in the browser against
// the region's policies (verifyLogged), and the entry the receipt carries being the very statement
// shown (its hash), so a receipt for something else never earns the badge.
import {
  parseEntry,
  parseReceipt,
  statementHash,
  toBase64,
  type ReceiptPolicy,
} from '@ketenlog/logbook/core';
import { regionPolicies, verifyLogged } from '../verify.ts';

/** True when the receipt verifies and holds the statement with this base64 hash. */
export function receiptHolds(receipt: string, hash: string, policies: readonly ReceiptPolicy[]): boolean {
  let extra: Uint8Array | undefined;
  try {
    extra = parseReceipt(receipt).extra;
  } catch {
    return false;
  }
  if (!extra || !verifyLogged(receipt, extra, policies).verified) return false;
  const entry = parseEntry(extra);
  return entry.ok && toBase64(statementHash(entry.value.statement)) === hash;
}

let policies: Promise<readonly ReceiptPolicy[]> | undefined;
/** The region's receipt policies, fetched once per page load (or once per worker). */
export function regionReceiptPolicies(): Promise<readonly ReceiptPolicy[]> {
  policies ??= regionPolicies().then((r) => (r.kind === 'ok' ? r.value.policies : []));
  return policies;
}

/** A statement to check: its base64 hash and its receipt (none: not final, so not verified). */
export interface ToCheck {
  readonly hash: string;
  readonly receipt: string | undefined;
}

/**
 * True when every receipt verifies and holds its statement. On the page's own thread (`yieldEach`)
 * one receipt per task, so the page stays responsive; in the worker straight through.
 */
export async function allHold(items: readonly ToCheck[], yieldEach: boolean): Promise<boolean> {
  const known = await regionReceiptPolicies();
  for (const { hash, receipt } of items) {
    if (yieldEach) await new Promise((r) => setTimeout(r, 0));
    if (receipt === undefined || !receiptHolds(receipt, hash, known)) return false;
  }
  return true;
}
