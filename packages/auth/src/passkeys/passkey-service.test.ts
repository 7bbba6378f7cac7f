import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import {
  STATEMENT_VERSION,
  keyIdOf,
  validateStatement,
  verifySignedStatement,
  type Statement,
  type WebAuthnSignature,
} from '@ketenlog/logbook';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlChallengeStore } from './challenge-store.ts';
import { PasskeyService, keyBindingStatement, keyRevocationStatement } from './passkey-service.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';
import { SqlCredentialRepository } from './sql-credential-repository.ts';
import { createWebAuthnVerify } from './statement-assertion.ts';

const ORIGIN = 'https://kraamzorg.example';
const RP = { rpId: 'kraamzorg.example', origins: [ORIGIN] };
const MARIA = 'pMaria-0000000000000001';
const enrollee = { holder: MARIA, role: 'client' as const, displayName: 'Maria' };

const approval = (author: string, iat = 1_790_000_000): Statement => ({
  kind: 'carelog.approval',
  v: STATEMENT_VERSION,
  author,
  iat,
  subject: MARIA,
  body: { entry: Buffer.alloc(32, 7).toString('base64'), decision: 'approved' },
});

/** The base64 field with one byte flipped at `at` (negative: from the end). */
function flipByte(b64: string, at: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = at < 0 ? bytes.length + at : at;
  const byte = bytes[i];
  if (byte === undefined) throw new Error(`flipByte: byte ${at} is outside the ${bytes.length} bytes`);
  bytes[i] = byte ^ 0x01;
  return bytes.toString('base64');
}

