import { randomBytes } from 'node:crypto';
import { applyConsentStatement, type ConsentRegister } from '@ketenlog/region';
import { validateStatement, type StatementOf } from '@ketenlog/logbook';
import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { decideAccess, type AccessRequest } from '../pdp.ts';
import { deciderFor, filterBundle, filterResources, guardRead } from './filter.ts';
import {
  accessDraft,
  accessOutcomeOf,
  auditEvent,
  auditIdOfSeal,
  opensSeal,
  readAccess,
  REASON_DETAIL,
  REFUSED_PREFIX,
  SALT_DETAIL,
  sealReason,
} from './access-record.ts';

const MARIA = 'pMaria-0000000000000001';
const base: Omit<AccessRequest, 'category'> = {
  requester: { ura: '11110003', type: 'ziekenhuis', role: 'medisch-specialist' },
  holder: '11110001',
  subject: MARIA,
  purpose: 'treatment',
};

function grant(category: string): ConsentRegister {
  const reg: ConsentRegister = new Map();
  const s = {
    kind: 'consent',
    v: 1,
    author: 'maria-key',
    iat: 1,
    subject: MARIA,
    body: { decision: 'grant', grantee: 'ura:11110003', category },
  };
  applyConsentStatement(reg, s as unknown as StatementOf<'consent'>, 'c0', {
    iat: 1,
    origin: 'log',
    index: 0,
  });
  return reg;
}

const medication = {
  resourceType: 'MedicationStatement',
  id: 'm1',
  status: 'active',
  subject: { reference: 'Patient/p1' },
  medicationCodeableConcept: { text: 'x' },
} as const;
const allergy = {
  resourceType: 'AllergyIntolerance',
  id: 'a1',
  patient: { reference: 'Patient/p1' },
} as const;

