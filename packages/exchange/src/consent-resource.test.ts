import { applyConsentStatement, type ConsentRegister } from '@ketenlog/region';
import type { StatementOf } from '@ketenlog/logbook';
import { FhirDefinitions, validateResource } from '@ketenlog/fhir';
import { assert, describe, expect, it } from 'vitest';
import { consentResources, STATEMENT_SYSTEM } from './consent-resource.ts';

const MARIA = 'pMaria-0000000000000001';

function register(bodies: object[]): ConsentRegister {
  const reg: ConsentRegister = new Map();
  bodies.forEach((body, index) => {
    const statement = {
      kind: 'consent',
      v: 1,
      author: 'k',
      iat: 1_790_000_000 + index,
      subject: MARIA,
      body,
    };
    applyConsentStatement(
      reg,
      statement as unknown as StatementOf<'consent'>,
      `aGFzaCMk+/${index}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`,
      {
        iat: 1_790_000_000 + index,
        origin: 'log',
        index,
      },
    );
  });
  return reg;
}

describe('consents as FHIR Consent resources', () => {
  const definitions = FhirDefinitions.load();

  it('renders each grant and objection in force as a valid R4 Consent', () => {
    const consents = consentResources(
      register([
        { decision: 'grant', grantee: 'ura:11110003', category: 'medication', purpose: 'treatment' },
        { decision: 'objection', grantee: 'type:zorgverzekeraar', purpose: 'research' },
        { decision: 'grant', grantee: 'rep:partner', purpose: 'delegation' },
      ]),
      MARIA,
    );
    expect(consents).toHaveLength(2);
    for (const consent of consents) validateResource(consent, definitions);
    const [grant, objection] = consents;
    assert(grant && objection);
    expect(grant.provision).toMatchObject({
      type: 'permit',
      purpose: [{ code: 'TREAT' }],
      class: [{ code: 'medication' }],
      actor: [{ reference: { identifier: { value: '11110003' } } }],
    });
    expect(grant.identifier?.[0]).toMatchObject({ system: STATEMENT_SYSTEM });
    expect(grant.id).toMatch(/^[A-Za-z0-9.-]{1,64}$/);
    expect(objection.provision).toMatchObject({ type: 'deny', purpose: [{ code: 'HRESCH' }] });
    // The patient is her pseudonym, never a BSN.
    expect(grant.patient).toEqual({
      identifier: { system: 'https://ketenlog.nl/fhir/NamingSystem/pseudonym', value: MARIA },
    });
  });

  it('leaves out revoked consents', () => {
    expect(
      consentResources(
        register([
          { decision: 'grant', grantee: 'ura:11110003' },
          { decision: 'revocation', revokes: 'aGFzaCMk+/0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
        ]),
        MARIA,
      ),
    ).toEqual([]);
  });
});
