// Who reaches the node's FHIR API without a credential. At a region member, a request to /fhir with
// a bearer token (a member's node token, a patient app's token) or a portal session is judged by
// their own guards; any other request (at a node outside a region: every request) is the organisation's own source API — its EHR, import jobs, the demo — and is
// served only to callers on the internal network: loopback and the private address ranges by
// default. Anyone else gets 401, so a node exposed to the internet by mistake discloses nothing.
import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { replyOutcome } from '@ketenlog/fhir';

/** Loopback and private ranges (RFC 1918, RFC 4193): the organisation's own network. */
export const INTERNAL_NETWORKS = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::1/128',
  'fc00::/7',
] as const;

const OPEN = new Set(['metadata', '.well-known']);

export function internalNetworks(cidrs: readonly string[] = INTERNAL_NETWORKS): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix), type);
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

export function registerFhirAccess(
  app: FastifyInstance,
  options: {
    readonly fhirPath: string;
    /** Whether the request carries a credential that other guards judge (a bearer token, a session). */
    readonly judgedElsewhere: (request: FastifyRequest) => boolean;
    readonly networks?: BlockList;
  },
): void {
  const networks = options.networks ?? internalNetworks();
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path !== options.fhirPath && !path.startsWith(`${options.fhirPath}/`)) return;
    const first = path.slice(options.fhirPath.length).split('/').filter(Boolean)[0];
    if (first !== undefined && OPEN.has(first)) return;
    if (options.judgedElsewhere(request)) return;
    if (isInside(networks, request.socket.remoteAddress ?? '')) return;
    return replyOutcome(
      reply.header('www-authenticate', 'Bearer'),
      401,
      'login',
      'Aanmelden is nodig voor deze FHIR-API.',
    );
  });
}
