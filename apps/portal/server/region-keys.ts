import { logOriginOf, receiptPolicyFor, type RegionConfig } from '@ketenlog/region';
import type { ReceiptPolicy } from '@ketenlog/logbook';

/**
 * What /portal/api/region-keys serves: every member log's receipt policy, keyed by log origin, and
 * the members' public names (so the portal names an organisation instead of showing its URA).
 */
export function regionKeysOf(region: RegionConfig): {
  region: string;
  policies: ReceiptPolicy[];
  organisations: { ura: string; name: string; type: string }[];
} {
  const policies = region.organisations.flatMap((o) => {
    const policy = receiptPolicyFor(region, logOriginOf(region, o));
    return policy ? [policy] : [];
  });
  const organisations = region.organisations.map((o) => ({ ura: o.ura, name: o.name, type: o.type }));
  return { region: region.name, policies, organisations };
}
