// Assisted mode: a client who does not use digital means gives (or refuses) consent on paper, and
// a professional records it for her. It is kept as a FHIR Consent in that organisation's own store
// (a local consent: local-consents.ts makes the holder's PDP honour it there), marked as assisted,
// naming the professional who recorded it and pointing to the paper record it rests on.
import type { Consent } from '@medplum/fhirtypes';
import { CATEGORY_SYSTEM } from '../consent-resource.ts';
import type { Purpose } from '../vocabulary.ts';

/** Marks a Consent recorded in assisted mode (valueBoolean true). */
export const ASSISTED_EXTENSION = 'https://ketenlog.nl/fhir/StructureDefinition/assisted-consent';
/** The professional who recorded it (valueReference with her identifier and name). */
export const RECORDED_BY_EXTENSION = 'https://ketenlog.nl/fhir/StructureDefinition/recorded-by';
/** The organisation's own reference of the signed paper form. */
export const PAPER_CONSENT_SYSTEM = 'https://ketenlog.nl/fhir/NamingSystem/paper-consent';

const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
const PURPOSE_CODES: Record<Purpose, string> = { treatment: 'TREAT', billing: 'HPAYMT', research: 'HRESCH' };

export interface AssistedConsentInput {
  /** The local Patient id. */
  readonly patient: string;
  readonly decision: 'grant' | 'objection';
  /** The organisation it is about (URA); without one, it is about anyone. */
  readonly grantee?: string;
  readonly categories?: readonly string[];
  readonly purpose?: Purpose;
  /** Reference of the paper record, e.g. the scan's number in the organisation's archive. */
  readonly paperReference: string;
  readonly recordedBy: {
    readonly professional: string;
    readonly name?: string;
    readonly organisation: string;
  };
  /** ISO date-time it was given. */
  readonly given: string;
  /** ISO date-time it ends (exclusive); none: until withdrawn. */
  readonly until?: string;
}

export function assistedConsent(input: AssistedConsentInput): Consent {
  return {
    resourceType: 'Consent',
    meta: {
      extension: [
        { url: ASSISTED_EXTENSION, valueBoolean: true },
        {
          url: RECORDED_BY_EXTENSION,
          valueReference: {
            identifier: { value: input.recordedBy.professional },
            ...(input.recordedBy.name ? { display: input.recordedBy.name } : {}),
          },
        },
      ],
    },
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Toestemming' }] }],
    patient: { reference: `Patient/${input.patient}` },
    dateTime: input.given,
    organization: [{ identifier: { system: URA_SYSTEM, value: input.recordedBy.organisation } }],
    sourceReference: {
      identifier: { system: PAPER_CONSENT_SYSTEM, value: input.paperReference },
      display: `papieren formulier ${input.paperReference}`,
    },
    provision: {
      type: input.decision === 'grant' ? 'permit' : 'deny',
      period: { start: input.given, ...(input.until ? { end: input.until } : {}) },
      ...(input.grantee
        ? {
            actor: [
              {
                role: {
                  coding: [
                    { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' },
                  ],
                },
                reference: { identifier: { system: URA_SYSTEM, value: input.grantee } },
              },
            ],
          }
        : {}),
      ...(input.purpose
        ? {
            purpose: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
                code: PURPOSE_CODES[input.purpose],
              },
            ],
          }
        : {}),
      ...(input.categories?.length
        ? { class: input.categories.map((code) => ({ system: CATEGORY_SYSTEM, code })) }
        : {}),
    },
  };
}

/** Whether a Consent was recorded in assisted mode. */
export const isAssisted = (consent: Consent): boolean =>
  consent.meta?.extension?.some((x) => x.url === ASSISTED_EXTENSION && x.valueBoolean === true) ?? false;
