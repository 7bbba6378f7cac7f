// Test helpers: a demo region with its secret keys, signing as members, professionals and
// clients, and per-member logs to append to. For tests only; the keys are fresh each time.
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  STATEMENT_VERSION,
  entryBytes,
  fromBase64,
  generateSecretKey,
  keyIdOf,
  signStatementEd25519,
  toBase64,
  type Json,
  type LogRef,
  type SignedStatement,
  type Statement,
  type StatementKind,
  KIND_ACCESS,
  KIND_AGREEMENT,
  KIND_ANALYSIS_RUN,
  KIND_CARELOG_APPROVAL,
  KIND_CARELOG_ENTRY,
  KIND_CARELOG_INDICATION,
  KIND_CONSENT,
  KIND_INDEX,
  KIND_KEY,
} from '@ketenlog/logbook';
import { generateDemoRegion } from './config/demo-region.ts';
import { parseRegionConfig } from './config/load-region-config.ts';
import { logOriginOf, type Organisation, type RegionConfig } from './config/region-config.ts';
import { hashOfStatement } from './state/region-state.ts';

export interface TestKey {
  readonly secret: Uint8Array;
  /** base64 public key. */
  readonly publicKey: string;
  readonly keyId: string;
}

export function newTestKey(): TestKey {
  const secret = generateSecretKey();
  const publicKey = ed25519.getPublicKey(secret);
  return { secret, publicKey: toBase64(publicKey), keyId: keyIdOf('Ed25519', publicKey) };
}

export interface TestMember {
  readonly organisation: Organisation;
  readonly ref: string;
  readonly key: TestKey;
  readonly log: LogRef;
}

export interface TestRegion {
  readonly config: RegionConfig;
  readonly kraamzorg: TestMember;
  readonly verloskunde: TestMember;
  readonly ziekenhuis: TestMember;
  readonly verzekeraar: TestMember;
  readonly statistiek: TestMember;
}

export function testRegion(): TestRegion {
  const demo = generateDemoRegion();
  const config = parseRegionConfig(demo.yaml, 'demo-region.yaml');
  const member = (i: number): TestMember => {
    const organisation = config.organisations[i];
    if (!organisation) throw new Error(`demo region has no organisation ${i}`);
    const secrets = demo.secrets.organisations[organisation.ura];
    const [statementKey] = organisation.statementKeys;
    if (!secrets || !statementKey)
      throw new Error(`demo region has no statement key for ${organisation.ura}`);
    const secret = fromBase64(secrets.statementSecret) as Uint8Array;
    return {
      organisation,
      ref: `ura:${organisation.ura}`,
      key: { secret, publicKey: statementKey.publicKey, keyId: secrets.statementKeyId },
      log: { logId: organisation.node.id, origin: logOriginOf(config, organisation) },
    };
  };
  return {
    config,
    kraamzorg: member(0),
    verloskunde: member(1),
    ziekenhuis: member(2),
    verzekeraar: member(3),
    statistiek: member(4),
  };
}

export interface StatementDraft {
  readonly kind: StatementKind;
  readonly iat: number;
  readonly subject?: string;
  readonly body: { readonly [key: string]: Json };
}

/** Signs a draft as `author`, co-signed by `cosigners` (each signature over the same statement). */
export function signAs(
  author: TestKey,
  draft: StatementDraft,
  cosigners: readonly TestKey[] = [],
): SignedStatement {
  const statement: Statement = {
    kind: draft.kind,
    v: STATEMENT_VERSION,
    author: author.keyId,
    iat: draft.iat,
    ...(draft.subject === undefined ? {} : { subject: draft.subject }),
    body: draft.body,
  };
  return {
    statement,
    signatures: [author, ...cosigners].map((k) => signStatementEd25519(statement, k.secret)),
  };
}

export interface AppendedEntry {
  readonly log: LogRef;
  readonly index: number;
  readonly envelope: SignedStatement;
  readonly bytes: Uint8Array;
}

/** The region's logs as plain lists, in append order. */
export class TestLogs {
  readonly #logs = new Map<string, { log: LogRef; entries: AppendedEntry[] }>();
  /** Every append across logs, in the order it happened. */
  readonly history: AppendedEntry[] = [];

  append(log: LogRef, envelope: SignedStatement): AppendedEntry {
    const found = this.#logs.get(log.origin) ?? { log, entries: [] };
    this.#logs.set(log.origin, found);
    const appended = { log, index: found.entries.length, envelope, bytes: entryBytes(envelope) };
    found.entries.push(appended);
    this.history.push(appended);
    return appended;
  }

  /** Each log with its entries, in the shape foldLogs reads. */
  logs(): { log: LogRef; entries: Uint8Array[] }[] {
    return [...this.#logs.values()].map(({ log, entries }) => ({
      log,
      entries: entries.map((e) => e.bytes),
    }));
  }

  perLog(): AppendedEntry[][] {
    return [...this.#logs.values()].map((l) => l.entries);
  }
}

