// A passkey's ES256 public key in the forms Ketenlog uses. The logbook binds a passkey by its
// uncompressed P-256 point (SEC 1 §2.3.3: 0x04 ‖ x ‖ y, 65 bytes): one canonical byte string, so
// keyIdOf('webauthn-es256', point) is the same at every node. The authenticator hands the key over
// as a COSE_Key (RFC 9053 §7.1.1); node:crypto verifies with it as a JWK.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { keyIdOf } from '@ketenlog/logbook';

export const P256_POINT_LENGTH = 65;
const COORDINATE = 32;

/** The uncompressed P-256 point of a COSE ES256 key, or undefined for any other key. */
export function coseToP256Point(coseKey: Uint8Array): Uint8Array | undefined {
  let decoded: ReturnType<typeof decodeCredentialPublicKey>;
  try {
    decoded = decodeCredentialPublicKey(new Uint8Array(coseKey));
  } catch {
    return undefined;
  }
  if (!cose.isCOSEPublicKeyEC2(decoded)) return undefined;
  if (decoded.get(cose.COSEKEYS.alg) !== cose.COSEALG.ES256) return undefined;
  if (decoded.get(cose.COSEKEYS.crv) !== cose.COSECRV.P256) return undefined;
  const x = decoded.get(cose.COSEKEYS.x);
  const y = decoded.get(cose.COSEKEYS.y);
  if (!x || !y || x.length !== COORDINATE || y.length !== COORDINATE) return undefined;
  const point = new Uint8Array(P256_POINT_LENGTH);
  point[0] = 0x04;
  point.set(x, 1);
  point.set(y, 1 + COORDINATE);
  return p256KeyObject(point) ? point : undefined;
}

/** A verifying key for an uncompressed P-256 point; undefined when it is not a point on the curve. */
export function p256KeyObject(point: Uint8Array): KeyObject | undefined {
  if (point.length !== P256_POINT_LENGTH || point[0] !== 0x04) return undefined;
  const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  try {
    return createPublicKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: b64url(point.subarray(1, 1 + COORDINATE)),
        y: b64url(point.subarray(1 + COORDINATE)),
      },
    });
  } catch {
    return undefined;
  }
}

/** The logbook key ID of a passkey, from its P-256 point. */
export function passkeyKeyId(point: Uint8Array): string {
  return keyIdOf('webauthn-es256', point);
}
