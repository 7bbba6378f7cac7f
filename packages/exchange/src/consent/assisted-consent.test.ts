import { describe, expect, it } from 'vitest';
import { decideAccess } from '../pdp.ts';
import { assistedConsent, isAssisted } from './assisted-consent.ts';
import { localConsentRecords, withLocalConsents } from './local-consents.ts';

const HOLDER = '11110001';
const HOSPITAL = { ura: '11110003', type: 'ziekenhuis' as const, role: 'medisch-specialist' };
const recordedBy = { professional: 'pro:anna-jansen', name: 'Anna Jansen', organisation: HOLDER };
const now = Date.parse('2026-12-05T10:00:00Z');

const decide = (consent: ReturnType<typeof assistedConsent>, category: string) =>
  decideAccess(
    { requester: HOSPITAL, holder: HOLDER, subject: 'pX', category, purpose: 'treatment' },
    withLocalConsents(new Map(), 'pX', localConsentRecords(consent, HOLDER, now)),
  );

describe('assisted-mode consent', () => {
  it('is a FHIR Consent marked assisted, naming who recorded it and the paper it rests on', () => {
    const consent = assistedConsent({
      patient: 'maria-kz',
      decision: 'grant',
      grantee: HOSPITAL.ura,
      categories: ['vital-signs'],
      purpose: 'treatment',
      paperReference: 'ARCH-2026-0042',
      recordedBy,
      given: '2026-12-01T09:00:00Z',
    });
    expect(isAssisted(consent)).toBe(true);
    expect(consent.sourceReference?.identifier?.value).toBe('ARCH-2026-0042');
    expect(consent.meta?.extension?.[1]?.valueReference?.display).toBe('Anna Jansen');
    expect(decide(consent, 'vital-signs')).toMatchObject({ permit: true, basis: 'consent' });
    expect(decide(consent, 'medication').permit).toBe(false);
  });

  it('counts only within its period, and an assisted objection wins over the region default', () => {
    const ended = assistedConsent({
      patient: 'maria-kz',
      decision: 'grant',
      grantee: HOSPITAL.ura,
      paperReference: 'ARCH-1',
      recordedBy,
      given: '2026-01-01T00:00:00Z',
      until: '2026-06-30T00:00:00Z',
    });
    expect(decide(ended, 'vital-signs').permit).toBe(false);
    const objection = assistedConsent({
      patient: 'maria-kz',
      decision: 'objection',
      paperReference: 'ARCH-2',
      recordedBy,
      given: '2026-12-01T00:00:00Z',
    });
    expect(
      decideAccess(
        {
          requester: { ...HOSPITAL, ura: HOLDER, type: 'kraamzorg' },
          holder: HOLDER,
          subject: 'pX',
          category: 'vital-signs',
          purpose: 'treatment',
        },
        withLocalConsents(new Map(), 'pX', localConsentRecords(objection, HOLDER, now)),
      ),
    ).toMatchObject({ permit: false, basis: 'objection' });
  });
});
