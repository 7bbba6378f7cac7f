// Test harness: a TCP proxy between one node process and its PostgreSQL server that the test can
// cut — a partition without root network namespaces. Cut, the proxy closes its connections to the
// server (what the server's TCP keepalive does to a silent peer after a few seconds: its sessions
// end, their advisory locks are released) and leaves the process's side open and silent (what a
// process sees of a partition: no answer, no reset); new connections are accepted and stay silent.
// Healed, the silent connections are reset (what the process sees when the network returns and
// the server has long forgotten them) and new ones pass again.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  readonly cut: boolean;
  /** Partitions: the server's side closed, the process's side silent. */
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; server?: Socket }>();
  let cut = false;
  const server: Server = createServer((client) => {
    const pair: { client: Socket; server?: Socket } = { client };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pair.server?.destroy();
      pairs.delete(pair);
    });
    if (cut) return; // silent: accepted, never forwarded
    const upstream = connect(target.port, target.host);
    pair.server = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      // The server ended the session: the process learns of it, unless partitioned.
      if (!cut) client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get cut() {
      return cut;
    },
    partition() {
      cut = true;
      for (const pair of pairs) {
        pair.client.unpipe();
        pair.server?.unpipe();
        pair.server?.destroy();
        pair.server = undefined;
      }
    },
    heal() {
      cut = false;
      for (const pair of pairs) if (!pair.server) pair.client.resetAndDestroy();
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
