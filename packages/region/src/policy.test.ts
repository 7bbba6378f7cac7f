import {
  entryBytes,
  keyIdOf,
  signStatementEd25519,
  statementHash,
  toBase64,
  utf8,
  type LogRef,
  type SignedStatement,
  type WebAuthnSignature,
  type WebAuthnVerify,
} from '@ketenlog/logbook';
import { describe, expect, it } from 'vitest';
import { RegionPolicy, RegionPolicyError, judgeEntry } from './policy.ts';
import { foldLogs, hashOfStatement, snapshotState } from './state/region-state.ts';
import { entryStatus } from './state/carelog.ts';
import {
  MARIA,
  PARTNER,
  SPEC_HASH,
  T0,
  keyBody,
  newTestKey,
  regionHistory,
  signAs,
  testRegion,
  type StatementDraft,
  type TestKey,
} from './testing.ts';

const region = testRegion();
const { kraamzorg: kz, verloskunde: vk, ziekenhuis: zh, verzekeraar: zv, statistiek: st } = region;
const history = regionHistory(region);
const { anna2, maria, partner } = history;
const [e1, e2] = history.entries;
const LATER = T0 + 10_000;
const OTHER_CLIENT = 'pOther-00000000000000002';

function acceptAll(policy: RegionPolicy, entries = history.logs.history): void {
  for (const e of entries) {
    const verdict = policy.check(e.log, e.index, e.bytes);
    expect(verdict, `${e.envelope.statement.kind} at ${e.log.origin}#${e.index}`).toEqual({ ok: true });
    policy.accept(e.log, e.index, e.bytes);
  }
}

function policyAfterHistory(options = {}): RegionPolicy {
  const policy = new RegionPolicy(region.config, options);
  acceptAll(policy);
  return policy;
}

const policy = policyAfterHistory();

function judge(log: LogRef, envelope: SignedStatement | Uint8Array, on: RegionPolicy = policy) {
  const bytes = envelope instanceof Uint8Array ? envelope : entryBytes(envelope);
  return on.check(log, 1_000_000, bytes);
}

function draft(kind: StatementDraft['kind'], body: StatementDraft['body'], subject?: string): StatementDraft {
  return { kind, iat: LATER, body, ...(subject === undefined ? {} : { subject }) };
}

function expectRefused(verdict: ReturnType<RegionPolicy['check']>, reason: string | RegExp): void {
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.reason).toMatch(reason);
}

/** Appends and accepts one more entry on a policy (for rules that need state). */
function acceptOne(on: RegionPolicy, log: LogRef, envelope: SignedStatement): void {
  const bytes = entryBytes(envelope);
  expect(on.check(log, 0, bytes)).toEqual({ ok: true });
  on.accept(log, 0, bytes);
}

const bind = (key: TestKey, holder: string, role: string, extra: Record<string, string> = {}) =>
  draft('key', keyBody(key, holder, role, extra));

describe('RegionPolicy accepts a valid history', () => {
  it('accepts every entry of the region history in log order', () => {
    expect(policy.state.logSizes.size).toBe(5);
  });

  it('keeps a live state equal to the state rebuilt from the logs', () => {
    const rebuilt = foldLogs(region.config, history.logs.logs());
    expect(policy.state).toEqual(rebuilt);
    expect(snapshotState(policy.state)).toEqual(snapshotState(rebuilt));
  });

  it('lets a delegate approve while the delegation is in force', () => {
    expect(entryStatus(policy.state.carelog, e2)).toBe('approved');
  });

  it('refuses to accept bytes that are not an entry', () => {
    expect(() => policy.accept(kz.log, 0, utf8('{}'))).toThrow(RegionPolicyError);
  });
});

