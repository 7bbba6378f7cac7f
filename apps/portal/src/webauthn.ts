// WebAuthn assertions in the browser (navigator.credentials.get) from the JSON options the node's
// passkey routes send (@simplewebauthn/server's PublicKeyCredentialRequestOptionsJSON), answered
// in the JSON shape those routes verify. Small enough not to need @simplewebauthn/browser.

export interface RequestOptionsJSON {
  challenge: string;
  rpId?: string;
  timeout?: number;
  userVerification?: UserVerificationRequirement;
  allowCredentials?: { id: string; type: 'public-key'; transports?: AuthenticatorTransport[] }[];
}

export interface AssertionJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  clientExtensionResults: AuthenticationExtensionsClientOutputs;
  authenticatorAttachment?: string;
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function toBase64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Asks the authenticator for an assertion over the options' challenge (a statement hash when signing). */
export async function getAssertion(options: RequestOptionsJSON): Promise<AssertionJSON> {
  const credential = (await navigator.credentials.get({
    publicKey: {
      challenge: fromBase64url(options.challenge),
      ...(options.rpId ? { rpId: options.rpId } : {}),
      ...(options.timeout ? { timeout: options.timeout } : {}),
      ...(options.userVerification ? { userVerification: options.userVerification } : {}),
      ...(options.allowCredentials
        ? {
            allowCredentials: options.allowCredentials.map((c) => ({
              id: fromBase64url(c.id),
              type: c.type,
              ...(c.transports ? { transports: c.transports } : {}),
            })),
          }
        : {}),
    },
  })) as PublicKeyCredential | null;
  if (!credential) throw new Error('no-credential');
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: 'public-key',
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      ...(response.userHandle ? { userHandle: toBase64url(response.userHandle) } : {}),
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment
      ? { authenticatorAttachment: credential.authenticatorAttachment }
      : {}),
  };
}
