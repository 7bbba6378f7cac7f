import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from './bytes.ts';
import { generateSecretKey } from './note.ts';
import {
  canonicalJson,
  entryBytes,
  isKind,
  keyIdOf,
  parseEntry,
  signStatement,
  statementHash,
  validateStatement,
  verifySignedStatement,
  type Json,
  type KeyResolver,
  type Statement,
} from './statement.ts';
import { STATEMENT_KINDS, type StatementKind } from './statement-kinds.ts';

const PSEUDONYM = 'pZ7c1Jx0sQ9mB2kLr4TnYw';
const HASH = toBase64(new Uint8Array(32).fill(7));

function author() {
  const secret = generateSecretKey();
  const publicKey = ed25519.getPublicKey(secret);
  return { secret, publicKey, keyId: keyIdOf('Ed25519', publicKey) };
}

const BODIES: Record<StatementKind, { subject?: string; body: Record<string, Json> }> = {
  index: { subject: PSEUDONYM, body: { holder: 'ura:12345678', category: 'medication' } },
  consent: {
    subject: PSEUDONYM,
    body: { decision: 'grant', grantee: 'ura:87654321', category: 'medication' },
  },
  'carelog.indication': {
    subject: PSEUDONYM,
    body: { indication: 'ind-1', provider: 'ura:12345678', hours: 49, days: 8 },
  },
  'carelog.entry': {
    subject: PSEUDONYM,
    body: {
      indication: 'ind-1',
      date: '2026-11-20',
      start: '09:00',
      end: '12:30',
      activities: ['bath', 'feeding'],
    },
  },
  'carelog.approval': { subject: PSEUDONYM, body: { entry: HASH, decision: 'approved' } },
  agreement: {
    body: {
      agreement: 'agr-1',
      parties: ['ura:1', 'uzovi:2', 'cbs'],
      purpose: 'birth outcomes',
      specHash: HASH,
    },
  },
  'analysis.run': {
    body: { agreement: 'agr-1', specHash: HASH, outputDigest: HASH, parties: ['ura:1', 'cbs'] },
  },
  access: {
    subject: PSEUDONYM,
    body: {
      accessor: 'uzi:999',
      organisation: 'ura:1',
      role: 'huisarts',
      category: 'medication',
      purpose: 'treatment',
    },
  },
  key: { body: { action: 'bind', keyId: 'abc123', alg: 'Ed25519', publicKey: HASH, holder: 'ura:1' } },
};

function statementOf(kind: StatementKind, authorKeyId: string): Statement {
  const { subject, body } = BODIES[kind];
  return { kind, v: 1, author: authorKeyId, iat: 1_763_856_000, ...(subject ? { subject } : {}), body };
}

describe('RFC 8785 canonical JSON', () => {
  it('serialises the RFC 8785 §3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as Json;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Emoji',
      '\u0080': 'Control',
      '\u00f6': 'o',
    };
    const order = ['\\r', '"1"', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const positions = order.map((key) => canonicalJson(input).indexOf(key));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson('\ud800')).toThrow();
  });
});