describe('RegionPolicy refuses', () => {
  it('a malformed or non-canonical entry', () => {
    expectRefused(judge(kz.log, utf8('not json')), /^malformed entry: entry is not JSON/);
    const envelope = signAs(kz.key, draft('index', { holder: kz.ref, category: 'x' }, MARIA));
    const spaced = utf8(JSON.stringify(envelope, null, 1));
    expectRefused(judge(kz.log, spaced), /not in canonical \(JCS\) form/);
  });

  it("an entry in a log that is not a member's", () => {
    const envelope = signAs(kz.key, draft('index', { holder: kz.ref, category: 'x' }, MARIA));
    expectRefused(judge({ logId: 'x', origin: 'elsewhere.example/log' }, envelope), "is not a member's log");
  });

  it('a signature by an unknown key', () => {
    const stranger = newTestKey();
    const envelope = signAs(stranger, draft('index', { holder: kz.ref, category: 'x' }, MARIA));
    expectRefused(judge(kz.log, envelope), `unknown key ${stranger.keyId}`);
  });

  it('a revoked key, from the revocation on', () => {
    const envelope = signAs(
      history.bram,
      draft('carelog.indication', { indication: 'ind-2', provider: kz.ref, hours: 49, days: 8 }, MARIA),
    );
    expectRefused(judge(vk.log, envelope), `key ${history.bram.keyId} is revoked`);
  });

  it('a rotated-out key, naming its successor', () => {
    const envelope = signAs(
      history.anna,
      draft(
        'carelog.entry',
        { indication: 'ind-maria-1', date: '2026-11-23', start: '09:00', end: '10:00', activities: ['zorg'] },
        MARIA,
      ),
    );
    expectRefused(
      judge(kz.log, envelope),
      `key ${history.anna.keyId} was rotated out (replaced by ${anna2.keyId})`,
    );
  });

  it('a bad signature', () => {
    const envelope = signAs(kz.key, draft('index', { holder: kz.ref, category: 'x' }, MARIA));
    const tampered = {
      ...envelope,
      statement: { ...envelope.statement, body: { holder: kz.ref, category: 'y' } },
    };
    expectRefused(judge(kz.log, tampered), `bad signature by ${kz.key.keyId}`);
  });

  it('a statement its author did not sign', () => {
    const statement = {
      ...signAs(kz.key, draft('index', { holder: kz.ref, category: 'x' }, MARIA)).statement,
      author: zh.key.keyId,
    };
    const envelope = { statement, signatures: [signStatementEd25519(statement, kz.key.secret)] };
    expectRefused(judge(kz.log, envelope), 'the author did not sign the statement');
  });

  it('a second signature on a kind that carries only its author', () => {
    const envelope = signAs(kz.key, draft('index', { holder: kz.ref, category: 'x' }, MARIA), [zh.key]);
    expectRefused(judge(kz.log, envelope), "index statements carry only their author's signature");
  });

  it('an author whose role may not author the kind', () => {
    const consent = signAs(anna2, draft('consent', { decision: 'grant', grantee: zh.ref }, MARIA));
    expectRefused(judge(kz.log, consent), 'a kraamverzorgende may not author consent statements');
    const approval = signAs(kz.key, draft('carelog.approval', { entry: e1, decision: 'approved' }, MARIA));
    expectRefused(judge(kz.log, approval), 'a node may not author carelog.approval statements');
    const entry = signAs(
      maria,
      draft(
        'carelog.entry',
        { indication: 'ind-maria-1', date: '2026-11-23', start: '09:00', end: '10:00', activities: ['zorg'] },
        MARIA,
      ),
    );
    expectRefused(judge(kz.log, entry), 'a client may not author carelog.entry statements');
  });

  it("an organisation writing to another member's log", () => {
    const envelope = signAs(kz.key, draft('index', { holder: kz.ref, category: 'x' }, MARIA));
    expectRefused(judge(zv.log, envelope), `${kz.ref} writes only to its own log, not to ${zv.ref}'s`);
  });

  it('a delegate without a delegation in force (revoked), and a client acting for another client', () => {
    const approval = signAs(
      partner,
      draft('carelog.approval', { entry: history.entries[2], decision: 'approved' }, MARIA),
    );
    expectRefused(
      judge(kz.log, approval),
      `no delegation in force from the client to ${PARTNER} for carelog.approval`,
    );
    const forOther = signAs(maria, draft('consent', { decision: 'grant', grantee: zh.ref }, OTHER_CLIENT));
    expectRefused(judge(kz.log, forOther), `no delegation in force from the client to ${MARIA} for consent`);
  });

  it('a delegate granting or revoking a delegation', () => {
    const grant = signAs(
      partner,
      draft('consent', { decision: 'grant', grantee: 'rep:someone-else', purpose: 'delegation' }, MARIA),
    );
    expectRefused(judge(kz.log, grant), 'only the client herself grants or revokes a delegation');
  });

  it('an organisation indexing records it does not hold', () => {
    const envelope = signAs(kz.key, draft('index', { holder: zh.ref, category: 'x' }, MARIA));
    expectRefused(judge(kz.log, envelope), `holder must be ${kz.ref}`);
  });

  it('consent revocations of unknown or revoked consents, and malformed delegations', () => {
    const unknown = signAs(
      maria,
      draft('consent', { decision: 'revocation', revokes: toBase64(new Uint8Array(32)) }, MARIA),
    );
    expectRefused(judge(kz.log, unknown), 'this client never gave');
    const again = signAs(
      maria,
      draft('consent', { decision: 'revocation', revokes: history.delegation }, MARIA),
    );
    expectRefused(judge(kz.log, again), `consent ${history.delegation} is already revoked`);
    const noGrantee = signAs(maria, draft('consent', { decision: 'grant', purpose: 'delegation' }, MARIA));
    expectRefused(judge(kz.log, noGrantee), 'a delegation names its grantee');
    const wrongKind = signAs(
      maria,
      draft(
        'consent',
        { decision: 'grant', grantee: PARTNER, category: 'key', purpose: 'delegation' },
        MARIA,
      ),
    );
    expectRefused(judge(kz.log, wrongKind), "a delegation's category is one of consent, carelog.approval");
  });

  it('indications from unknown providers, and re-indications that do not replace the current version', () => {
    const ind = (body: Record<string, string | number>) =>
      signAs(
        kz.key,
        draft(
          'carelog.indication',
          { indication: 'ind-maria-1', provider: kz.ref, hours: 56, days: 9, ...body },
          MARIA,
        ),
      );
    expectRefused(
      judge(kz.log, ind({ indication: 'ind-new', provider: 'ura:99999999' })),
      'provider ura:99999999 is not a member organisation',
    );
    expectRefused(
      judge(kz.log, ind({})),
      'indication ind-maria-1 exists; a re-indication names the version it replaces',
    );
    expectRefused(
      judge(kz.log, ind({ replaces: e1 })),
      'replaces a version of ind-maria-1 that is not current',
    );
    expectRefused(
      judge(kz.log, ind({ indication: 'ind-none', replaces: e1 })),
      're-indication of unknown indication ind-none',
    );
    const otherClient = signAs(
      kz.key,
      draft(
        'carelog.indication',
        { indication: 'ind-maria-1', provider: kz.ref, hours: 56, days: 9, replaces: history.indication },
        OTHER_CLIENT,
      ),
    );
    expectRefused(judge(kz.log, otherClient), 'is for another client');
    expect(judge(kz.log, ind({ replaces: history.indication }))).toEqual({ ok: true });
  });

  it('care entries for unknown indications, for another client, or by a carer not from the provider', () => {
    const entry = (indication: string, subject = MARIA) =>
      signAs(
        anna2,
        draft(
          'carelog.entry',
          { indication, date: '2026-11-23', start: '09:00', end: '10:00', activities: ['zorg'] },
          subject,
        ),
      );
    expectRefused(judge(kz.log, entry('ind-none')), 'entry for unknown indication ind-none');
    expectRefused(
      judge(kz.log, entry('ind-maria-1', OTHER_CLIENT)),
      "entry's client is not the client of indication ind-maria-1",
    );
    const own = policyAfterHistory();
    acceptOne(
      own,
      kz.log,
      signAs(
        kz.key,
        draft('carelog.indication', { indication: 'ind-vk', provider: vk.ref, hours: 49, days: 8 }, MARIA),
      ),
    );
    expectRefused(
      judge(kz.log, entry('ind-vk'), own),
      `only the indication's provider ${vk.ref} logs care for it`,
    );
  });

  it('approvals of unknown entries, of another client, or of entries already decided', () => {
    const approve = (entry: string, subject = MARIA) =>
      signAs(maria, draft('carelog.approval', { entry, decision: 'approved' }, subject));
    expectRefused(judge(kz.log, approve(toBase64(new Uint8Array(32).fill(1)))), 'approval of unknown entry');
    expectRefused(judge(zv.log, approve(e2)), `entry ${e2} is already approved`);
    const own = policyAfterHistory();
    const other = newTestKey();
    acceptOne(own, kz.log, signAs(kz.key, { ...bind(other, OTHER_CLIENT, 'client'), subject: OTHER_CLIENT }));
    const theirs = signAs(
      other,
      draft('carelog.approval', { entry: e1, decision: 'approved' }, OTHER_CLIENT),
    );
    expectRefused(judge(zv.log, theirs, own), `entry ${e1} is not this client's`);
  });

  it('agreements with outsiders, signers who are not parties, or other terms under a known id', () => {
    const terms = { agreement: 'agr-2', parties: [zh.ref, st.ref], purpose: 'p', specHash: SPEC_HASH };
    expectRefused(
      judge(st.log, signAs(st.key, draft('agreement', { ...terms, parties: [st.ref, 'ura:99999999'] }))),
      'party ura:99999999 is not a member organisation',
    );
    expectRefused(
      judge(st.log, signAs(st.key, draft('agreement', terms), [zv.key])),
      `signer ${zv.key.keyId} does not act for a party`,
    );
    expectRefused(
      judge(st.log, signAs(st.key, draft('agreement', { ...terms, parties: [kz.ref, zh.ref] }))),
      `signer ${st.key.keyId} does not act for a party`,
    );
    const conflicting = { ...terms, agreement: 'agr-geboorte-2026', parties: [zh.ref, zv.ref, st.ref] };
    expectRefused(
      judge(st.log, signAs(st.key, draft('agreement', conflicting))),
      'agreement agr-geboorte-2026 already has other terms',
    );
  });

  it('runs under unknown, incomplete, expired or different agreements', () => {
    const run = (body: Record<string, unknown>, cosigners: TestKey[] = [], iat = LATER) =>
      signAs(
        st.key,
        {
          kind: 'analysis.run',
          iat,
          body: {
            agreement: 'agr-3',
            specHash: SPEC_HASH,
            outputDigest: SPEC_HASH,
            parties: [zh.ref, st.ref],
            ...body,
          } as never,
        },
        cosigners,
      );
    expectRefused(judge(st.log, run({})), 'run under unknown agreement agr-3');
    const own = policyAfterHistory();
    acceptOne(
      own,
      st.log,
      signAs(
        st.key,
        draft('agreement', {
          agreement: 'agr-3',
          parties: [zh.ref, st.ref],
          purpose: 'p',
          specHash: SPEC_HASH,
          validUntil: '2026-12-31',
        }),
      ),
    );
    expectRefused(judge(st.log, run({}), own), 'agreement agr-3 is not signed by every party');
    acceptOne(
      own,
      zh.log,
      signAs(
        zh.key,
        draft('agreement', {
          agreement: 'agr-3',
          parties: [st.ref, zh.ref],
          purpose: 'p',
          specHash: SPEC_HASH,
          validUntil: '2026-12-31',
        }),
      ),
    );
    expect(judge(st.log, run({}, [zh.key], Date.parse('2026-12-31T23:00:00Z') / 1000), own)).toEqual({
      ok: true,
    });
    expectRefused(
      judge(st.log, run({ specHash: toBase64(new Uint8Array(32)) }), own),
      "run's spec hash is not the one agreed in agr-3",
    );
    expectRefused(
      judge(st.log, run({ parties: [zh.ref, zv.ref] }), own),
      `run party ${zv.ref} is not a party to agr-3`,
    );
    expectRefused(
      judge(st.log, run({}, [], Date.parse('2027-01-01T00:00:00Z') / 1000), own),
      'agreement agr-3 expired on 2026-12-31',
    );
    expectRefused(
      judge(st.log, run({}, [zv.key], Date.parse('2026-06-01T00:00:00Z') / 1000), own),
      `signer ${zv.key.keyId} does not act for a party`,
    );
  });

  it('accesses by organisations outside the region', () => {
    const access = signAs(
      zh.key,
      draft(
        'access',
        { accessor: 'pro:x', organisation: 'ura:99999999', role: 'r', category: 'c', purpose: 'p' },
        MARIA,
      ),
    );
    expectRefused(judge(zh.log, access), 'accessing organisation ura:99999999 is not a member');
  });

  it('key bindings with a wrong key ID, a bad key, a known key, or an unknown role', () => {
    const key = newTestKey();
    expectRefused(
      judge(
        kz.log,
        signAs(
          kz.key,
          bind(key, 'pro:x', 'kraamverzorgende', { organisation: kz.ref, keyId: history.anna.keyId }),
        ),
      ),
      `key ID ${history.anna.keyId} does not match its public key`,
    );
    expectRefused(
      judge(
        kz.log,
        signAs(kz.key, bind(key, 'pro:x', 'kraamverzorgende', { organisation: kz.ref, publicKey: 'AAAA' })),
      ),
      'is not a valid Ed25519 key',
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, bind(anna2, 'pro:x', 'kraamverzorgende', { organisation: kz.ref }))),
      `key ${anna2.keyId} is already known`,
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, bind(key, 'pro:x', 'tovenaar', { organisation: kz.ref }))),
      'a key binding names a role of the region (got tovenaar)',
    );
  });

  it('key bindings for another organisation, a client key not bound to her pseudonym, or a role the organisation lacks', () => {
    const key = newTestKey();
    expectRefused(
      judge(kz.log, signAs(kz.key, bind(key, zh.ref, 'node'))),
      `${kz.ref} binds node keys only for itself`,
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, { ...bind(key, OTHER_CLIENT, 'client'), subject: MARIA })),
      "a client's key is bound to her pseudonym",
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, bind(key, 'pro:x', 'kraamverzorgende', { organisation: zh.ref }))),
      `${kz.ref} binds professional keys only for its own professionals`,
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, bind(key, 'pro:x', 'medisch-specialist', { organisation: kz.ref }))),
      'role medisch-specialist is not a role at a kraamzorg organisation',
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, bind(key, 'pro:anna-jansen', 'administratie', { organisation: kz.ref }))),
      'professional pro:anna-jansen is configured as kraamverzorgende at ura:11110001',
    );
    expect(judge(kz.log, signAs(kz.key, bind(key, kz.ref, 'node')))).toEqual({ ok: true });
  });

  it('revocations and rotations of unknown, revoked, inactive or foreign keys', () => {
    const revoke = (keyId: string) => draft('key', { action: 'revoke', keyId, alg: 'Ed25519', holder: 'x' });
    expectRefused(judge(kz.log, signAs(kz.key, revoke(newTestKey().keyId))), 'revokes unknown key');
    expectRefused(
      judge(vk.log, signAs(vk.key, revoke(history.bram.keyId))),
      `key ${history.bram.keyId} is already revoked`,
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, revoke(zh.key.keyId))),
      `${kz.ref} may not revoke key ${zh.key.keyId} of another organisation`,
    );
    expect(judge(kz.log, signAs(kz.key, revoke(maria.keyId)))).toEqual({ ok: true });
    const next = newTestKey();
    const rotate = (old: string, holder: string, role: string) => ({
      ...bind(next, holder, role, { organisation: kz.ref }),
      body: { ...bind(next, holder, role, { organisation: kz.ref }).body, action: 'rotate', replaces: old },
    });
    expectRefused(
      judge(kz.log, signAs(kz.key, rotate(history.anna.keyId, 'pro:anna-jansen', 'kraamverzorgende'))),
      `rotates key ${history.anna.keyId}, which is not active`,
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, rotate(zh.key.keyId, zh.ref, 'node'))),
      `${kz.ref} may not rotate key ${zh.key.keyId} of another organisation`,
    );
    expectRefused(
      judge(kz.log, signAs(kz.key, rotate(anna2.keyId, 'pro:someone-else', 'kraamverzorgende'))),
      'a rotation keeps the holder and role',
    );
    expect(judge(kz.log, signAs(kz.key, rotate(anna2.keyId, 'pro:anna-jansen', 'kraamverzorgende')))).toEqual(
      { ok: true },
    );
  });

  it("a client's key from the moment its revocation is accepted", () => {
    const own = policyAfterHistory();
    const grant = signAs(maria, draft('consent', { decision: 'grant', grantee: vk.ref }, MARIA));
    expect(judge(kz.log, grant, own)).toEqual({ ok: true });
    acceptOne(
      own,
      kz.log,
      signAs(kz.key, draft('key', { action: 'revoke', keyId: maria.keyId, alg: 'Ed25519', holder: MARIA })),
    );
    expectRefused(judge(kz.log, grant, own), `key ${maria.keyId} is revoked`);
  });
});

