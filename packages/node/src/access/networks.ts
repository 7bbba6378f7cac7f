// Trusted networks: a deployment that truly needs callers without a credential (a legacy EHR that
// cannot do SMART Backend Services) may list its networks in the configuration. Off by default,
// never in the demo, and announced with a warning at start.
import { BlockList, isIP } from 'node:net';

/** A BlockList of CIDR ranges; throws on a malformed range. */
export function networksOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    const type = isIP(address);
    const bits = Number(prefix);
    if (type === 0 || !/^\d{1,3}$/.test(prefix) || bits > (type === 6 ? 128 : 32))
      throw new Error(`not a network in CIDR notation: ${cidr}`);
    list.addSubnet(address, bits, type === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Whether an address is inside the networks (IPv4-mapped IPv6 counts as IPv4). */
export function isInside(networks: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const type = isIP(ip);
  return type !== 0 && networks.check(ip, type === 6 ? 'ipv6' : 'ipv4');
}