/** A deterministic PRNG (mulberry32) so randomised tests can be replayed from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random interleaving of the logs that keeps each log's own order. */
export function interleave<T>(logs: readonly (readonly T[])[], random: () => number): T[] {
  const cursors = logs.map((entries) => ({ entries, next: 0 }));
  const out: T[] = [];
  for (;;) {
    const open = cursors.filter((c) => c.next < c.entries.length);
    if (open.length === 0) return out;
    // Both indexes are below the length checked just above.
    const pick = open[Math.floor(random() * open.length)]!;
    out.push(pick.entries[pick.next++]!);
  }
}

export const MARIA = 'pMaria-0000000000000001';
export const PARTNER = 'rep:partner-of-maria';
export const SPEC_HASH = toBase64(new Uint8Array(32).fill(3));
export const T0 = 1_790_000_000;

export interface RegionHistory {
  readonly logs: TestLogs;
  readonly anna: TestKey;
  readonly anna2: TestKey;
  readonly bram: TestKey;
  readonly maria: TestKey;
  readonly partner: TestKey;
  /** Hashes (base64 statementHash) of the three care entries and the indication. */
  readonly entries: readonly [string, string, string];
  readonly indication: string;
  readonly delegation: string;
}

/** The body of a key binding for a test key. */
export function keyBody(key: TestKey, holder: string, role: string, extra: Record<string, Json> = {}) {
  return {
    action: 'bind',
    keyId: key.keyId,
    alg: 'Ed25519',
    publicKey: key.publicKey,
    holder,
    role,
    ...extra,
  };
}

/**
 * A region history every rule accepts when judged in append order: key bindings, index entries,
 * an indication with entries and approvals (one by a delegate), consents, a delegation and its
 * revocation, an access, an agreement signed by three parties and a run, a key rotation and a
 * revocation. Client statements sit in other members' logs than the entries they cite.
 */
export function regionHistory(region: TestRegion): RegionHistory {
  const hash = hashOfStatement;
  const { kraamzorg: kz, verloskunde: vk, ziekenhuis: zh, verzekeraar: zv, statistiek: st } = region;
  const logs = new TestLogs();
  const [anna, anna2, bram, maria, partner] = [
    newTestKey(),
    newTestKey(),
    newTestKey(),
    newTestKey(),
    newTestKey(),
  ];
  let t = T0;
  const put = (
    member: TestMember,
    signer: TestKey,
    draft: Omit<StatementDraft, 'iat'>,
    cosigners: TestKey[] = [],
  ) => logs.append(member.log, signAs(signer, { ...draft, iat: t++ }, cosigners)).envelope.statement;

  put(kz, kz.key, {
    kind: KIND_KEY,
    body: keyBody(anna, 'pro:anna-jansen', 'kraamverzorgende', { organisation: kz.ref }),
  });
  put(vk, vk.key, {
    kind: KIND_KEY,
    body: keyBody(bram, 'pro:bram-visser', 'verloskundige', { organisation: vk.ref }),
  });
  put(kz, kz.key, {
    kind: KIND_KEY,
    subject: MARIA,
    body: keyBody(maria, MARIA, 'client', { organisation: kz.ref }),
  });
  put(kz, kz.key, { kind: KIND_KEY, body: keyBody(partner, PARTNER, 'delegate', { organisation: kz.ref }) });
  put(kz, kz.key, { kind: KIND_INDEX, subject: MARIA, body: { holder: kz.ref, category: 'kraamzorg' } });
  put(vk, vk.key, { kind: KIND_INDEX, subject: MARIA, body: { holder: vk.ref, category: 'zwangerschap' } });
  put(zv, zv.key, { kind: KIND_INDEX, subject: MARIA, body: { holder: zv.ref, category: 'verzekering' } });
  put(zh, zh.key, { kind: KIND_INDEX, subject: MARIA, body: { holder: zh.ref, category: 'medication' } });
  const indication = hash(
    put(vk, bram, {
      kind: KIND_CARELOG_INDICATION,
      subject: MARIA,
      body: { indication: 'ind-maria-1', provider: kz.ref, hours: 49, days: 8 },
    }),
  );
  const entry = (signer: TestKey, date: string, start: string, end: string) =>
    hash(
      put(kz, signer, {
        kind: KIND_CARELOG_ENTRY,
        subject: MARIA,
        body: { indication: 'ind-maria-1', date, start, end, activities: ['zorg-moeder', 'zorg-kind'] },
      }),
    );
  const e1 = entry(anna, '2026-11-20', '09:00', '12:00');
  const e2 = entry(anna, '2026-11-21', '13:00', '15:30');
  put(zv, maria, { kind: KIND_CARELOG_APPROVAL, subject: MARIA, body: { entry: e1, decision: 'approved' } });
  put(kz, maria, {
    kind: KIND_CONSENT,
    subject: MARIA,
    body: { decision: 'grant', grantee: zh.ref, category: 'medication', purpose: 'treatment' },
  });
  put(kz, maria, { kind: KIND_CONSENT, subject: MARIA, body: { decision: 'objection', category: 'ggz' } });
  const delegation = hash(
    put(kz, maria, {
      kind: KIND_CONSENT,
      subject: MARIA,
      body: { decision: 'grant', grantee: PARTNER, category: KIND_CARELOG_APPROVAL, purpose: 'delegation' },
    }),
  );
  put(kz, partner, {
    kind: KIND_CARELOG_APPROVAL,
    subject: MARIA,
    body: { entry: e2, decision: 'approved' },
  });
  put(zv, maria, {
    kind: KIND_CONSENT,
    subject: MARIA,
    body: { decision: 'revocation', revokes: delegation },
  });
  put(zh, zh.key, {
    kind: KIND_ACCESS,
    subject: MARIA,
    body: {
      accessor: 'pro:carla-bakker',
      organisation: zh.ref,
      role: 'medisch-specialist',
      category: 'medication',
      purpose: 'treatment',
    },
  });
  const parties = [zh.ref, zv.ref, st.ref];
  put(
    st,
    st.key,
    {
      kind: KIND_AGREEMENT,
      body: { agreement: 'agr-geboorte-2026', parties, purpose: 'birth outcomes', specHash: SPEC_HASH },
    },
    [zh.key, zv.key],
  );
  put(
    st,
    st.key,
    {
      kind: KIND_ANALYSIS_RUN,
      body: {
        agreement: 'agr-geboorte-2026',
        specHash: SPEC_HASH,
        outputDigest: toBase64(new Uint8Array(32).fill(9)),
        parties,
      },
    },
    [zh.key, zv.key],
  );
  put(kz, kz.key, {
    kind: KIND_KEY,
    body: {
      ...keyBody(anna2, 'pro:anna-jansen', 'kraamverzorgende', { organisation: kz.ref }),
      action: 'rotate',
      replaces: anna.keyId,
    },
  });
  const e3 = entry(anna2, '2026-11-22', '09:00', '10:00');
  put(vk, vk.key, {
    kind: KIND_KEY,
    body: { action: 'revoke', keyId: bram.keyId, alg: 'Ed25519', holder: 'pro:bram-visser' },
  });
  put(zv, maria, {
    kind: KIND_CARELOG_APPROVAL,
    subject: MARIA,
    body: { entry: e3, decision: 'rejected', reason: 'Niet geweest' },
  });
  return { logs, anna, anna2, bram, maria, partner, entries: [e1, e2, e3], indication, delegation };
}

