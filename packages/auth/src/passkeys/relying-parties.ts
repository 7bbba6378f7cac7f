// The relying parties of a region: every member node's pages may enrol passkeys and have them sign,
// so a witness accepts assertions made on any member's origin (and only those). The RP ID is the
// node's host name; WebAuthn does not allow IP addresses as RP IDs, so a node on a loopback
// address (the demo region) is reached as `localhost`.
import type { RegionConfig } from '@ketenlog/region';
import type { RelyingParty } from './statement-assertion.ts';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The relying party of a node's base URL; throws for a non-loopback IP address. */
export function relyingPartyOf(baseUrl: string): RelyingParty {
  const url = new URL(baseUrl);
  if (LOOPBACK.has(url.hostname)) {
    return { rpId: 'localhost', origins: [`${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`] };
  }
  if (/^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('['))
    throw new TypeError(`${baseUrl}: a WebAuthn relying party needs a domain name, not an IP address`);
  return { rpId: url.hostname, origins: [url.origin] };
}

/** Every member node's relying party (what createWebAuthnVerify takes at each witness). */
export function regionRelyingParties(config: RegionConfig): RelyingParty[] {
  return config.organisations.map((o) => relyingPartyOf(o.node.baseUrl));
}
