import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ed25519 } from '@noble/curves/ed25519.js';
import { M61, mul } from './field.ts';
import { Party } from './engine.ts';
import { MPC_MESSAGE_PATH, createHttpTransport, type MpcPeer } from './http-transport.ts';
import type { PartyIndex } from './shamir.ts';
import { MpcProtocolError } from './transport.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function setup(): Promise<{ parties: Party[]; peers: MpcPeer[]; keys: Uint8Array[] }> {
  const keys = [1, 2, 3].map(() => ed25519.utils.randomSecretKey());
  const peers: MpcPeer[] = [];
  const transports = ([1, 2, 3] as PartyIndex[]).map((me) =>
    createHttpTransport({ me, secretKey: keys[me - 1]!, peers: () => peers }),
  );
  for (const [i, t] of transports.entries()) {
    const server = createServer((req, res) => {
      if (req.url === MPC_MESSAGE_PATH) t.handle(req, res);
      else res.writeHead(404).end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    peers.push({
      index: (i + 1) as PartyIndex,
      url: `http://127.0.0.1:${port}`,
      publicKey: ed25519.getPublicKey(keys[i]!),
    });
  }
  const parties = ([1, 2, 3] as PartyIndex[]).map(
    (me) =>
      new Party({
        field: M61,
        me,
        transport: transports[me - 1]!.transport,
        specHash: 'spec',
        timeoutMs: 3000,
      }),
  );
  return { parties, peers, keys };
}

describe('HTTP transport between three loopback servers', () => {
  it('runs input, multiplication and open with signed messages', async () => {
    const { parties } = await setup();
    const a = [3n, 5n, 7n];
    const b = [11n, 13n, 17n];
    const res = await Promise.all(
      parties.map(async (p) => {
        const [sa, sb] = await p.input(
          [
            { owner: 1, count: 3 },
            { owner: 2, count: 3 },
          ],
          p.me === 1 ? [a] : p.me === 2 ? [b] : [],
        );
        const [ab] = await p.mul([[sa!, sb!]]);
        return (await p.open([ab!]))[0];
      }),
    );
    for (const r of res) expect(r).toEqual(a.map((x, k) => mul(M61, x, b[k]!)));
  });

  it('refuses unknown senders, bad signatures and replays', async () => {
    const { peers, keys } = await setup();
    const target = peers[0]!;
    const post = async (from: number, key: Uint8Array, round = 1, tamper = false): Promise<number> => {
      const meta = JSON.stringify({ specHash: 'spec', round, from, to: 1, count: 0 });
      const signed = new Uint8Array([...new TextEncoder().encode('ketenlog-mpc-v1\n' + meta + '\n')]);
      const sig = ed25519.sign(signed, key);
      if (tamper) sig[0]! ^= 1;
      const res = await fetch(target.url + MPC_MESSAGE_PATH, {
        method: 'POST',
        headers: {
          'x-ketenlog-mpc': Buffer.from(meta).toString('base64url'),
          'x-ketenlog-mpc-signature': Buffer.from(sig).toString('base64url'),
        },
        body: new Uint8Array(0),
      });
      return res.status;
    };
    expect(await post(2, keys[1]!)).toBe(204);
    expect(await post(2, keys[1]!)).toBe(409); // replay of (round 1, party 2)
    expect(await post(3, keys[1]!, 1)).toBe(401); // party 2's key claiming to be party 3
    expect(await post(3, keys[2]!, 2, true)).toBe(401);
    expect(await post(4, keys[1]!)).toBe(403);
    expect(await post(1, keys[0]!)).toBe(403); // itself is not a peer
  });

  it('sending to a party that is not configured fails', async () => {
    const t = createHttpTransport({ me: 1, secretKey: ed25519.utils.randomSecretKey(), peers: () => [] });
    await expect(
      t.transport.send({ specHash: 's', round: 1, from: 1, to: 2, count: 0, body: new Uint8Array(0) }),
    ).rejects.toBeInstanceOf(MpcProtocolError);
  });
});
