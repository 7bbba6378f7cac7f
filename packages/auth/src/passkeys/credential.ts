// A registered passkey and the repository that keeps them. A credential belongs to one holder —
// a client (her region pseudonym), a representative acting for clients, or a professional — and
// was enrolled at one organisation after an identity check there.

/** Whom a passkey speaks for, in the region's role names (region-config.ts). */
export type PasskeyRole = 'client' | 'delegate' | 'professional';

export interface PasskeyCredential {
  /** WebAuthn credential ID, base64url. */
  readonly id: string;
  /** The holder: a client's pseudonym, a representative's or a professional's identifier. */
  readonly holder: string;
  readonly role: PasskeyRole;
  /** The organisation that enrolled the passkey, `ura:<URA>`. */
  readonly organisation: string;
  /** COSE_Key bytes as the authenticator gave them (what @simplewebauthn verifies with). */
  readonly cosePublicKey: Uint8Array;
  /** Uncompressed P-256 point: what the logbook's `key` statement binds. */
  readonly publicKey: Uint8Array;
  /** Logbook key ID: keyIdOf('webauthn-es256', publicKey). */
  readonly keyId: string;
  readonly counter: number;
  readonly transports: readonly string[];
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly revokedAt?: number;
}

export interface CredentialRepository {
  /** Stores a new credential; false when the credential ID is already registered. */
  add(credential: PasskeyCredential): Promise<boolean>;
  /** A credential by ID, revoked or not. */
  get(id: string): Promise<PasskeyCredential | undefined>;
  /** A credential by its logbook key ID. */
  byKeyId(keyId: string): Promise<PasskeyCredential | undefined>;
  /** The holder's unrevoked credentials. */
  activeOf(holder: string): Promise<PasskeyCredential[]>;
  /** Records a newer signature counter; refuses to move it backwards. */
  updateCounter(id: string, counter: number): Promise<void>;
  /** Revokes at once; false when there was no unrevoked credential with this ID. */
  revoke(id: string, at: number): Promise<boolean>;
}
