/**
 * The engine's transport over HTTP between region members. By default each party opens one
 * persistent, authenticated channel to each peer (stream-channel.ts: a signed X25519 handshake,
 * then frames under HMAC-SHA256 with sequence numbers), so a message costs a MAC, not a request and
 * a signature. Single messages remain accepted (and are used with `channels: false`): a POST of the
 * packed elements, with its metadata in a header and an Ed25519 signature by the sender's key over
 * domain ‖ metadata ‖ body. Either way the receiver refuses unknown senders (403), bad signatures
 * (401), messages not addressed to it and replays of a (round, sender) (409; on a channel: a replayed,
 * reordered or tampered frame ends the channel and fails the run). Outbound only to the configured
 * peer URLs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { FHIR_JSON, issueCodeFor, outcomeOf } from '@ketenlog/problem';
import type { PartyIndex } from './shamir.ts';
import { Mailbox, MpcProtocolError, type RoundMessage, type Transport } from './transport.ts';
import { acceptStream, helloSigned, openStream, parseHello, type StreamSender } from './stream-channel.ts';

export const MPC_MESSAGE_PATH = '/mpc/v1/message';
const DOMAIN = new TextEncoder().encode('ketenlog-mpc-v1\n');
const MAX_BODY = 64 * 1024 * 1024;

export type MpcPeer = { readonly index: PartyIndex; readonly url: string; readonly publicKey: Uint8Array };

export type HttpTransportOptions = {
  readonly me: PartyIndex;
  readonly secretKey: Uint8Array;
  /** the two other parties; `url` is their base URL, resolved at send time */
  readonly peers: () => readonly MpcPeer[];
  /** single messages only: the fetch they go through (default: the global fetch) */
  readonly fetch?: typeof fetch;
  /** persistent channels (default) or one signed POST per message */
  readonly channels?: boolean;
  /** a channel unused this long is closed (and reopened when needed); default 30 s */
  readonly channelIdleMs?: number;
};

// Raw Ed25519 keys as node:crypto KeyObjects (RFC 8410 DER prefixes): the native signer is an order
// of magnitude faster than a JavaScript one, and every round signs and verifies two messages.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

function privateKeyOf(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, raw]), format: 'der', type: 'pkcs8' });
}

function publicKeyOf(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

type Meta = { specHash: string; round: number; from: number; to: number; count: number };

function signedBytes(meta: string, body: Uint8Array): Uint8Array {
  const m = new TextEncoder().encode(meta + '\n');
  const out = new Uint8Array(DOMAIN.length + m.length + body.length);
  out.set(DOMAIN, 0);
  out.set(m, DOMAIN.length);
  out.set(body, DOMAIN.length + m.length);
  return out;
}

function parseMeta(raw: string): Meta | null {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    const int = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
    if (typeof v.specHash !== 'string' || v.specHash.length > 200) return null;
    if (!int(v.round) || !int(v.from) || !int(v.to) || !int(v.count)) return null;
    return { specHash: v.specHash, round: v.round, from: v.from, to: v.to, count: v.count };
  } catch {
    return null;
  }
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > MAX_BODY) throw new MpcProtocolError('message too large');
    chunks.push(c);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export type HttpTransport = {
  readonly transport: Transport;
  /** Mount at POST MPC_MESSAGE_PATH (node:http handler; answers itself). */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
};

