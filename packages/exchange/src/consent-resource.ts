// The consent register read as FHIR R4 `Consent` resources (one per grant or objection in force):
// what a client's portal and her professionals show, in the standard shape. The logbook statement
// stays the source; its hash is the Consent's id and its identifier.
import type { Consent } from '@medplum/fhirtypes';
import {
  consentsInForce,
  DELEGATION_PURPOSE,
  type ConsentRecord,
  type ConsentRegister,
} from '@ketenlog/region';

const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const CONSENT_CATEGORY = 'http://loinc.org';
export const STATEMENT_SYSTEM = 'https://ketenlog.nl/fhir/NamingSystem/logbook-statement';
export const PSEUDONYM_SYSTEM = 'https://ketenlog.nl/fhir/NamingSystem/pseudonym';
export const CATEGORY_SYSTEM = 'https://ketenlog.nl/fhir/CodeSystem/category';
const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';

/** Purposes as HL7 v3 ActReason codes. */
const PURPOSE_CODES: Record<string, { code: string; display: string }> = {
  treatment: { code: 'TREAT', display: 'behandeling' },
  billing: { code: 'HPAYMT', display: 'declaratie' },
  research: { code: 'HRESCH', display: 'onderzoek' },
};

/** FHIR ids allow [A-Za-z0-9-.]{1,64}: the statement hash, base64 made id-safe. */
export const consentIdOf = (hash: string): string =>
  hash.replace(/\+/g, '-').replace(/\//g, '.').replace(/=+$/, '').slice(0, 64);

function actorOf(grantee: string): NonNullable<NonNullable<Consent['provision']>['actor']>[number] {
  const role = {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
  };
  const [kind, value] = [grantee.slice(0, grantee.indexOf(':')), grantee.slice(grantee.indexOf(':') + 1)];
  if (kind === 'ura')
    return {
      role,
      reference: { identifier: { system: URA_SYSTEM, value }, display: `organisatie ${value}` },
    };
  if (kind === 'type') return { role, reference: { display: `elke organisatie van het type ${value}` } };
  if (kind === 'role') return { role, reference: { display: `elke professional met de rol ${value}` } };
  return { role, reference: { display: grantee } };
}

export function consentResource(pseudonym: string, record: ConsentRecord): Consent {
  const { scope } = record;
  const purpose = scope.purpose ? PURPOSE_CODES[scope.purpose] : undefined;
  return {
    resourceType: 'Consent',
    id: consentIdOf(record.hash),
    identifier: [{ system: STATEMENT_SYSTEM, value: record.hash }],
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CONSENT_CATEGORY, code: '59284-0', display: 'Toestemming' }] }],
    patient: { identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym } },
    dateTime: new Date(record.at.iat * 1000).toISOString(),
    provision: {
      type: record.decision === 'grant' ? 'permit' : 'deny',
      ...(scope.grantee ? { actor: [actorOf(scope.grantee)] } : {}),
      ...(purpose ? { purpose: [{ system: ACT_REASON, code: purpose.code, display: purpose.display }] } : {}),
      ...(scope.category ? { class: [{ system: CATEGORY_SYSTEM, code: scope.category }] } : {}),
    },
  };
}

/** Every data consent of a client in force (delegations are not data consent), as FHIR Consents. */
export function consentResources(register: ConsentRegister, pseudonym: string): Consent[] {
  return consentsInForce(register.get(pseudonym))
    .filter((r) => r.scope.purpose !== DELEGATION_PURPOSE)
    .map((r) => consentResource(pseudonym, r));
}
