/**
 * Persistent, authenticated channels between the parties of a run: a message costs one HMAC, not an
 * HTTP request and an Ed25519 signature.
 *
 * A sender opens one long-lived POST to each peer (MPC_MESSAGE_PATH, chunked body, never ended
 * before the run is). Its headers are the handshake: the spec hash, both party indices and an
 * ephemeral X25519 key, signed with the sender's Ed25519 key. The receiver checks them as it checks
 * single messages (unknown sender 403, not addressed to it 400, bad signature 401), answers at once
 * with its own ephemeral key, signed over the sender's handshake, and keeps the body open. Both
 * derive the channel key by HKDF-SHA256 from the X25519 secret, salted with the hash of both
 * handshakes. From then on the body is a sequence of frames:
 *
 *   seq u32 ‖ round u32 ‖ count u32 ‖ length u32 ‖ body ‖ HMAC-SHA256(key, the 16 header bytes ‖ body)
 *
 * The receiver demands seq = 0, 1, 2, … in order, so a replayed, dropped or reordered frame, a
 * tampered one (its MAC) or one from anybody without the key ends the channel and fails the run's
 * mailbox. Confidentiality is the connection's, as for single messages (HTTPS between nodes).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  createHash,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { PartyIndex } from './shamir.ts';
import { MpcProtocolError } from './transport.ts';

const DOMAIN = 'ketenlog-mpc-stream-v1';
const HEADER = 16;
const MAC = 32;
/** Largest frame body: 64 MiB, as for single messages. */
export const MAX_FRAME = 64 * 1024 * 1024;

export type StreamHello = { specHash: string; from: number; to: number; stream: 1; eph: string };

function x25519Pair(): { privateKey: KeyObject; raw: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, raw: publicKey.export({ format: 'jwk' }).x! };
}

function x25519Public(raw: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw }, format: 'jwk' });
}

const signedHello = (hello: string): Buffer => Buffer.from(`${DOMAIN}\nhello\n${hello}`);
const signedAccept = (hello: string, eph: string): Buffer =>
  Buffer.from(`${DOMAIN}\naccept\n${hello}\n${eph}`);

function channelKey(mine: KeyObject, theirs: string, hello: string, eph: string): Buffer {
  const secret = diffieHellman({ privateKey: mine, publicKey: x25519Public(theirs) });
  const salt = createHash('sha256').update(signedAccept(hello, eph)).digest();
  return Buffer.from(hkdfSync('sha256', secret, salt, DOMAIN, 32));
}

/** Parse the handshake header (base64url JSON), or null. */
export function parseHello(raw: string): StreamHello | null {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    const idx = (x: unknown): x is number => x === 1 || x === 2 || x === 3;
    if (v.stream !== 1 || typeof v.specHash !== 'string' || v.specHash.length > 200) return null;
    if (!idx(v.from) || !idx(v.to) || typeof v.eph !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(v.eph))
      return null;
    return { specHash: v.specHash, from: v.from, to: v.to, stream: 1, eph: v.eph };
  } catch {
    return null;
  }
}

/** One frame: header, body, MAC. */
export function frame(key: Buffer, seq: number, round: number, count: number, body: Uint8Array): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE(seq, 0);
  head.writeUInt32BE(round, 4);
  head.writeUInt32BE(count, 8);
  head.writeUInt32BE(body.length, 12);
  const mac = createHmac('sha256', key).update(head).update(body).digest();
  return Buffer.concat([head, body, mac]);
}

/** The sending end of a channel: frames written to one long-lived request. */
export type StreamSender = {
  /** send one message; resolves once the bytes are handed to the socket */
  send(round: number, count: number, body: Uint8Array): Promise<void>;
  /** raw bytes after the handshake (tests of the receiver's refusals) */
  writeRaw(bytes: Uint8Array): Promise<void>;
  readonly key: Buffer;
  close(): void;
};

/**
 * Open a channel to `url` (the peer's base URL): the signed handshake, then a sender. Rejects when
 * the peer refuses the handshake or its answer is not signed by `peerKey`.
 */