export function createHttpTransport(o: HttpTransportOptions): HttpTransport {
  const mailbox = new Mailbox();
  const doFetch = o.fetch ?? fetch;
  const secretKey = privateKeyOf(o.secretKey);
  const publicKeys = new Map<Uint8Array, KeyObject>();
  const publicKey = (raw: Uint8Array): KeyObject => {
    let k = publicKeys.get(raw);
    if (!k) publicKeys.set(raw, (k = publicKeyOf(raw)));
    return k;
  };
  const peer = (i: number): MpcPeer | undefined => o.peers().find((p) => p.index === i && p.index !== o.me);

  const channels = new Map<string, { sender: Promise<StreamSender>; idle?: ReturnType<typeof setTimeout> }>();
  const idleMs = o.channelIdleMs ?? 30_000;
  const channelTo = (to: MpcPeer, specHash: string) => {
    const name = `${to.index} ${specHash}`;
    let c = channels.get(name);
    if (!c) {
      const sender = openStream({
        url: to.url,
        path: MPC_MESSAGE_PATH,
        specHash,
        from: o.me,
        to: to.index,
        secretKey,
        peerKey: publicKey(to.publicKey),
      });
      channels.set(name, (c = { sender }));
      sender.catch(() => channels.delete(name));
    }
    const entry = c;
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = setTimeout(() => {
      channels.delete(name);
      void entry.sender.then(
        (s) => s.close(),
        () => undefined,
      );
    }, idleMs);
    entry.idle.unref();
    return entry.sender;
  };

  const transport: Transport = {
    async send(msg: RoundMessage): Promise<void> {
      const to = peer(msg.to);
      if (!to || msg.from !== o.me) throw new MpcProtocolError(`not a configured peer: ${msg.to}`);
      if (o.channels !== false) {
        const sender = await channelTo(to, msg.specHash);
        return sender.send(msg.round, msg.count, msg.body);
      }
      const meta = JSON.stringify({
        specHash: msg.specHash,
        round: msg.round,
        from: msg.from,
        to: msg.to,
        count: msg.count,
      });
      const sig = sign(null, signedBytes(meta, msg.body), secretKey);
      const res = await doFetch(new URL(MPC_MESSAGE_PATH, to.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'x-ketenlog-mpc': Buffer.from(meta).toString('base64url'),
          'x-ketenlog-mpc-signature': Buffer.from(sig).toString('base64url'),
        },
        body: new Uint8Array(msg.body) as Uint8Array<ArrayBuffer>,
      });
      await res.arrayBuffer();
      if (res.status !== 204)
        throw new MpcProtocolError(`party ${msg.to} refused round ${msg.round}: ${res.status}`);
    },
    receive: (round, from, timeoutMs) => mailbox.take(round, from, timeoutMs),
    close: async () => {
      const open = [...channels.values()];
      channels.clear();
      for (const c of open) {
        if (c.idle) clearTimeout(c.idle);
        await c.sender.then(
          (x) => x.close(),
          () => undefined,
        );
      }
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // Refusals as FHIR OperationOutcome, like every other route of a node (the one error model).
    const answer = (status: number, text: string): void => {
      const code = status === 401 ? 'security' : issueCodeFor(status);
      res
        .writeHead(status, { 'content-type': FHIR_JSON })
        .end(JSON.stringify(outcomeOf({ status, code, text })));
    };
    void (async () => {
      if (req.method !== 'POST') return answer(405, 'POST only');
      const rawMeta = req.headers['x-ketenlog-mpc'];
      const rawSig = req.headers['x-ketenlog-mpc-signature'];
      if (typeof rawMeta !== 'string' || typeof rawSig !== 'string') return answer(400, 'missing headers');
      const hello = parseHello(rawMeta);
      if (hello) {
        const from = peer(hello.from);
        if (!from) return answer(403, 'unknown sender');
        if (hello.to !== o.me) return answer(400, 'not addressed to this party');
        const helloText = Buffer.from(rawMeta, 'base64url').toString('utf8');
        if (!helloSigned(helloText, rawSig, publicKey(from.publicKey))) return answer(401, 'bad signature');
        return acceptStream(
          req,
          res,
          { text: helloText, eph: hello.eph },
          secretKey,
          (round, count, body) =>
            mailbox.deliver({ specHash: hello.specHash, round, from: from.index, to: o.me, count, body }),
          (e) => mailbox.fail(e),
        );
      }
      const meta = parseMeta(rawMeta);
      if (!meta) return answer(400, 'bad metadata');
      const sender = peer(meta.from);
      if (!sender) return answer(403, 'unknown sender');
      if (meta.to !== o.me) return answer(400, 'not addressed to this party');
      let body: Uint8Array;
      try {
        body = await readBody(req);
      } catch {
        return answer(413, 'message too large');
      }
      const metaText = Buffer.from(rawMeta, 'base64url').toString('utf8');
      let ok: boolean;
      try {
        ok = verify(
          null,
          signedBytes(metaText, body),
          publicKey(sender.publicKey),
          Buffer.from(rawSig, 'base64url'),
        );
      } catch {
        ok = false;
      }
      if (!ok) return answer(401, 'bad signature');
      try {
        mailbox.deliver({ ...meta, from: sender.index, to: o.me, body });
      } catch {
        return answer(409, 'replay');
      }
      res.writeHead(204).end();
    })();
  };
  return { transport, handle };
}
