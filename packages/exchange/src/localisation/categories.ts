// Which category of a client's data a FHIR resource belongs to, for the localisation index and the
// consent decisions: groupings after the Dutch Basisgegevensset Zorg (BgZ) / zib sections, plus
// Mijn Zorg Log and the client's own measurements. No dates and no content: just the grouping.
import type { Resource } from '@medplum/fhirtypes';

export const CATEGORIES = [
  'problems',
  'medication',
  'allergies',
  'laboratory',
  'vital-signs',
  'self-measurements',
  'encounters',
  'procedures',
  'documents',
  'immunizations',
  'pregnancy',
  'insurance',
  'kraamzorg',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The tag a self-reported resource carries (written by the client's app, SMART on FHIR). */
export const SELF_REPORTED = {
  system: 'https://ketenlog.nl/fhir/CodeSystem/provenance',
  code: 'self-reported',
};

const PREGNANCY_CODE = '77386006';

function codes(concepts: unknown): string[] {
  const list = Array.isArray(concepts) ? concepts : concepts ? [concepts] : [];
  return list.flatMap((c) => ((c as { coding?: { code?: string }[] }).coding ?? []).map((x) => x.code ?? ''));
}

/** The category of a resource, or undefined for resources that are not about a client's care. */
export function categoryOf(resource: Resource): Category | undefined {
  const selfReported = resource.meta?.tag?.some(
    (t) => t.system === SELF_REPORTED.system && t.code === SELF_REPORTED.code,
  );
  switch (resource.resourceType) {
    case 'Condition':
      return codes(resource.code).includes(PREGNANCY_CODE) ? 'pregnancy' : 'problems';
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationDispense':
    case 'MedicationAdministration':
      return 'medication';
    case 'AllergyIntolerance':
      return 'allergies';
    case 'Observation': {
      if (selfReported) return 'self-measurements';
      const category = codes(resource.category);
      if (category.includes('laboratory')) return 'laboratory';
      return 'vital-signs';
    }
    case 'Encounter':
    case 'EpisodeOfCare':
      return 'encounters';
    case 'Procedure':
      return 'procedures';
    case 'DocumentReference':
    case 'Composition':
    case 'ServiceRequest': // a referral, as its letter
      return 'documents';
    case 'Immunization':
      return 'immunizations';
    case 'Coverage':
    case 'Claim':
    case 'ExplanationOfBenefit':
      return 'insurance';
    case 'ChargeItem':
      return 'kraamzorg';
    default:
      return undefined;
  }
}

/** The Patient a resource is about (its id), from subject / patient / beneficiary. */
export function patientOf(resource: Resource): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  const r = resource as {
    subject?: { reference?: string };
    patient?: { reference?: string };
    beneficiary?: { reference?: string };
  };
  const reference = r.subject?.reference ?? r.patient?.reference ?? r.beneficiary?.reference;
  const match = reference ? /^(?:.*\/)?Patient\/([A-Za-z0-9.-]{1,64})$/.exec(reference) : null;
  return match?.[1];
}
