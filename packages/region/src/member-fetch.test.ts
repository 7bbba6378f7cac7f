import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberFetch, MemberFetchError } from './member-fetch.ts';
import type { RegionConfig } from './config/region-config.ts';
import { testRegion } from './testing.ts';

let server: Server;
let port: number;
let config: RegionConfig;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/redirect') {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    } else response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const demo = testRegion().config;
  // One member moved to the test server's port.
  config = {
    ...demo,
    organisations: demo.organisations.map((o, i) =>
      i === 0 ? { ...o, node: { ...o.node, baseUrl: `http://127.0.0.1:${port}` } } : o,
    ),
  };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('memberFetch (SSRF guard)', () => {
  it('reaches a member node', async () => {
    const response = await memberFetch(config)(`http://127.0.0.1:${port}/logs/statements/checkpoint`);
    expect(await response.text()).toBe('ok');
  });

  it('refuses any other origin, credentials in the URL, and redirects', async () => {
    const fetchMember = memberFetch(config);
    await expect(fetchMember('http://169.254.169.254/latest/meta-data')).rejects.toBeInstanceOf(
      MemberFetchError,
    );
    await expect(fetchMember(`http://127.0.0.1:${port + 1}/`)).rejects.toThrow(
      /not a node of a region member/,
    );
    await expect(fetchMember(`http://user:pw@127.0.0.1:${port}/`)).rejects.toBeInstanceOf(MemberFetchError);
    await expect(fetchMember('not a url')).rejects.toThrow(/not a URL/);
    await expect(fetchMember(`http://127.0.0.1:${port}/redirect`)).rejects.toThrow();
  });
});
