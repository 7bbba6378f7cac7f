// The WebAuthn ceremonies of one node, on @simplewebauthn/server: enrolment (registration) of a
// person the organisation has identified, login (authentication), and signing a logbook statement
// with the passkey (an assertion whose challenge is the statement hash). HTTP-free: routes.ts
// wraps it. Failures are the model's Result: a problem with the HTTP status it answers with.
import { createHash } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  STATEMENT_VERSION,
  statementHash,
  toBase64,
  validateStatement,
  type SignedStatement,
  type Statement,
  type WebAuthnSignature,
  KIND_KEY,
} from '@ketenlog/logbook';
import { fail, ok, type Result } from '@ketenlog/problem';
import type { ChallengeStore } from './challenge-store.ts';
import type { CredentialRepository, PasskeyCredential, PasskeyRole } from './credential.ts';
import { coseToP256Point, passkeyKeyId } from './es256-public-key.ts';
import { verifyStatementAssertion, type RelyingParty } from './statement-assertion.ts';

/** ES256 only: the logbook's passkey signatures are `webauthn-es256` (COSE alg -7). */
const ES256 = -7;
const CEREMONY_TIMEOUT_MS = 120_000;

/**
 * What a ceremony's problem code is: the FHIR issue type the route answers with (400 invalid,
 * 401 login, 403 forbidden, 409 duplicate).
 */
export type PasskeyProblemCode = 'invalid' | 'login' | 'forbidden' | 'duplicate';

export interface PasskeyServiceOptions {
  /** This node's relying party: its RP ID (a registrable domain, or `localhost`) and origins. */
  readonly relyingParty: RelyingParty;
  /** Shown by the authenticator when enrolling. */
  readonly rpName: string;
  /** The enrolling organisation, `ura:<URA>`. */
  readonly organisation: string;
  readonly credentials: CredentialRepository;
  readonly challenges: ChallengeStore;
  readonly now?: () => number;
}

/** A person to enrol: her holder identity here, as the identity check and directory found it. */
export interface Enrollee {
  readonly holder: string;
  readonly role: PasskeyRole;
  /** Shown in the person's passkey manager. */
  readonly displayName: string;
}

/** The opaque WebAuthn user handle of a holder: no identifier leaves in it. */
function userHandleOf(holder: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(`ketenlog-user:${holder}`).digest());
}

/** @simplewebauthn encodes a string challenge as UTF-8; ours are base64url, so pass the bytes. */
const bytesOf = (b64url: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(b64url, 'base64url'));

function challengeIn(clientDataJSON: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    return typeof parsed.challenge === 'string' ? parsed.challenge : undefined;
  } catch {
    return undefined;
  }
}

/** The envelope entry of a passkey signature, from the browser's assertion (base64url → base64). */
export function webauthnSignatureOf(keyId: string, response: AuthenticationResponseJSON): WebAuthnSignature {
  const b64 = (b64url: string) => Buffer.from(b64url, 'base64url').toString('base64');
  return {
    alg: 'webauthn-es256',
    keyId,
    sig: b64(response.response.signature),
    authenticatorData: b64(response.response.authenticatorData),
    clientDataJSON: b64(response.response.clientDataJSON),
  };
}

export class PasskeyService {
  readonly #options: PasskeyServiceOptions;
  readonly #now: () => number;

  constructor(options: PasskeyServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get relyingParty(): RelyingParty {
    return this.#options.relyingParty;
  }

  /** A registered credential by ID, revoked or not. */
  credential(id: string): Promise<PasskeyCredential | undefined> {
    return this.#options.credentials.get(id);
  }

  /** Revokes a passkey at once (lost device, failed binding); false when it was not active. */
  revoke(id: string): Promise<boolean> {
    return this.#options.credentials.revoke(id, this.#now());
  }

  // --- enrolment ---

  async registrationOptions(enrollee: Enrollee): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { challenge } = await this.#options.challenges.issue('registration', enrollee.holder, this.#now());
    const existing = await this.#options.credentials.activeOf(enrollee.holder);
    return generateRegistrationOptions({
      rpName: this.#options.rpName,
      rpID: this.#options.relyingParty.rpId,
      userName: enrollee.displayName,
      userDisplayName: enrollee.displayName,
      userID: userHandleOf(enrollee.holder),
      challenge: bytesOf(challenge),
      timeout: CEREMONY_TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: [...c.transports] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: [ES256],
    });
  }

