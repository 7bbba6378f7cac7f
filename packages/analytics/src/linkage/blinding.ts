/**
 * The commutative blinding behind the private set intersection: pseudonyms hashed onto ristretto255
 * (RFC 9380 hash-to-curve with the RFC 9496 map), then raised to each holder's secret scalar.
 *
 * The exponentiation runs in node:crypto's native X25519 (RFC 7748) on the Montgomery
 * u-coordinate of the point, about ten times faster than a JavaScript scalar multiplication and
 * constant-time in OpenSSL. X25519's scalars are multiples of 8, which removes the 4-torsion that
 * distinguishes the Edwards representatives of one ristretto255 element, so the first blinding
 * already lands in the prime-order group; and u(Q) = u(−Q). The chain therefore computes
 * H(x)^{k1·k2·k3} in ristretto255 up to sign — commutative, and as hard to invert or to link
 * (decisional Diffie–Hellman on the x-line) as in the group itself. A blinded value travels as its
 * 32-byte canonical u-coordinate; one that is not canonical, not on the curve (on its twist) or of
 * low order is refused.
 */
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, type KeyObject } from 'node:crypto';
import { ed25519, ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { MpcProtocolError } from '../mpc/transport.ts';

export const BLINDED_BYTES = 32;
const DST = 'ketenlog-psi-v1';
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');
const Fp = ed25519.Point.Fp;
const P = Fp.ORDER;
const A = 486662n;
type Ristretto = InstanceType<typeof ristretto255.Point>;

/** A holder's secret blinding key (a fresh one per run). */
export type BlindingKey = KeyObject;

export function newBlindingKey(): BlindingKey {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_X25519, randomBytes(32)]),
    format: 'der',
    type: 'pkcs8',
  });
}

function uBytes(u: bigint): Uint8Array {
  const out = new Uint8Array(BLINDED_BYTES);
  let x = u;
  for (let i = 0; i < BLINDED_BYTES; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

function uValue(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = BLINDED_BYTES - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/**
 * The u-coordinates of the pseudonyms' ristretto255 points: (1 + y)/(1 − y) of each point's Edwards
 * representative (any of them: the blinding removes the difference), one inversion for the list.
 */
export function hashPseudonyms(pseudonyms: readonly string[]): Uint8Array[] {
  const enc = new TextEncoder();
  const ys = pseudonyms.map(
    (x) => (ristretto255_hasher.hashToCurve(enc.encode(x), { DST }) as Ristretto).toAffine().y,
  );
  const inverses = Fp.invertBatch(ys.map((y) => Fp.sub(1n, y)));
  return ys.map((y, i) => uBytes(Fp.mul(Fp.add(1n, y), inverses[i]!)));
}

/** A received blinded value, checked: canonical, on the curve (not its twist). */
export function checkBlinded(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== BLINDED_BYTES) throw new MpcProtocolError('a blinded pseudonym has 32 bytes');
  const u = uValue(bytes);
  if (u >= P) throw new MpcProtocolError('not a canonical curve25519 u-coordinate');
  // on the curve when u³ + A·u² + u is a square (Euler's criterion)
  const v = Fp.add(Fp.mul(Fp.sqr(u), Fp.add(u, A)), u);
  if (v !== 0n && Fp.pow(v, (P - 1n) / 2n) !== 1n) throw new MpcProtocolError('not a point of the curve');
  return bytes;
}

/** The blinded value raised to this holder's key; refuses low-order input (an all-zero result). */
export function blind(key: BlindingKey, u: Uint8Array): Uint8Array {
  try {
    const pub = createPublicKey({ key: Buffer.concat([SPKI_X25519, u]), format: 'der', type: 'spki' });
    return new Uint8Array(diffieHellman({ privateKey: key, publicKey: pub }));
  } catch {
    throw new MpcProtocolError('a blinded pseudonym of low order');
  }
}
