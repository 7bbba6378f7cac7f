// The data categories of a localisation record: the value set the GF localisation List profile binds
// `List.code` to (required), NL-GF Zorgcontext (nl-gf-zorgcontext-vs), codes from the NL-GF data
// categories code system, as minvws/generiekefuncties-docs 0.10.0 (e90bec2) defines them. Each
// code's `fhir-resourcetype-params` property says which resources it covers; `gfCategoryOf` reads a
// resource the same way. (The earlier choice, LOINC 55188-7 for everything (ADR#62), is superseded.)
import type { Resource } from '@medplum/fhirtypes';

export const DATA_CATEGORY_SYSTEM =
  'http://minvws.github.io/generiekefuncties-docs/CodeSystem/nl-gf-data-categories-cs';

/** nl-gf-zorgcontext-vs, with the Dutch display of each code. */
export const ZORGCONTEXT: Readonly<Record<string, string>> = {
  AdvanceDirective: 'Wilsverklaring',
  Alert: 'Alert',
  AllergyIntolerance: 'Allergie Intolerantie',
  Condition: 'Aandoeningen',
  Consent: 'Toestemming',
  Device: 'Apparaat',
  DiagnosticReport: 'Diagnostisch verslag',
  Encounter: 'Contactmoment',
  Episode: 'Zorgtrajecten en zorgplannen',
  Genomics: 'Genomica',
  Imaging: 'Beelden',
  Logging: 'Logging',
  MedicationRequest: 'Medicatie voorschrift',
  MedicationUse: 'Medicatiegebruik',
  Nutrition: 'Voeding',
  ObservationActivity: 'Observatie (categorie: Activiteit)',
  ObservationExam: 'Observatie (categorie: Lichamelijk onderzoek)',
  ObservationImaging: 'Observatie (categorie: Beeldvorming)',
  ObservationLaboratory: 'Observatie (categorie: Laboratorium)',
  ObservationProcedure: 'Observatie (categorie: Procedure)',
  ObservationSocialHistory: 'Observatie (categorie: Sociale anamnese)',
  ObservationSurvey: 'Observatie (categorie: Vragenlijst)',
  ObservationTherapy: 'Observatie (categorie: Therapie)',
  ObservationVitalSigns: 'Observatie (categorie: Vitale functies)',
  Patient: 'Patient',
  Procedure: 'Verrichtingen',
  Request: 'Verzoeken, overdrachten en opdrachten',
  Specimen: 'Materiaal, biologisch materiaal',
};

export function isDataCategory(code: string): boolean {
  return Object.hasOwn(ZORGCONTEXT, code);
}

/** Resource type → code, from the code system's `fhir-resourcetype-params` (types without a filter). */
const BY_TYPE: Readonly<Record<string, string>> = {
  Flag: 'Alert',
  AllergyIntolerance: 'AllergyIntolerance',
  Condition: 'Condition',
  Device: 'Device',
  DeviceUseStatement: 'Device',
  DiagnosticReport: 'DiagnosticReport',
  Encounter: 'Encounter',
  EpisodeOfCare: 'Episode',
  CarePlan: 'Episode',
  MolecularSequence: 'Genomics',
  ImagingStudy: 'Imaging',
  MedicationRequest: 'MedicationRequest',
  MedicationDispense: 'MedicationUse',
  MedicationAdministration: 'MedicationUse',
  MedicationStatement: 'MedicationUse',
  Immunization: 'MedicationUse',
  NutritionOrder: 'Nutrition',
  QuestionnaireResponse: 'ObservationSurvey',
  Procedure: 'Procedure',
  ServiceRequest: 'Request',
  Task: 'Request',
  Specimen: 'Specimen',
};

/** Observation.category (observation-category) → code. */
const OBSERVATION: Readonly<Record<string, string>> = {
  activity: 'ObservationActivity',
  exam: 'ObservationExam',
  imaging: 'ObservationImaging',
  laboratory: 'ObservationLaboratory',
  procedure: 'ObservationProcedure',
  'social-history': 'ObservationSocialHistory',
  survey: 'ObservationSurvey',
  therapy: 'ObservationTherapy',
  'vital-signs': 'ObservationVitalSigns',
};

const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

/**
 * The data category a stored resource is localised under, or undefined: the Patient itself (the
 * record's existence is what the List says), administrative and insurance resources, Consent (the
 * region's consents live on its logbook) and an Observation without a known category are not.
 */
export function gfCategoryOf(resource: Resource): string | undefined {
  if (resource.resourceType === 'Observation') {
    for (const concept of resource.category ?? [])
      for (const coding of concept.coding ?? [])
        if (coding.system === OBSERVATION_CATEGORY && coding.code && Object.hasOwn(OBSERVATION, coding.code))
          return OBSERVATION[coding.code];
    return undefined;
  }
  return Object.hasOwn(BY_TYPE, resource.resourceType) ? BY_TYPE[resource.resourceType] : undefined;
}
