// Whom a receipt must convince: the region's log keys, its witnesses and their quorum. Browser-safe
// (no node: imports), so the portal checks receipts with exactly what the CLI uses.
import type { ReceiptPolicy } from '@ketenlog/logbook';
import { logOriginOf, type RegionConfig } from './config/region-config.ts';

/** The receipt policy for a member's log, by its checkpoint origin; undefined for a stranger's log. */
export function receiptPolicyFor(config: RegionConfig, origin: string): ReceiptPolicy | undefined {
  const owner = config.organisations.find((o) => logOriginOf(config, o) === origin);
  if (!owner) return undefined;
  const witnesses = config.organisations.filter(
    (o) => o.ura !== owner.ura && config.witnesses.members.includes(o.ura),
  );
  return {
    origin,
    logKey: owner.logKey,
    witnessKeys: witnesses.map((o) => o.cosignerKey),
    quorum: config.witnesses.quorum,
  };
}