describe('enforcement', () => {
  it('filters a search page: withholds ungranted categories, including _include entries, keeps outcomes and links, drops total', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: 2,
      link: [{ relation: 'next', url: 'http://h/fhir/x?page=2' }],
      entry: [
        { resource: medication as never, search: { mode: 'match' } },
        { resource: allergy as never, search: { mode: 'include' } },
        { resource: { resourceType: 'OperationOutcome', issue: [] }, search: { mode: 'outcome' } },
      ],
    };
    const { result, withheld } = filterBundle(bundle, deciderFor(base, grant('medication')));
    expect(result.total).toBeUndefined();
    expect(result.link).toEqual(bundle.link);
    expect(result.entry?.map((e) => e.resource?.resourceType)).toEqual([
      'MedicationStatement',
      'OperationOutcome',
    ]);
    expect(withheld).toBe(1);
  });

  it('drops total even when nothing was withheld, and drops history deletes (no resource)', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'history',
      total: 2,
      entry: [
        { resource: medication as never },
        { request: { method: 'DELETE', url: 'AllergyIntolerance/a1' } },
      ],
    };
    const { result } = filterBundle(bundle, deciderFor(base, grant('medication')));
    expect(result.total).toBeUndefined();
    expect(result.entry).toHaveLength(1);
  });

  it('filters lists and guards reads with the same decision', () => {
    const decide = deciderFor(base, grant('allergies'));
    expect(filterResources([medication as never, allergy as never], decide).result).toEqual([allergy]);
    expect(guardRead(medication as never, decide)).toMatchObject({
      ok: false,
      decision: { basis: 'no-consent' },
    });
    expect(guardRead(allergy as never, decide).ok).toBe(true);
    const own = deciderFor({ ...base, requester: { ...base.requester, ura: '11110001' } }, new Map());
    expect(guardRead(medication as never, own).ok).toBe(true);
  });

  it('records every read as a BALP AuditEvent and an access statement the logbook accepts', () => {
    const request: AccessRequest = {
      ...base,
      category: 'medication',
      breakTheGlass: { reason: 'bewusteloos op SEH' },
    };
    const decision = decideAccess(request, new Map());
    const seal = sealReason('bewusteloos op SEH', randomBytes(32));
    const event = {
      request,
      decision,
      accessor: 'uzi-900012345',
      interaction: 'read' as const,
      at: new Date(1_790_000_000_000),
      seal,
    };
    const audit = auditEvent(event);
    expect(audit).toMatchObject({
      resourceType: 'AuditEvent',
      id: auditIdOfSeal(seal.commitment),
      action: 'R',
      outcome: '0',
      purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }],
    });
    expect(JSON.stringify(audit)).toContain(MARIA);
    // The holder keeps the reason and its salt; they open the commitment on the log.
    const details = audit.entity![1]!.detail!;
    expect(details.find((d) => d.type === REASON_DETAIL)?.valueString).toBe('bewusteloos op SEH');
    const salt = details.find((d) => d.type === SALT_DETAIL)!.valueBase64Binary!;
    const draft = accessDraft(event, 'hospital-node-key');
    expect(validateStatement(draft).ok).toBe(true);
    expect(draft.body).toMatchObject({
      breakTheGlass: true,
      reasonCommitment: seal.commitment,
      organisation: 'ura:11110003',
    });
    // The free text is not on the log, nor guessable from it without the salt.
    expect(JSON.stringify(draft)).not.toContain('bewusteloos');
    expect(opensSeal(seal.commitment, 'bewusteloos op SEH', salt)).toBe(true);
    expect(opensSeal(seal.commitment, 'bewusteloos', salt)).toBe(false);
    expect(() => accessDraft({ ...event, seal: undefined }, 'hospital-node-key')).toThrow(/sealed/);
    const denied = auditEvent({
      ...event,
      request: base as AccessRequest & { category: 'x' },
      decision: { permit: false, reason: 'nee' },
      interaction: 'search-type',
    });
    expect(denied).toMatchObject({ action: 'E', outcome: '4' });
  });
  it('writes a refusal into the access statement the logbook accepts, and reads it back as refused', () => {
    const request: AccessRequest = { ...base, category: 'medication' };
    const event = {
      request,
      accessor: 'pro:carla-bakker',
      interaction: 'operation' as const,
      at: new Date(1_790_000_000_000),
    };
    const refused = accessDraft(
      { ...event, decision: decideAccess(request, new Map()) },
      'hospital-node-key',
    );
    expect(validateStatement(refused).ok).toBe(true);
    expect(refused.body).toMatchObject({
      outcome: 'deny',
      reason: 'Hiervoor is toestemming van de cliënt nodig.',
    });
    expect(readAccess(refused.body as { outcome?: 'deny' })).toEqual({
      outcome: 'refused',
      reason: 'Hiervoor is toestemming van de cliënt nodig.',
    });
    const allowed = accessDraft({ ...event, decision: decideAccess(request, grant('medication')) }, 'k');
    expect(allowed.body).toMatchObject({ outcome: 'permit' });
    expect(accessOutcomeOf(allowed.body as { outcome?: 'permit' })).toBe('allowed');
  });
  it('still reads statements written before the explicit outcome: a refusal was its reason with a prefix', () => {
    expect(readAccess({ reason: `${REFUSED_PREFIX}geen toestemming` })).toEqual({
      outcome: 'refused',
      reason: 'geen toestemming',
    });
    expect(readAccess({})).toEqual({ outcome: 'allowed' });
    expect(readAccess({ breakTheGlass: true, reason: 'SEH' })).toEqual({ outcome: 'allowed', reason: 'SEH' });
    // An old statement of that shape still passes the logbook's rules.
    const old = accessDraft(
      {
        request: { ...base, category: 'medication' },
        decision: { permit: true, reason: 'x' },
        accessor: 'pro:carla-bakker',
        interaction: 'read',
        at: new Date(0),
      },
      'k',
    );
    const { outcome: _dropped, ...legacy } = old.body as Record<string, unknown>;
    expect(validateStatement({ ...old, body: { ...legacy, reason: `${REFUSED_PREFIX}nee` } }).ok).toBe(true);
  });
  it('records a refused break-the-glass attempt as a refusal, not as emergency access', () => {
    const request: AccessRequest = {
      ...base,
      requester: { ura: '11110005', type: 'statistiek', role: 'analist' },
      category: 'medication',
      breakTheGlass: { reason: 'onderzoek' },
    };
    const draft = accessDraft(
      {
        request,
        decision: decideAccess(request, new Map()),
        accessor: 'pro:eva-mulder',
        interaction: 'read',
        at: new Date(0),
      },
      'k',
    );
    expect(draft.body).not.toHaveProperty('breakTheGlass');
    expect(accessOutcomeOf(draft.body as { outcome?: 'deny' })).toBe('refused');
  });
});
