// base64url without padding (RFC 4648 §5), as the GF pseudonymisation guide exchanges its values,
// and the one error type of malformed pseudonymisation input.
export class PseudonymError extends Error {
  override name = 'PseudonymError';
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Decodes base64url (padding tolerated); undefined when the text is not base64url. */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64url'));
}
