// Test support: the Mijn Zorg Log cast on a MemoryLogbook — carer Anna's key bound by the
// kraamzorg, Maria's passkey (a SoftAuthenticator credential) bound as client, and the insurer's
// index entry for Maria; care files in SQLite. Tests only.
import { openDatabase, type Db } from '@ketenlog/storage';
import {
  PasskeyService,
  SqlChallengeStore,
  SqlCredentialRepository,
  createWebAuthnVerify,
  keyBindingStatement,
  webauthnSignatureOf,
  type PasskeyCredential,
} from '@ketenlog/auth';
import { SoftAuthenticator } from '@ketenlog/auth/testing';
import {
  STATEMENT_VERSION,
  signStatement,
  type SignedStatement,
  type Statement,
  KIND_CONSENT,
  KIND_INDEX,
  KIND_KEY,
} from '@ketenlog/logbook';
import { BILLING_CONSENT, CarelogService } from '../carelog-service.ts';
import { SqlCareFiles } from '../sql-care-files.ts';
import { challengeOf } from '../drafts.ts';
import {
  MemoryLogbook,
  newTestKey,
  organisationSigner,
  signed,
  testRegion,
  type TestKey,
  type TestRegion,
} from './memory-logbook.ts';

export const MARIA = 'pMaria-0000000000000001';
export const ORIGIN = 'https://kraamzorg.example';
const RP = { rpId: 'kraamzorg.example', origins: [ORIGIN] };
/** 2026-11-24 12:00 in Amsterdam (11:00 UTC). */
export const NOW = Date.parse('2026-11-24T11:00:00Z');

export interface Story {
  readonly region: TestRegion;
  readonly logbook: MemoryLogbook;
  readonly service: CarelogService;
  readonly anna: TestKey;
  readonly eva: TestKey;
  readonly maria: { readonly credential: PasskeyCredential; sign(statement: Statement): SignedStatement };
  /** Maria's consent statement for her insurer (grant or objection, purpose billing), logged. */
  consent(decision: 'grant' | 'objection'): Promise<void>;
  readonly clock: { now: number };
  readonly db: Db;
}

export async function story(): Promise<Story> {
  const region = testRegion();
  const logbook = new MemoryLogbook(region, createWebAuthnVerify([RP]));
  const clock = { now: NOW };
  const iat = () => Math.floor(clock.now / 1000);
  const kz = region.kraamzorg;
  const [anna, eva] = [newTestKey(), newTestKey()];
  const bind = async (key: TestKey, holder: string) => {
    const result = await logbook.append(
      signed(kz.key, KIND_KEY, iat(), {
        action: 'bind',
        keyId: key.keyId,
        alg: 'Ed25519',
        publicKey: key.publicKey,
        holder,
        role: 'kraamverzorgende',
        organisation: kz.ref,
      }),
    );
    if (!result.ok) throw new Error(result.problem.text);
  };
  await bind(anna, 'pro:anna-jansen');
  await bind(eva, 'pro:eva-bakker');

  const db = await openDatabase(':memory:');
  const passkeys = new PasskeyService({
    relyingParty: RP,
    rpName: 'Kraamzorg De Wieg',
    organisation: kz.ref,
    credentials: await SqlCredentialRepository.open(db),
    challenges: new SqlChallengeStore(db, 60_000),
    now: () => clock.now,
  });
  const authenticator = new SoftAuthenticator(ORIGIN);
  const enrollee = { holder: MARIA, role: 'client' as const, displayName: 'Maria' };
  const registration = await passkeys.verifyRegistration(
    enrollee,
    authenticator.create(await passkeys.registrationOptions(enrollee)),
  );
  if (!registration.ok) throw new Error(registration.problem.text);
  const credential = registration.value;
  const binding = await logbook.append(
    signStatement(keyBindingStatement(credential, kz.key.keyId, iat()), kz.key.secret),
  );
  if (!binding.ok) throw new Error(binding.problem.text);
  const indexed = logbook.appendElsewhere(
    region.insurer.log,
    signed(
      region.insurer.key,
      KIND_INDEX,
      iat(),
      { holder: region.insurer.ref, category: 'verzekering' },
      MARIA,
    ),
  );
  if (!indexed.ok) throw new Error(indexed.problem.text);

  const service = new CarelogService({
    logbook,
    files: await SqlCareFiles.open(db),
    organisation: organisationSigner(kz.key),
    now: () => clock.now,
    receipts: (at) => logbook.receipt(at),
  });
  const maria = {
    credential,
    sign(statement: Statement): SignedStatement {
      const response = authenticator.get({ rpId: RP.rpId, challenge: challengeOf(statement) });
      return { statement, signatures: [webauthnSignatureOf(credential.keyId, response)] };
    },
  };
  const consent = async (decision: 'grant' | 'objection') => {
    const statement: Statement = {
      kind: KIND_CONSENT,
      v: STATEMENT_VERSION,
      author: credential.keyId,
      iat: iat(),
      subject: MARIA,
      body: { decision, grantee: region.insurer.ref, ...BILLING_CONSENT },
    };
    const result = await logbook.append(maria.sign(statement));
    if (!result.ok) throw new Error(result.problem.text);
  };
  return { region, logbook, service, anna, eva, maria, clock, db, consent };
}
