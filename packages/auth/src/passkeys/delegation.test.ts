import { STATEMENT_VERSION, validateStatement, type Statement } from '@ketenlog/logbook';
import { testDatabases, type Db } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authoriseActingFor,
  checkDelegationRequest,
  delegationAllows,
  delegationGrantDrafts,
  delegationOfGrant,
  delegationRevocationDrafts,
  newDelegation,
  type DelegationRequest,
} from './delegation.ts';
import { SqlDelegationRepository } from './sql-delegation-repository.ts';

const T0 = 1_790_000_000_000;
const MARIA = 'pMaria-0000000000000001';
const PARTNER = 'rep:partner-of-maria';
const request: DelegationRequest = {
  client: MARIA,
  representative: PARTNER,
  kinds: ['carelog.approval'],
  validFrom: T0,
  validUntil: T0 + 3_600_000,
};

describe('delegation rules', () => {
  it('names what is wrong with a request', () => {
    expect(checkDelegationRequest(request, T0)).toBeUndefined();
    expect(checkDelegationRequest({ ...request, representative: MARIA }, T0)).toBe(
      'representative-is-client',
    );
    expect(checkDelegationRequest({ ...request, kinds: [] }, T0)).toBe('no-kinds');
    expect(checkDelegationRequest({ ...request, kinds: ['carelog.entry'] }, T0)).toBe('unknown-kind');
    expect(checkDelegationRequest({ ...request, validUntil: T0 }, T0)).toBe('empty-period');
    expect(checkDelegationRequest(request, T0 + 3_600_000)).toBe('period-in-the-past');
  });

  it('allows the delegated kinds within the period only, and nothing once revoked', () => {
    const d = newDelegation({ ...request, validFrom: T0 + 1 }, T0);
    expect(delegationAllows(d, 'carelog.approval', T0)).toBe(false);
    expect(delegationAllows(d, 'carelog.approval', T0 + 1)).toBe(true);
    expect(delegationAllows(d, 'consent', T0 + 1)).toBe(false);
    expect(delegationAllows(d, 'carelog.approval', T0 + 3_600_000)).toBe(false);
    expect(delegationAllows({ ...d, revokedAt: T0 + 2 }, 'carelog.approval', T0 + 1)).toBe(false);
  });

  it('puts a delegation on the logbook as consent grants with purpose delegation, and revokes them', () => {
    const d = newDelegation({ ...request, kinds: ['carelog.approval', 'consent'] }, T0);
    const grants = delegationGrantDrafts(d);
    expect(grants.map((g) => g.body)).toEqual([
      { decision: 'grant', grantee: PARTNER, category: 'carelog.approval', purpose: 'delegation' },
      { decision: 'grant', grantee: PARTNER, category: 'consent', purpose: 'delegation' },
    ]);
    const signed = grants.map(
      (g) => ({ ...g, v: STATEMENT_VERSION, author: 'ab'.repeat(16), iat: 1 }) as Statement,
    );
    for (const s of signed) expect(validateStatement(s).ok).toBe(true);
    expect(delegationOfGrant([d], signed[1]!)).toBe(d);
    expect(delegationOfGrant([{ ...d, revokedAt: T0 }], signed[1]!)).toBeUndefined();
    expect(delegationOfGrant([{ ...d, kinds: ['carelog.approval'] }], signed[1]!)).toBeUndefined();
    expect(delegationOfGrant([d], { ...signed[1]!, body: { decision: 'objection' } })).toBeUndefined();

    const hash = Buffer.alloc(32).toString('base64');
    expect(delegationRevocationDrafts(d)).toEqual([]);
    const [revocation] = delegationRevocationDrafts({ ...d, logbookGrants: [hash] });
    expect(revocation).toEqual({
      kind: 'consent',
      subject: MARIA,
      body: { decision: 'revocation', revokes: hash },
    });
    expect(
      validateStatement({ ...revocation, v: STATEMENT_VERSION, author: 'ab'.repeat(16), iat: 2 }).ok,
    ).toBe(true);
  });
});

describe.each(testDatabases())('SqlDelegationRepository on $name', ({ open }) => {
  let db: Db;
  let repo: SqlDelegationRepository;
  beforeEach(async () => {
    db = await open();
    repo = await SqlDelegationRepository.open(db);
  });
  afterEach(async () => db.close());

  it('keeps delegations by client and representative, and revokes once, at once', async () => {
    const d = newDelegation(request, T0);
    await repo.add(d);
    await repo.add(newDelegation({ ...request, client: 'pOther-000000000000001' }, T0 + 1));
    expect(await repo.get(d.id)).toEqual(d);
    expect((await repo.grantedBy(MARIA)).map((x) => x.id)).toEqual([d.id]);
    expect(await repo.heldBy(PARTNER)).toHaveLength(2);
    expect(await authoriseActingFor(repo, PARTNER, MARIA, 'carelog.approval', T0 + 5)).toEqual({
      actor: PARTNER,
      actingFor: MARIA,
      delegation: d.id,
    });
    await repo.addLogbookGrant(d.id, 'h1');
    await repo.addLogbookGrant(d.id, 'h1');
    await repo.addLogbookGrant(d.id, 'h2');
    expect((await repo.get(d.id))?.logbookGrants).toEqual(['h1', 'h2']);
    expect(await repo.revoke(d.id, T0 + 10)).toBe(true);
    expect(await repo.revoke(d.id, T0 + 11)).toBe(false);
    expect(await repo.revoke('unknown', T0 + 11)).toBe(false);
    expect((await repo.get(d.id))?.revokedAt).toBe(T0 + 10);
    expect(await authoriseActingFor(repo, PARTNER, MARIA, 'carelog.approval', T0 + 11)).toBeUndefined();
  });
});