describe('RegionPolicy with passkey (WebAuthn) client signatures', () => {
  const passkeyPublic = new Uint8Array(65).fill(4);
  const passkeyId = keyIdOf('webauthn-es256', passkeyPublic);
  const bindPasskey = signAs(kz.key, {
    ...draft('key', {
      action: 'bind',
      keyId: passkeyId,
      alg: 'webauthn-es256',
      publicKey: toBase64(passkeyPublic),
      holder: OTHER_CLIENT,
      role: 'client',
    }),
    subject: OTHER_CLIENT,
  });
  const statement = {
    kind: 'consent',
    v: 1,
    author: passkeyId,
    iat: LATER,
    subject: OTHER_CLIENT,
    body: { decision: 'grant', grantee: zh.ref },
  } as const;
  const assertion = (sig: string): SignedStatement => ({
    statement,
    signatures: [
      {
        alg: 'webauthn-es256',
        keyId: passkeyId,
        sig,
        authenticatorData: 'YXV0aA==',
        clientDataJSON: 'e30=',
      } satisfies WebAuthnSignature,
    ],
  });
  // A stand-in verifier: the identity layer's real one checks the assertion over the challenge.
  const verify: WebAuthnVerify = (signature, challenge, publicKey) =>
    signature.sig === toBase64(challenge) && publicKey.length === 65;
  const good = assertion(toBase64(statementHash(statement)));

  it('refuses a passkey signature when no verifier was injected', () => {
    const own = policyAfterHistory();
    acceptOne(own, kz.log, bindPasskey);
    expectRefused(
      judge(kz.log, good, own),
      `no WebAuthn verifier to check the passkey signature of ${passkeyId}`,
    );
  });

  it('accepts an assertion the injected verifier accepts and refuses a tampered one', () => {
    const own = policyAfterHistory({ webauthnVerify: verify });
    acceptOne(own, kz.log, bindPasskey);
    expect(judge(kz.log, good, own)).toEqual({ ok: true });
    expectRefused(
      judge(kz.log, assertion(toBase64(new Uint8Array(32))), own),
      `bad signature by ${passkeyId}`,
    );
    acceptOne(own, kz.log, good);
    expect(own.state.consents.get(OTHER_CLIENT)?.records[0]?.hash).toBe(hashOfStatement(statement));
  });
});