/** Conflicts no witness would pass, to show the fold settles them by position, not by arrival. */
export function conflictedHistory(region: TestRegion): RegionHistory {
  const { kraamzorg: kz, verloskunde: vk, ziekenhuis: zh, verzekeraar: zv, statistiek: st } = region;
  const logs = regionHistory(region);
  const [, , e3] = logs.entries;
  const late = T0 + 1000;
  // The same scope granted in one log and objected to in another, at the same second.
  const scope = { grantee: zh.ref, category: 'lab', purpose: 'treatment' };
  logs.logs.append(
    zh.log,
    signAs(logs.maria, {
      kind: KIND_CONSENT,
      iat: late,
      subject: MARIA,
      body: { decision: 'grant', ...scope },
    }),
  );
  logs.logs.append(
    kz.log,
    signAs(logs.maria, {
      kind: KIND_CONSENT,
      iat: late,
      subject: MARIA,
      body: { decision: 'objection', ...scope },
    }),
  );
  // One statement in two logs.
  const twice = signAs(logs.maria, {
    kind: KIND_CONSENT,
    iat: late + 1,
    subject: MARIA,
    body: { decision: 'objection', category: 'x' },
  });
  logs.logs.append(zv.log, twice);
  logs.logs.append(vk.log, twice);
  // A second decision on e3, issued earlier than the rejection, in another log.
  logs.logs.append(
    vk.log,
    signAs(logs.maria, {
      kind: KIND_CARELOG_APPROVAL,
      iat: T0 - 5,
      subject: MARIA,
      body: { entry: e3, decision: 'approved' },
    }),
  );
  // Conflicting agreement terms under one id, and two re-indications of one version.
  logs.logs.append(
    zv.log,
    signAs(zv.key, {
      kind: KIND_AGREEMENT,
      iat: T0 - 1,
      body: {
        agreement: 'agr-geboorte-2026',
        parties: [zv.ref, st.ref],
        purpose: 'other',
        specHash: SPEC_HASH,
      },
    }),
  );
  for (const [member, hours] of [
    [kz, 60],
    [vk, 70],
  ] as const) {
    logs.logs.append(
      member.log,
      signAs(member.key, {
        kind: KIND_CARELOG_INDICATION,
        iat: late + 2,
        subject: MARIA,
        body: { indication: 'ind-maria-1', provider: kz.ref, hours, days: 9, replaces: logs.indication },
      }),
    );
  }
  // A key revoked in two logs.
  for (const [member, iat] of [
    [kz, late + 3],
    [zv, late - 3],
  ] as const) {
    logs.logs.append(
      member.log,
      signAs(member.key, {
        kind: KIND_KEY,
        iat,
        body: { action: 'revoke', keyId: logs.maria.keyId, alg: 'Ed25519', holder: MARIA },
      }),
    );
  }
  return logs;
}
