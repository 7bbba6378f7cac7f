import { applyConsentStatement, type ConsentRegister } from '@ketenlog/region';
import { hashOfStatement } from '@ketenlog/region';
import { validateStatement, type Statement, type StatementOf } from '@ketenlog/logbook';
import { assert, describe, expect, it } from 'vitest';
import { decideAccess, type AccessRequest } from '../pdp.ts';
import { consentDrafts, revocationDraft } from './consent-drafts.ts';

const MARIA = 'pMaria-0000000000000001';
const now = () => 1_790_000_000_000;
const request: AccessRequest = {
  requester: { ura: '11110003', type: 'ziekenhuis', role: 'medisch-specialist' },
  holder: '11110001',
  subject: MARIA,
  category: 'medication',
  purpose: 'treatment',
};

function apply(reg: ConsentRegister, statements: Statement[], from: number): string[] {
  return statements.map((s, i) => {
    const hash = hashOfStatement(s);
    applyConsentStatement(reg, s as StatementOf<'consent'>, hash, {
      iat: s.iat,
      origin: 'log',
      index: from + i,
    });
    return hash;
  });
}

describe('consent drafts', () => {
  it('drafts a grant per category that the logbook accepts and the PDP honours, and a revocation that ends it', () => {
    const grant = consentDrafts({
      subject: MARIA,
      author: 'maria-key',
      decision: 'grant',
      actor: { kind: 'organisation', ura: '11110003' },
      categories: ['medication', 'allergies', 'medication'],
      purpose: 'treatment',
      now,
    });
    expect(grant.ok).toBe(true);
    if (!grant.ok) return;
    expect(grant.statements).toHaveLength(2);
    for (const s of grant.statements) expect(validateStatement(s).ok).toBe(true);
    expect(grant.statements[0]!.body).toEqual({
      decision: 'grant',
      grantee: 'ura:11110003',
      category: 'medication',
      purpose: 'treatment',
    });
    const reg: ConsentRegister = new Map();
    expect(decideAccess(request, reg).permit).toBe(false);
    const [medicationGrant] = apply(reg, grant.statements, 0);
    assert(medicationGrant);
    expect(decideAccess(request, reg)).toMatchObject({ permit: true, basis: 'consent' });

    const revoke = revocationDraft({ subject: MARIA, author: 'maria-key', revokes: medicationGrant, now });
    expect(revoke.ok).toBe(true);
    if (!revoke.ok) return;
    apply(reg, revoke.statements, 2);
    expect(decideAccess(request, reg)).toMatchObject({ permit: false, basis: 'no-consent' });
  });

  it('drafts an objection against a role for all categories, which wins over a type grant', () => {
    const reg: ConsentRegister = new Map();
    const typeGrant = consentDrafts({
      subject: MARIA,
      author: 'maria-key',
      decision: 'grant',
      actor: { kind: 'type', type: 'ziekenhuis' },
      now,
    });
    const roleObjection = consentDrafts({
      subject: MARIA,
      author: 'maria-key',
      decision: 'objection',
      actor: { kind: 'role', role: 'medisch-specialist' },
      now,
    });
    if (!typeGrant.ok || !roleObjection.ok) throw new Error('drafts failed');
    apply(reg, [...typeGrant.statements, ...roleObjection.statements], 0);
    expect(decideAccess(request, reg)).toMatchObject({ permit: false, basis: 'objection' });
  });

  it('refuses bad input as a typed error', () => {
    expect(
      consentDrafts({ subject: MARIA, author: 'k', decision: 'grant', categories: [], now }),
    ).toMatchObject({ ok: false, error: 'invalid-consent' });
    expect(
      consentDrafts({ subject: MARIA, author: 'k', decision: 'grant', purpose: 'marketing' as never, now }),
    ).toMatchObject({ ok: false });
    expect(
      consentDrafts({ subject: 'has a BSN 123456782', author: 'k', decision: 'grant', now }),
    ).toMatchObject({ ok: false });
    expect(revocationDraft({ subject: MARIA, author: 'k', revokes: 'not-a-hash', now })).toMatchObject({
      ok: false,
    });
  });
});