describe('judgeEntry on states the witness rules alone would not produce', () => {
  const pro = newTestKey();
  /** A state with one key binding folded in unjudged, as after a configuration change. */
  const stateWith = (body: Record<string, string>, config = region.config) =>
    foldLogs(config, [
      {
        log: kz.log,
        entries: [
          signAs(
            kz.key,
            draft('key', {
              action: 'bind',
              keyId: pro.keyId,
              alg: 'Ed25519',
              publicKey: pro.publicKey,
              ...body,
            }),
          ),
        ],
      },
    ]);
  const index = signAs(pro, draft('index', { holder: kz.ref, category: 'x' }, MARIA));

  it('refuses a key whose binding names no role', () => {
    expectRefused(
      judgeEntry(stateWith({ holder: 'pro:x', organisation: kz.ref }), kz.log, entryBytes(index)),
      `key ${pro.keyId} has no role in the region`,
    );
  });

  it('refuses a professional whose role the region no longer has, or no longer has at her organisation', () => {
    expectRefused(
      judgeEntry(
        stateWith({ holder: 'pro:x', organisation: kz.ref, role: 'tovenaar' }),
        kz.log,
        entryBytes(index),
      ),
      'role tovenaar is not a role in this region',
    );
    expectRefused(
      judgeEntry(
        stateWith({ holder: 'pro:x', organisation: kz.ref, role: 'medisch-specialist' }),
        kz.log,
        entryBytes(index),
      ),
      'role medisch-specialist is not a role at a kraamzorg organisation',
    );
  });

  it("refuses key statements by anyone but an organisation's node, even when a role lists the kind", () => {
    const roles = new Map(region.config.roles);
    roles.set('kraamverzorgende', { name: 'kraamverzorgende', kinds: ['carelog.entry', 'key'] });
    const config = { ...region.config, roles };
    const state = stateWith({ holder: 'pro:x', organisation: kz.ref, role: 'kraamverzorgende' }, config);
    const bindOther = signAs(pro, bind(newTestKey(), 'pro:y', 'kraamverzorgende', { organisation: kz.ref }));
    expectRefused(
      judgeEntry(state, kz.log, entryBytes(bindOther)),
      "only an organisation's node binds, rotates or revokes keys",
    );
  });

  it('refuses a delegate statement without a client to act for', () => {
    const roles = new Map(region.config.roles);
    roles.set('delegate', { name: 'delegate', kinds: ['consent', 'carelog.approval', 'agreement'] });
    const config = { ...region.config, roles };
    const state = stateWith({ holder: PARTNER, role: 'delegate' }, config);
    const agreement = signAs(
      pro,
      draft('agreement', { agreement: 'a', parties: [kz.ref, zh.ref], purpose: 'p', specHash: SPEC_HASH }),
    );
    expectRefused(
      judgeEntry(state, kz.log, entryBytes(agreement)),
      'a delegate acts only for a named client (subject)',
    );
  });
});
