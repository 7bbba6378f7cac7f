// What a followed directory may not change: how to reach a region member and which keys speak for
// it. The region file and the logbook's key statements are the authority there; an upstream
// Endpoint of a member that points elsewhere, or a key the logbook does not hold active for it, is a
// conflict — reported, not applied. About organisations outside the region, upstream is the source.
import type { Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import { findOrganisation, type KeyRegister, type RegionConfig } from '@ketenlog/region';
import {
  activeNodeKeys,
  LOG_KEY_EXTENSION,
  STATEMENT_KEY_EXTENSION,
  URA_SYSTEM,
} from './region-directory.ts';

export interface RegionView {
  readonly config: RegionConfig;
  readonly keys: KeyRegister;
}

/** The URAs an Organization carries. */
export function urasOf(organization: Organization): string[] {
  return (organization.identifier ?? [])
    .filter((i) => i.system === URA_SYSTEM && typeof i.value === 'string')
    .map((i) => i.value!);
}

/**
 * Why `resource` may not be applied, or undefined. `usersOf` names the Organizations (as the
 * followed directory has them) that use or manage an Endpoint.
 */
export function regionConflict(
  region: RegionView,
  resource: Resource,
  usersOf: (endpoint: Endpoint) => readonly Organization[],
): { ura: string; reason: string } | undefined {
  if (resource.resourceType !== 'Endpoint') return undefined;
  for (const organization of usersOf(resource))
    for (const ura of urasOf(organization)) {
      const member = findOrganisation(region.config, ura);
      if (!member) continue;
      const origin = new URL(member.node.baseUrl).origin;
      let address: string | undefined;
      try {
        address = new URL(resource.address ?? '').origin;
      } catch {
        address = undefined;
      }
      if (address !== origin)
        return {
          ura,
          reason: `endpoint ${resource.address ?? '(none)'} is not the member's node (${origin}) in the region file`,
        };
      for (const extension of resource.extension ?? []) {
        if (extension.url === LOG_KEY_EXTENSION && extension.valueString !== member.logKey)
          return { ura, reason: 'the log key differs from the region file' };
        if (extension.url === STATEMENT_KEY_EXTENSION) {
          const keyId = extension.extension?.find((e) => e.url === 'keyId')?.valueString;
          const publicKey = extension.extension?.find((e) => e.url === 'publicKey')?.valueBase64Binary;
          const active = activeNodeKeys(region.keys, ura);
          if (!active.some((k) => k.keyId === keyId && k.publicKey === publicKey))
            return {
              ura,
              reason: `key ${keyId ?? '(no id)'} is not an active node key of ura:${ura} on the logbook`,
            };
        }
      }
    }
  return undefined;
}
