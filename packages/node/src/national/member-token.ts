// A node token for a URL on another member's node (its mCSD directory, its NVI), or undefined for
// any other URL: a region member authenticates to another with its node key, as everywhere in
// the region; a national service gets the credential its configuration names.
import { issueNodeToken } from '@ketenlog/auth';
import type { Membership } from '../region/membership.ts';

export function memberTokenFor(membership: Membership, purpose: string) {
  const key = { keyId: membership.statementKey.keyId, secretKey: membership.statementKey.secretKey };
  return async (url: string): Promise<string | undefined> => {
    const member = membership.region.organisations.find((o) =>
      url.startsWith(`${o.node.baseUrl.replace(/\/$/, '')}/`),
    );
    if (!member) return undefined;
    return issueNodeToken(key, {
      organisation: membership.organisation.ura,
      audience: member.node.baseUrl,
      role: 'node',
      purpose,
    });
  };
}
