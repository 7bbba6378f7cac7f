import { describe, expect, it } from 'vitest';
import { formatBsn, matches, patientView } from './patient.ts';

describe('patients as professionals find them', () => {
  const maria = patientView({
    resourceType: 'Patient',
    id: 'p1',
    name: [{ given: ['Maria'], family: 'de Vries' }],
    birthDate: '1992-03-12',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' }],
  });
  it('reads name, birth date and BSN', () => {
    expect(maria).toMatchObject({ name: 'Maria de Vries', birthDate: '1992-03-12', bsn: '999911120' });
    expect(formatBsn('999911120')).toBe('9999.11.120');
  });
  it('finds her by parts of her name in any order, or by (the start of) her BSN, dots allowed', () => {
    expect(matches(maria, 'vries maria')).toBe(true);
    expect(matches(maria, 'jansen')).toBe(false);
    expect(matches(maria, '9999.11.120')).toBe(true);
    expect(matches(maria, '99991')).toBe(true);
    expect(matches(maria, '123')).toBe(false);
    expect(matches(maria, '  ')).toBe(true);
  });
});