  async verifyRegistration(
    enrollee: Enrollee,
    response: RegistrationResponseJSON,
  ): Promise<Result<PasskeyCredential, PasskeyProblemCode>> {
    const now = this.#now();
    const challenge = challengeIn(response?.response?.clientDataJSON ?? '');
    if (challenge === undefined) return fail(400, 'invalid', 'the response carries no challenge');
    const subject = await this.#options.challenges.consume(challenge, 'registration', now);
    if (subject !== enrollee.holder) return fail(400, 'invalid', 'unknown, used or expired challenge');
    let info;
    try {
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: [...this.#options.relyingParty.origins],
        expectedRPID: this.#options.relyingParty.rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: [ES256],
      });
      if (!verified.verified) return fail(400, 'invalid', 'the registration does not verify');
      info = verified.registrationInfo;
    } catch (error) {
      return fail(400, 'invalid', `the registration does not verify: ${(error as Error).message}`);
    }
    const publicKey = coseToP256Point(info.credential.publicKey);
    if (!publicKey) return fail(400, 'invalid', 'the passkey is not an ES256 (P-256) key');
    const credential: PasskeyCredential = {
      id: info.credential.id,
      holder: enrollee.holder,
      role: enrollee.role,
      organisation: this.#options.organisation,
      cosePublicKey: info.credential.publicKey,
      publicKey,
      keyId: passkeyKeyId(publicKey),
      counter: info.credential.counter,
      transports: info.credential.transports ?? [],
      createdAt: now,
    };
    if (!(await this.#options.credentials.add(credential)))
      return fail(409, 'duplicate', 'this passkey is already registered');
    return ok(credential);
  }

  // --- login ---

  /** Options for a login with a discoverable passkey (no user named beforehand). */
  async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { challenge } = await this.#options.challenges.issue('authentication', 'login', this.#now());
    return generateAuthenticationOptions({
      rpID: this.#options.relyingParty.rpId,
      challenge: bytesOf(challenge),
      timeout: CEREMONY_TIMEOUT_MS,
      userVerification: 'required',
    });
  }

