/** The NamingSystem of the Dutch citizen service number (Burgerservicenummer). */
export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

declare const bsnBrand: unique symbol;

/** A BSN that passed the 11-proef. Only `parseBsn` makes one. */
export type Bsn = string & { readonly [bsnBrand]: true };

/** Thrown by `parseBsn`. The message never contains the number itself. */
export class InvalidBsnError extends Error {
  constructor() {
    super('Not a valid BSN: it must be 9 digits that pass the 11-proef');
    this.name = 'InvalidBsnError';
  }
}

/**
 * The 11-proef for a BSN: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11
 * (Wet algemene bepalingen burgerservicenummer; the last digit weighs −1, unlike a bank account).
 */
export function isValidBsn(s: string): boolean {
  if (!/^[0-9]{9}$/.test(s) || s === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * (s.charCodeAt(i) - 48);
  sum -= s.charCodeAt(8) - 48;
  return sum % 11 === 0;
}

export function parseBsn(s: string): Bsn {
  if (!isValidBsn(s)) throw new InvalidBsnError();
  return s as Bsn;
}
