import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from './ed25519.ts';

describe('Ed25519 on node:crypto, interchangeable with the browser path (@noble)', () => {
  const secret = ed25519.utils.randomSecretKey();
  const publicKey = ed25519PublicKey(secret);
  const message = new TextEncoder().encode('ketenlog statement');

  it('signs exactly as @noble does (Ed25519 is deterministic) and each verifies the other', () => {
    const signature = ed25519Sign(message, secret);
    expect(signature).toEqual(ed25519.sign(message, secret));
    expect(ed25519Verify(signature, message, publicKey)).toBe(true);
    expect(ed25519.verify(signature, message, publicKey, { zip215: false })).toBe(true);
  });

  it('refuses a changed message, signature or key, and malformed input, without throwing', () => {
    const signature = ed25519Sign(message, secret);
    const flipped = signature.slice();
    flipped[10]! ^= 1;
    expect(ed25519Verify(flipped, message, publicKey)).toBe(false);
    expect(ed25519Verify(signature, new TextEncoder().encode('ketenlog statemenT'), publicKey)).toBe(false);
    expect(ed25519Verify(signature, message, ed25519PublicKey(ed25519.utils.randomSecretKey()))).toBe(false);
    expect(ed25519Verify(signature.slice(1), message, publicKey)).toBe(false);
    expect(ed25519Verify(signature, message, publicKey.slice(1))).toBe(false);
    expect(ed25519Verify(signature, message, new Uint8Array(32).fill(0xff))).toBe(false);
  });
});
