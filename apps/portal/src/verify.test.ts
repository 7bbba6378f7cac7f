import { describe, expect, it } from 'vitest';
import { verifyLogged } from './verify.ts';

const policy = { origin: 'ketenlog.example/log/a', logKey: 'k', witnessKeys: [], quorum: 1 };

describe('verifyLogged', () => {
  it('refuses a receipt of a log the region does not know', () => {
    expect(verifyLogged('c2sp.org/tlog-proof\nother.example/log\n', new Uint8Array(), [policy])).toEqual({
      verified: false,
      reason: 'unknown-log',
    });
  });
  it('refuses a malformed receipt of a known log', () => {
    const result = verifyLogged(`garbage\n${policy.origin}\n`, new Uint8Array([1]), [policy]);
    expect(result.verified).toBe(false);
  });
});