  async verifyAuthentication(
    response: AuthenticationResponseJSON,
  ): Promise<Result<PasskeyCredential, PasskeyProblemCode>> {
    const now = this.#now();
    const challenge = challengeIn(response?.response?.clientDataJSON ?? '');
    if (challenge === undefined) return fail(400, 'invalid', 'the response carries no challenge');
    // The challenge is spent whatever happens next: one try per challenge.
    const subject = await this.#options.challenges.consume(challenge, 'authentication', now);
    if (subject !== 'login') return fail(401, 'login', 'unknown, used or expired challenge');
    const credential =
      typeof response.id === 'string' ? await this.#options.credentials.get(response.id) : undefined;
    if (!credential) return fail(401, 'login', 'unregistered passkey');
    if (credential.revokedAt !== undefined) return fail(401, 'login', 'this passkey has been revoked');
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: [...this.#options.relyingParty.origins],
        expectedRPID: this.#options.relyingParty.rpId,
        credential: {
          id: credential.id,
          publicKey: new Uint8Array(credential.cosePublicKey),
          counter: credential.counter,
          transports: [...credential.transports],
        },
        requireUserVerification: true,
      });
      if (!verified.verified) return fail(401, 'login', 'the assertion does not verify');
      await this.#options.credentials.updateCounter(credential.id, verified.authenticationInfo.newCounter);
    } catch (error) {
      return fail(401, 'login', `the assertion does not verify: ${(error as Error).message}`);
    }
    return ok(credential);
  }

  // --- statement signing ---

  /**
   * Options for signing `statement` with the holder's passkey: the challenge is the statement
   * hash and only the passkey that is the statement's author may answer.
   */
  async signingOptions(
    holder: string,
    statement: unknown,
  ): Promise<Result<PublicKeyCredentialRequestOptionsJSON, PasskeyProblemCode>> {
    const checked = await this.#signable(holder, statement);
    if (!checked.ok) return checked;
    const { credential, statement: valid } = checked.value;
    return ok(
      await generateAuthenticationOptions({
        rpID: this.#options.relyingParty.rpId,
        challenge: new Uint8Array(statementHash(valid)),
        timeout: CEREMONY_TIMEOUT_MS,
        userVerification: 'required',
        allowCredentials: [{ id: credential.id, transports: [...credential.transports] }],
      }),
    );
  }

  /** The signed envelope of `statement`, once the assertion verifies as a witness would check it. */
  async completeSigning(
    holder: string,
    statement: unknown,
    response: AuthenticationResponseJSON,
  ): Promise<Result<SignedStatement, PasskeyProblemCode>> {
    const checked = await this.#signable(holder, statement);
    if (!checked.ok) return checked;
    const { credential, statement: valid } = checked.value;
    if (response?.id !== credential.id)
      return fail(403, 'forbidden', "the assertion is not by the author's passkey");
    let signature: WebAuthnSignature;
    try {
      signature = webauthnSignatureOf(credential.keyId, response);
    } catch {
      return fail(400, 'invalid', 'the assertion is malformed');
    }
    const verified = verifyStatementAssertion(signature, statementHash(valid), credential.publicKey, [
      this.#options.relyingParty,
    ]);
    if (!verified.ok) return fail(400, 'invalid', `the signature does not verify: ${verified.problem.text}`);
    return ok({ statement: valid, signatures: [signature] });
  }

  async #signable(
    holder: string,
    statement: unknown,
  ): Promise<Result<{ credential: PasskeyCredential; statement: Statement }, PasskeyProblemCode>> {
    const valid = validateStatement(statement);
    if (!valid.ok) return fail(400, 'invalid', `invalid statement: ${valid.problem.text}`);
    const credential = await this.#options.credentials.byKeyId(valid.value.author);
    if (!credential || credential.holder !== holder || credential.revokedAt !== undefined)
      return fail(403, 'forbidden', 'the statement author is not an active passkey of this person');
    return ok({ credential, statement: valid.value });
  }
}

/**
 * The `key` statement that binds a passkey on the logbook, for the enrolling node to sign with its
 * own key (`author`) and append to its log. A client's key is bound to her pseudonym (holder and
 * subject); a representative's as `delegate`.
 */
export function keyBindingStatement(
  credential: PasskeyCredential,
  author: string,
  iat: number,
  professionalRole?: string,
): Statement {
  const role = credential.role === 'professional' ? professionalRole : credential.role;
  if (role === undefined) throw new TypeError('a professional passkey is bound with her role');
  return {
    kind: KIND_KEY,
    v: STATEMENT_VERSION,
    author,
    iat,
    ...(credential.role === 'client' ? { subject: credential.holder } : {}),
    body: {
      action: 'bind',
      keyId: credential.keyId,
      alg: 'webauthn-es256',
      publicKey: toBase64(credential.publicKey),
      holder: credential.holder,
      role,
      organisation: credential.organisation,
    },
  };
}

/** The `key` statement that revokes a passkey on the logbook (after CredentialRepository.revoke). */
export function keyRevocationStatement(
  credential: PasskeyCredential,
  author: string,
  iat: number,
): Statement {
  return {
    kind: KIND_KEY,
    v: STATEMENT_VERSION,
    author,
    iat,
    body: { action: 'revoke', keyId: credential.keyId, alg: 'webauthn-es256', holder: credential.holder },
  };
}
