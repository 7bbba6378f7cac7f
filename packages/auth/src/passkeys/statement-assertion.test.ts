import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { WebAuthnSignature } from '@ketenlog/logbook';
import { describe, expect, it } from 'vitest';
import { P256_POINT_LENGTH } from './es256-public-key.ts';
import { challengeOf, verifyStatementAssertion } from './statement-assertion.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
const RP = { rpId: 'kraamzorg.example', origins: ['https://kraamzorg.example'] };
const HASH = sha256(Buffer.from('statement'));
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const POINT = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-P256_POINT_LENGTH));

interface Parts {
  rpId?: string;
  flags?: number;
  clientData?: Record<string, unknown>;
}

/** An assertion as an authenticator would make it, with parts overridden. */
function assertion(parts: Parts = {}): WebAuthnSignature {
  const authenticatorData = Buffer.concat([
    sha256(Buffer.from(parts.rpId ?? RP.rpId)),
    Buffer.of(parts.flags ?? 0x05),
    Buffer.of(0, 0, 0, 1),
  ]);
  const clientDataJSON = Buffer.from(
    JSON.stringify({
      type: 'webauthn.get',
      challenge: challengeOf(HASH),
      origin: RP.origins[0],
      crossOrigin: false,
      ...parts.clientData,
    }),
  );
  const sig = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), {
    key: privateKey,
    dsaEncoding: 'der',
  });
  return {
    alg: 'webauthn-es256',
    keyId: 'k',
    sig: sig.toString('base64'),
    authenticatorData: authenticatorData.toString('base64'),
    clientDataJSON: clientDataJSON.toString('base64'),
  };
}

const reasonOf = (signature: WebAuthnSignature, point = POINT, hash: Uint8Array = HASH) => {
  const result = verifyStatementAssertion(signature, hash, point, [RP]);
  return result.ok ? 'ok' : result.problem.text;
};

describe('verifyStatementAssertion', () => {
  it('accepts an assertion over the statement hash from an allowed origin', () => {
    expect(verifyStatementAssertion(assertion(), HASH, POINT, [RP])).toEqual({
      ok: true,
      value: { rpId: RP.rpId, origin: RP.origins[0] },
    });
  });

  it('names the check each bad assertion fails', () => {
    expect(reasonOf(assertion(), POINT, sha256(Buffer.from('other')))).toMatch(
      /challenge is not the statement hash/,
    );
    expect(reasonOf(assertion({ clientData: { type: 'webauthn.create' } }))).toMatch(/not webauthn.get/);
    expect(reasonOf(assertion({ clientData: { origin: 'https://evil.example' } }))).toMatch(
      /origin .* not allowed/,
    );
    expect(reasonOf(assertion({ clientData: { crossOrigin: true } }))).toMatch(/cross-origin/);
    expect(reasonOf(assertion({ clientData: { topOrigin: 'https://x.example' } }))).toMatch(/cross-origin/);
    expect(reasonOf(assertion({ rpId: 'evil.example' }))).toMatch(/not for RP ID/);
    expect(reasonOf(assertion({ flags: 0x04 }))).toMatch(/UP flag/);
    expect(reasonOf(assertion({ flags: 0x01 }))).toMatch(/UV flag/);
    expect(reasonOf({ ...assertion(), authenticatorData: 'AAAA' })).toMatch(/too short/);
    expect(reasonOf({ ...assertion(), clientDataJSON: Buffer.from('[1]').toString('base64') })).toMatch(
      /not a JSON object/,
    );
    expect(reasonOf({ ...assertion(), sig: 'not base64!' })).toMatch(/must be base64/);
    expect(reasonOf(assertion(), new Uint8Array(65))).toMatch(/not a P-256 point/);
    expect(reasonOf({ ...assertion(), sig: Buffer.alloc(8).toString('base64') })).toMatch(/does not verify/);
  });
});