describe('statement schemas', () => {
  it.each(STATEMENT_KINDS)('a well-formed %s statement validates', (kind) => {
    expect(validateStatement(statementOf(kind, 'abc'))).toEqual({
      ok: true,
      value: statementOf(kind, 'abc'),
    });
  });

  const base = statementOf('carelog.entry', 'abc');
  it.each([
    ['not an object', [], /must be an object/],
    ['an unknown kind', { ...base, kind: 'gossip' }, /unknown kind/],
    ['an unknown version', { ...base, v: 2 }, /version/],
    ['a missing author', { ...base, author: '' }, /author/],
    ['a fractional iat', { ...base, iat: 1.5 }, /iat/],
    ['a BSN-like subject', { ...base, subject: '123456782' }, /pseudonym/],
    ['a missing subject', { ...base, subject: undefined }, /needs a subject/],
    ['an extra top-level field', { ...base, note: 'x' }, /not allowed/],
    [
      'an extra body field (no content on the log)',
      { ...base, body: { ...base.body, diagnosis: 'x' } },
      /body.diagnosis is not allowed/,
    ],
    ['an end before the start', { ...base, body: { ...base.body, start: '13:00' } }, /after/],
    ['an impossible time', { ...base, body: { ...base.body, end: '25:00' } }, /HH:MM/],
    ['no activities', { ...base, body: { ...base.body, activities: [] } }, /at least 1/],
  ])('rejects a statement with %s', (_why, value, reason) => {
    const result = validateStatement(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem.text).toMatch(reason);
  });

  it.each([
    ['consent', { decision: 'revocation' }, /revokes/],
    ['consent', { decision: 'grant', revokes: HASH }, /only a revocation/],
    [
      'carelog.indication',
      { indication: 'i', provider: 'p', hours: 90, days: 8 },
      /hours must be an integer in 24..80/,
    ],
    ['carelog.approval', { entry: HASH, decision: 'rejected' }, /reason/],
    ['carelog.approval', { entry: 'not-a-hash', decision: 'approved' }, /SHA-256/],
    ['access', { ...BODIES.access.body, breakTheGlass: true }, /break-the-glass/],
    ['key', { action: 'rotate', keyId: 'k', alg: 'Ed25519', publicKey: HASH, holder: 'h' }, /replaces/],
    ['key', { action: 'bind', keyId: 'k', alg: 'Ed25519', holder: 'h' }, /publicKey/],
    ['agreement', { ...BODIES.agreement.body, parties: ['ura:1'] }, /at least 2/],
    ['agreement', { ...BODIES.agreement.body, parties: ['ura:1', 'ura:1'] }, /duplicates/],
  ] as const)('a %s statement breaking its own rules is rejected', (kind, body, reason) => {
    const result = validateStatement({ ...statementOf(kind, 'abc'), body });
    expect(!result.ok && result.problem.text).toMatch(reason);
  });

  it('an agreement carries no subject', () => {
    const result = validateStatement({ ...statementOf('agreement', 'abc'), subject: PSEUDONYM });
    expect(!result.ok && result.problem.text).toMatch(/no subject/);
  });
});

