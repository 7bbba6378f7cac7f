import { describe, expect, it } from 'vitest';
import { InvalidBsnError, isValidBsn, parseBsn } from './bsn.ts';

describe('isValidBsn', () => {
  it('accepts numbers that pass the 11-proef', () => {
    // 9·9+8·9+7·9+6·9+5·1+4·1+3·1+2·2−0 = 286 = 26·11
    expect(isValidBsn('999911120')).toBe(true);
    // 9·9+8·9+7·9+6·9+5·9+4·0+3·0+2·1−9 = 308 = 28·11
    expect(isValidBsn('999990019')).toBe(true);
    expect(isValidBsn('111222333')).toBe(true);
  });

  it('rejects a number that fails the 11-proef', () => {
    expect(isValidBsn('999911121')).toBe(false);
    expect(isValidBsn('123456789')).toBe(false);
  });

  it('rejects the wrong length, non-digits and all zeros', () => {
    expect(isValidBsn('99991112')).toBe(false);
    expect(isValidBsn('9999111200')).toBe(false);
    expect(isValidBsn('99991112a')).toBe(false);
    expect(isValidBsn(' 99991112')).toBe(false);
    expect(isValidBsn('000000000')).toBe(false);
  });

  it('weighs the last digit −1, so a bank-account style check does not pass', () => {
    // 9·1+8·0+…+2·0+1·2 = 11 passes the bank 11-proef, but 9 − 2 = 7 fails the BSN one.
    expect(isValidBsn('100000002')).toBe(false);
  });
});

describe('parseBsn', () => {
  it('returns the branded BSN for a valid number', () => {
    const bsn: string = parseBsn('999990019');
    expect(bsn).toBe('999990019');
  });

  it('throws an InvalidBsnError that does not repeat the number', () => {
    expect(() => parseBsn('123456789')).toThrow(InvalidBsnError);
    try {
      parseBsn('123456789');
    } catch (error) {
      expect((error as Error).message).not.toContain('123456789');
    }
  });
});
