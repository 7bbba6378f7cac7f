// Test helper: deterministic log keys, so test logs and their verifier keys are reproducible.
import { createHash } from 'node:crypto';
import { ED25519_ALG, ed25519Signer, encodeVerifierKey, type NoteSigner } from '../note.ts';
import { ed25519PublicKey } from '../ed25519.ts';
import type { SequencerOptions } from '../sequencer.ts';

export interface TestLogKey {
  readonly signer: NoteSigner;
  readonly verifierKey: string;
}

/** An Ed25519 note key whose secret is derived from `name` (never use outside tests). */
export function testLogKey(name: string): TestLogKey {
  const secret = new Uint8Array(createHash('sha256').update(`ketenlog test key ${name}`).digest());
  return {
    signer: ed25519Signer(name, secret),
    verifierKey: encodeVerifierKey(name, ED25519_ALG, ed25519PublicKey(secret)),
  };
}

/** Sequencer options for a test log `logId` with a test key of the same name. */
export function testLogOptions(logId: string, origin = `test.ketenlog.example/${logId}`): SequencerOptions {
  return { logId, origin, ...testLogKey(`${logId}-log`) };
}