describe('signed statements', () => {
  const carer = author();
  const keys: KeyResolver = (keyId) =>
    keyId === carer.keyId ? { alg: 'Ed25519', publicKey: carer.publicKey } : undefined;

  it('a statement signed by its author verifies and round-trips through its log entry bytes', () => {
    const envelope = signStatement(statementOf('carelog.entry', carer.keyId), carer.secret);
    expect(verifySignedStatement(envelope, keys).ok).toBe(true);
    const parsed = parseEntry(entryBytes(envelope));
    expect(parsed.ok && parsed.value).toEqual(envelope);
    expect(parsed.ok && verifySignedStatement(parsed.value, keys).ok).toBe(true);
  });

  it('the entry bytes are canonical regardless of key order', () => {
    const statement = statementOf('index', carer.keyId);
    const shuffled = {
      body: statement.body,
      subject: statement.subject,
      iat: statement.iat,
      author: statement.author,
      v: 1,
      kind: 'index',
    } as Statement;
    expect(statementHash(shuffled)).toEqual(statementHash(statement));
    expect(entryBytes(signStatement(shuffled, carer.secret))).toEqual(
      entryBytes(signStatement(statement, carer.secret)),
    );
  });

  it('refuses to sign an invalid statement or one whose author is another key', () => {
    expect(() => signStatement({ ...statementOf('index', carer.keyId), body: {} }, carer.secret)).toThrow(
      /invalid/,
    );
    expect(() => signStatement(statementOf('index', 'someone-else'), carer.secret)).toThrow(/author/);
  });

  it('rejects a changed statement, an unknown key, a wrong alg and a missing author signature', () => {
    const envelope = signStatement(statementOf('carelog.entry', carer.keyId), carer.secret);
    const changed = { ...envelope, statement: { ...envelope.statement, iat: envelope.statement.iat + 1 } };
    expect(verifySignedStatement(changed, keys)).toEqual({
      ok: false,
      problem: { status: 400, code: 'invalid', text: `bad signature by ${carer.keyId}` },
    });
    const stranger = author();
    const byStranger = signStatement(statementOf('carelog.entry', stranger.keyId), stranger.secret);
    expect(verifySignedStatement(byStranger, keys)).toMatchObject({
      ok: false,
      problem: { text: /unknown or revoked/ },
    });
    const wrongAlg: KeyResolver = () => ({ alg: 'webauthn-es256', publicKey: carer.publicKey });
    expect(verifySignedStatement(envelope, wrongAlg)).toMatchObject({
      ok: false,
      problem: { text: /not an Ed25519 key/ },
    });
    const coSigned = {
      statement: { ...envelope.statement, author: 'somebody' },
      signatures: envelope.signatures,
    };
    expect(verifySignedStatement(coSigned, keys).ok).toBe(false);
  });

  it('a WebAuthn signature is checked by the injected verifier over the statement hash', () => {
    const client = { keyId: 'client-passkey-1', publicKey: new Uint8Array(65) };
    const statement = statementOf('carelog.approval', client.keyId);
    const assertion = {
      alg: 'webauthn-es256',
      keyId: client.keyId,
      sig: 'AAAA',
      authenticatorData: 'x',
      clientDataJSON: 'y',
    } as const;
    const resolve: KeyResolver = () => ({ alg: 'webauthn-es256', publicKey: client.publicKey });
    let challenge: Uint8Array | undefined;
    const accept = (_s: unknown, c: Uint8Array) => ((challenge = c), true);
    expect(verifySignedStatement({ statement, signatures: [assertion] }, resolve, accept).ok).toBe(true);
    expect(challenge).toEqual(statementHash(statement));
    expect(verifySignedStatement({ statement, signatures: [assertion] }, resolve).ok).toBe(false);
  });

  it.each([
    ['no signatures', (e: Record<string, unknown>) => ({ ...e, signatures: [] }), /at least one/],
    [
      'an unknown alg',
      (e: Record<string, unknown>) => ({ ...e, signatures: [{ alg: 'RS256', keyId: 'k', sig: 'AAAA' }] }),
      /alg/,
    ],
    [
      'a non-base64 sig',
      (e: Record<string, unknown>) => ({ ...e, signatures: [{ alg: 'Ed25519', keyId: 'k', sig: '!!' }] }),
      /base64/,
    ],
    ['an extra envelope field', (e: Record<string, unknown>) => ({ ...e, extra: 1 }), /unknown fields/],
  ])('rejects an envelope with %s', (_why, change, reason) => {
    const envelope = signStatement(statementOf('index', carer.keyId), carer.secret) as unknown as Record<
      string,
      unknown
    >;
    expect(verifySignedStatement(change(envelope), keys)).toMatchObject({
      ok: false,
      problem: { text: reason },
    });
  });

  it('rejects entry bytes that are not canonical, not JSON or not UTF-8', () => {
    const envelope = signStatement(statementOf('index', carer.keyId), carer.secret);
    expect(parseEntry(utf8(JSON.stringify(envelope, null, 1)))).toMatchObject({
      ok: false,
      problem: { text: /canonical/ },
    });
    expect(parseEntry(utf8('{'))).toMatchObject({ ok: false, problem: { text: /not JSON/ } });
    expect(parseEntry(Uint8Array.of(0xff))).toMatchObject({ ok: false, problem: { text: /UTF-8/ } });
  });
});

describe('typed statements', () => {
  it('narrows a validated statement to its kind and body', () => {
    const result = validateStatement(statementOf('carelog.entry', 'abc'));
    if (!result.ok || !isKind(result.value, 'carelog.entry')) throw new Error('expected a carelog entry');
    expect(result.value.body.activities).toEqual(['bath', 'feeding']);
    expect(isKind(result.value, 'consent')).toBe(false);
  });
});
