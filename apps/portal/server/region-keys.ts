import { logOriginOf, receiptPolicyFor, type RegionConfig } from '@ketenlog/region';
import type { ReceiptPolicy } from '@ketenlog/logbook';

/** What /portal/api/region-keys serves: every member log's receipt policy, keyed by log origin. */
export function regionKeysOf(region: RegionConfig): { region: string; policies: ReceiptPolicy[] } {
  const policies = region.organisations.flatMap((o) => {
    const policy = receiptPolicyFor(region, logOriginOf(region, o));
    return policy ? [policy] : [];
  });
  return { region: region.name, policies };
}