export function openStream(o: {
  readonly url: string;
  readonly path: string;
  readonly specHash: string;
  readonly from: PartyIndex;
  readonly to: PartyIndex;
  readonly secretKey: KeyObject;
  readonly peerKey: KeyObject;
}): Promise<StreamSender> {
  const eph = x25519Pair();
  const hello = JSON.stringify({ specHash: o.specHash, from: o.from, to: o.to, stream: 1, eph: eph.raw });
  const target = new URL(o.path, o.url);
  const request =
    target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null;
  if (!request) return Promise.reject(new MpcProtocolError(`not an http(s) peer: ${target.origin}`));
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'transfer-encoding': 'chunked',
        'x-ketenlog-mpc': Buffer.from(hello).toString('base64url'),
        'x-ketenlog-mpc-signature': sign(null, signedHello(hello), o.secretKey).toString('base64url'),
      },
    });
    req.setNoDelay(true);
    let failed: Error | undefined;
    req.on('error', (e) => {
      failed = e;
      reject(e);
    });
    req.on('response', (res: IncomingMessage) => {
      const accept = res.headers['x-ketenlog-mpc-accept'];
      const sig = res.headers['x-ketenlog-mpc-signature'];
      if (res.statusCode !== 200 || typeof accept !== 'string' || typeof sig !== 'string') {
        res.resume();
        req.destroy();
        return reject(new MpcProtocolError(`party ${o.to} refused the channel: ${res.statusCode}`));
      }
      if (!/^[A-Za-z0-9_-]{43}$/.test(accept) || !signedBy(signedAccept(hello, accept), sig, o.peerKey)) {
        req.destroy();
        return reject(new MpcProtocolError(`party ${o.to} answered without its signature`));
      }
      res.resume();
      const key = channelKey(eph.privateKey, accept, hello, accept);
      let seq = 0;
      const write = (bytes: Uint8Array): Promise<void> =>
        new Promise((done, fail) => {
          if (failed) return fail(failed);
          req.write(bytes, (e) => (e ? fail(e) : done()));
        });
      resolve({
        key,
        send: (round, count, body) => write(frame(key, seq++, round, count, body)),
        writeRaw: write,
        close: () => req.end(),
      });
    });
    req.flushHeaders();
  });
}

/** Whether `sig` (base64url) is the key's Ed25519 signature over `bytes`. */
function signedBy(bytes: Buffer, sig: string, key: KeyObject): boolean {
  try {
    return verify(null, bytes, key, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

/** Whether `sig` (base64url) is the sender's signature over the handshake text. */
export function helloSigned(helloText: string, sig: string, senderKey: KeyObject): boolean {
  return signedBy(signedHello(helloText), sig, senderKey);
}

/**
 * Accept a channel on the receiving side, once the caller (the transport's handler) has checked the
 * handshake: its sender, its addressee and helloSigned. Answers with this party's ephemeral key and
 * signature, then hands every well-formed frame to `deliver`, in order; on anything else, or when
 * `deliver` throws (a round delivered twice), it calls `fail` and ends the channel.
 */
export function acceptStream(
  req: IncomingMessage,
  res: ServerResponse,
  hello: { readonly text: string; readonly eph: string },
  secretKey: KeyObject,
  deliver: (round: number, count: number, body: Uint8Array) => void,
  fail: (e: Error) => void,
): void {
  const eph = x25519Pair();
  const key = channelKey(eph.privateKey, hello.eph, hello.text, eph.raw);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'x-ketenlog-mpc-accept': eph.raw,
    'x-ketenlog-mpc-signature': sign(null, signedAccept(hello.text, eph.raw), secretKey).toString(
      'base64url',
    ),
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  let pending: Buffer[] = [];
  let have = 0;
  let expectSeq = 0;
  let dead = false;
  const stop = (why: string): void => {
    if (dead) return;
    dead = true;
    fail(new MpcProtocolError(why));
    req.destroy();
  };
  req.on('data', (chunk: Buffer) => {
    if (dead) return;
    pending.push(chunk);
    have += chunk.length;
    while (have >= HEADER) {
      if (pending[0]!.length < HEADER) pending = [Buffer.concat(pending)];
      const len = pending[0]!.readUInt32BE(12);
      if (len > MAX_FRAME) return stop('frame too large');
      const total = HEADER + len + MAC;
      if (have < total) return;
      const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      const head = buf.subarray(0, HEADER);
      const body = buf.subarray(HEADER, HEADER + len);
      const mac = createHmac('sha256', key).update(head).update(body).digest();
      if (!timingSafeEqual(mac, buf.subarray(HEADER + len, total))) return stop('frame fails its MAC');
      const seq = buf.readUInt32BE(0);
      if (seq !== expectSeq) return stop(`frame ${seq} out of order (expected ${expectSeq})`);
      expectSeq++;
      try {
        // the body is copied out of the receive buffers
        deliver(buf.readUInt32BE(4), buf.readUInt32BE(8), new Uint8Array(body));
      } catch (e) {
        return stop(`frame refused: ${(e as Error).message}`);
      }
      const rest = buf.subarray(total);
      pending = rest.length ? [rest] : [];
      have = rest.length;
    }
  });
  req.on('end', () => res.end());
  req.on('error', () => stop('channel broken'));
}