describe.each(testDatabases())('PasskeyService on $name', ({ open }) => {
  let db: Db;
  let now: number;
  let service: PasskeyService;
  let credentials: SqlCredentialRepository;
  let authenticator: SoftAuthenticator;

  beforeEach(async () => {
    db = await open();
    now = 1_790_000_000_000;
    credentials = await SqlCredentialRepository.open(db);
    service = new PasskeyService({
      relyingParty: RP,
      rpName: 'Kraamzorg De Wieg',
      organisation: 'ura:11110001',
      credentials,
      challenges: new SqlChallengeStore(db, 60_000),
      now: () => now,
    });
    authenticator = new SoftAuthenticator(ORIGIN);
  });
  afterEach(async () => db.close());

  async function enrol() {
    const response = authenticator.create(await service.registrationOptions(enrollee));
    const result = await service.verifyRegistration(enrollee, response);
    if (!result.ok) throw new Error(result.problem.text);
    return result.value;
  }

  it('enrols an ES256 passkey whose key ID is the logbook key ID of its P-256 point', async () => {
    const options = await service.registrationOptions(enrollee);
    expect(options.pubKeyCredParams).toEqual([{ alg: -7, type: 'public-key' }]);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.user.id).not.toContain(MARIA);
    const result = await service.verifyRegistration(enrollee, authenticator.create(options));
    expect(result.ok).toBe(true);
    const credential = result.ok ? result.value : undefined;
    expect(credential?.publicKey).toHaveLength(65);
    expect(credential?.keyId).toBe(keyIdOf('webauthn-es256', credential?.publicKey as Uint8Array));
    expect((await credentials.activeOf(MARIA)).map((c) => c.id)).toEqual([credential?.id]);
    const binding = keyBindingStatement(credential!, 'ab'.repeat(16), 1_790_000_000);
    expect(validateStatement(binding).ok).toBe(true);
    expect(binding).toMatchObject({
      subject: MARIA,
      body: { holder: MARIA, role: 'client', alg: 'webauthn-es256' },
    });
    expect(validateStatement(keyRevocationStatement(credential!, 'ab'.repeat(16), 1_790_000_001)).ok).toBe(
      true,
    );
  });

  it('uses a registration challenge once, and not after it expired', async () => {
    const response = authenticator.create(await service.registrationOptions(enrollee));
    expect((await service.verifyRegistration(enrollee, response)).ok).toBe(true);
    const replay = await service.verifyRegistration(enrollee, response);
    expect(replay.ok ? undefined : replay.problem.status).toBe(400);

    const late = authenticator.create(await service.registrationOptions(enrollee));
    now += 60_001;
    const expired = await service.verifyRegistration(enrollee, late);
    expect(expired.ok ? undefined : expired.problem.text).toMatch(/expired/);
  });

  it("refuses a registration made for another person's challenge", async () => {
    const response = authenticator.create(await service.registrationOptions(enrollee));
    const other = { ...enrollee, holder: 'pOther-000000000000001' };
    expect((await service.verifyRegistration(other, response)).ok).toBe(false);
  });

  it('logs in with the passkey; a replayed, unregistered, unverified or revoked one is refused', async () => {
    const credential = await enrol();
    const assertion = authenticator.get(await service.authenticationOptions());
    const login = await service.verifyAuthentication(assertion);
    expect(login.ok && login.value.holder).toBe(MARIA);
    expect((await credentials.get(credential.id))?.counter).toBe(1);

    const replay = await service.verifyAuthentication(assertion);
    expect(replay.ok ? undefined : replay.problem.status).toBe(401);

    const stranger = new SoftAuthenticator(ORIGIN);
    stranger.create(await service.registrationOptions({ ...enrollee, holder: 'pNobody-00000000000001' }));
    const unregistered = await service.verifyAuthentication(
      stranger.get(await service.authenticationOptions()),
    );
    expect(unregistered.ok ? undefined : unregistered.problem.text).toBe('unregistered passkey');

    authenticator.flags = 0x01; // present, not verified
    const unverified = await service.verifyAuthentication(
      authenticator.get(await service.authenticationOptions()),
    );
    expect(unverified.ok ? undefined : unverified.problem.status).toBe(401);

    authenticator.flags = 0x05;
    expect(await credentials.revoke(credential.id, now)).toBe(true);
    const revoked = await service.verifyAuthentication(
      authenticator.get(await service.authenticationOptions()),
    );
    expect(revoked.ok ? undefined : revoked.problem.text).toMatch(/revoked/);
  });

  it('signs a statement whose assertion a witness verifies, and refuses every tampered variant', async () => {
    const credential = await enrol();
    const statement = approval(credential.keyId);
    const options = await service.signingOptions(MARIA, statement);
    if (!options.ok) throw new Error(options.problem.text);
    expect(options.value.allowCredentials?.map((c) => c.id)).toEqual([credential.id]);
    const signed = await service.completeSigning(MARIA, statement, authenticator.get(options.value));
    if (!signed.ok) throw new Error(signed.problem.text);

    const keys = (keyId: string) =>
      keyId === credential.keyId
        ? { alg: 'webauthn-es256' as const, publicKey: credential.publicKey }
        : undefined;
    const verify = createWebAuthnVerify([RP]);
    expect(verifySignedStatement(signed.value, keys, verify).ok).toBe(true);

    const sig = signed.value.signatures[0] as WebAuthnSignature;
    const tampered: WebAuthnSignature[] = [
      { ...sig, authenticatorData: flipByte(sig.authenticatorData, 0) }, // rpIdHash
      { ...sig, authenticatorData: flipByte(sig.authenticatorData, -1) }, // counter
      { ...sig, clientDataJSON: flipByte(sig.clientDataJSON, 20) },
      { ...sig, sig: flipByte(sig.sig, -1) },
    ];
    for (const bad of tampered) {
      expect(verifySignedStatement({ ...signed.value, signatures: [bad] }, keys, verify).ok).toBe(false);
    }
    const other = { ...signed.value, statement: approval(credential.keyId, 1_790_000_001) };
    expect(verifySignedStatement(other, keys, verify).ok).toBe(false);
    expect(
      verifySignedStatement(
        signed.value,
        keys,
        createWebAuthnVerify([{ ...RP, origins: ['https://elders.example'] }]),
      ).ok,
    ).toBe(false);
    expect(verifySignedStatement(signed.value, keys).ok).toBe(false);
  });

  it("refuses to sign for a statement whose author is not the person's active passkey", async () => {
    const credential = await enrol();
    const notHers = await service.signingOptions('pOther-000000000000001', approval(credential.keyId));
    expect(notHers.ok ? undefined : notHers.problem.status).toBe(403);
    const invalid = await service.signingOptions(MARIA, { ...approval(credential.keyId), kind: 'nonsense' });
    expect(invalid.ok ? undefined : invalid.problem.status).toBe(400);

    const statement = approval(credential.keyId);
    const options = await service.signingOptions(MARIA, statement);
    if (!options.ok) throw new Error(options.problem.text);
    const assertion = authenticator.get(options.value);
    const swapped = await service.completeSigning(
      MARIA,
      approval(credential.keyId, 1_790_000_005),
      assertion,
    );
    expect(swapped.ok ? undefined : swapped.problem.text).toMatch(/challenge/);
    await credentials.revoke(credential.id, now);
    const revoked = await service.completeSigning(MARIA, statement, assertion);
    expect(revoked.ok ? undefined : revoked.problem.status).toBe(403);
  });
});
