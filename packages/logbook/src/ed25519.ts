// Ed25519 signing and verification for the logbook. On Node the work goes to node:crypto
// (OpenSSL, about ten times faster than pure JavaScript; a witness verifies every entry); in a
// browser, where there is no node:crypto, @noble/curves does it. Both verify strictly (RFC 8032),
// so a signature is valid in the portal exactly when it is valid on a node.
import { ed25519 } from '@noble/curves/ed25519.js';

type NodeCrypto = typeof import('node:crypto');

/** node:crypto when running on Node (loaded without a static import, so browsers never see it). */
function nodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
}

const crypto = nodeCrypto();

/** PKCS#8 / SPKI prefixes for raw Ed25519 keys (RFC 8410). */
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/** Parsed public keys, by their bytes: a region has few keys and each verifies many entries. */
const MAX_CACHED_KEYS = 4096;

function withPrefix(prefix: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + key.length);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
}

function makeNodeVerify(c: NodeCrypto) {
  const keys = new Map<string, import('node:crypto').KeyObject>();
  return (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
    const id = Buffer.from(publicKey).toString('base64');
    let key = keys.get(id);
    if (!key) {
      key = c.createPublicKey({
        key: Buffer.from(withPrefix(SPKI_PREFIX, publicKey)),
        format: 'der',
        type: 'spki',
      });
      if (keys.size >= MAX_CACHED_KEYS) keys.clear();
      keys.set(id, key);
    }
    return c.verify(null, message, key, signature);
  };
}

const nodeVerify = crypto && makeNodeVerify(crypto);

/** Ed25519 verify that never throws on malformed input. */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    if (nodeVerify) return nodeVerify(signature, message, publicKey);
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** An Ed25519 signature by a 32-byte secret key (seed). */
export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (crypto) {
    const key = crypto.createPrivateKey({
      key: Buffer.from(withPrefix(PKCS8_PREFIX, secretKey)),
      format: 'der',
      type: 'pkcs8',
    });
    return new Uint8Array(crypto.sign(null, message, key));
  }
  return ed25519.sign(message, secretKey);
}

/** The public key of a 32-byte secret key (seed). */
export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}
