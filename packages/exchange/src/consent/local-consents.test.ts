import type { Consent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { decideAccess } from '../pdp.ts';
import { localConsentRecords, withLocalConsents } from './local-consents.ts';

const MARIA = 'pMaria-0000000000000001';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const paper = (period: { start?: string; end?: string }, status: Consent['status'] = 'active'): Consent => ({
  resourceType: 'Consent',
  id: 'c1',
  status,
  scope: { coding: [{ code: 'patient-privacy' }] },
  category: [{ coding: [{ code: '59284-0' }] }],
  dateTime: '2026-11-01T00:00:00Z',
  provision: {
    type: 'permit',
    period,
    actor: [
      {
        role: {},
        reference: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: '11110003' } },
      },
    ],
    purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
    class: [{ system: 'https://ketenlog.nl/fhir/CodeSystem/category', code: 'medication' }],
  },
});
const request = {
  requester: { ura: '11110003', type: 'ziekenhuis' as const, role: 'medisch-specialist' },
  holder: '11110001',
  subject: MARIA,
  category: 'medication',
  purpose: 'treatment' as const,
};
const decide = (consent: Consent) =>
  decideAccess(request, withLocalConsents(new Map(), MARIA, localConsentRecords(consent, '11110001', NOW)));

describe('consents recorded in the holder’s own FHIR store', () => {
  it('a paper consent in its period grants exactly what it names', () => {
    expect(decide(paper({ start: '2026-11-01', end: '2027-11-01' }))).toMatchObject({
      permit: true,
      basis: 'consent',
    });
    expect(
      decideAccess(
        { ...request, category: 'allergies' },
        withLocalConsents(new Map(), MARIA, localConsentRecords(paper({}), '11110001', NOW)),
      ),
    ).toMatchObject({ permit: false });
  });
  it('an expired, future or inactive consent counts for nothing', () => {
    expect(decide(paper({ end: '2026-11-30' }))).toMatchObject({ permit: false, basis: 'no-consent' });
    expect(decide(paper({ start: '2027-01-01' }))).toMatchObject({ permit: false });
    expect(decide(paper({}, 'inactive'))).toMatchObject({ permit: false });
  });
  it('a consent naming an actor it cannot read is not read more widely', () => {
    const odd = paper({});
    odd.provision!.actor = [{ role: {}, reference: { display: 'iedereen' } }];
    expect(localConsentRecords(odd, '11110001', NOW)).toEqual([]);
  });
});
