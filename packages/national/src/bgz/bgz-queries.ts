// The Basisgegevensset Zorg (BgZ) as the FHIR searches that retrieve it: the BgZ 2017 query list
// of MedMij/Nictiz (informatiestandaarden.nictiz.nl, MedMij:V2020.01/FHIR_BGZ_2017, STU3), as
// published machine-readably in minvws/nl-mgo-app-web packages/config/src/data-services/
// 48-common-clinical-dataset.json (commit 141580b) and allowed by nuts-knooppunt's BgZ policy
// (component/pdp/policies/bgz/policy.rego, commit 9beca4c), which adds the two DocumentReference
// queries of the GF BgZ use case. Each query keeps its published form (what a PGO or a GF
// requester sends) and the R4 search a Ketenlog store answers it with: `$lastn` becomes a search
// sorted newest first, reduced to the newest per code; STU3 names R4 renamed are renamed.
export interface BgzQuery {
  /** The id the published list gives it (nl-mgo's data service 48). */
  readonly id: string;
  /** The BgZ section (zib) it retrieves. */
  readonly section: string;
  /** The query as published, relative to the FHIR base. */
  readonly published: string;
  /** The R4 search: resource type and parameters, before the patient is named. */
  readonly r4: { readonly type: string; readonly params: readonly (readonly [string, string])[] };
  /** `$lastn`: keep only the newest result per code. */
  readonly lastn?: true;
  /**
   * A coding the results must carry in `category` where R4 has no such search parameter
   * (MedicationDispense.category exists in R4, its search parameter does not).
   */
  readonly category?: { readonly system: string; readonly code: string };
  /** Not in the MedMij list: added by the GF BgZ use case (nuts-knooppunt's policy). */
  readonly gf?: true;
}

const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const NEWEST: readonly [string, string] = ['_sort', '-date'];

export const BGZ_QUERIES: readonly BgzQuery[] = [
  {
    id: 'patient',
    section: 'Patient',
    published: 'Patient?_include=Patient:general-practitioner',
    r4: { type: 'Patient', params: [['_include', 'Patient:general-practitioner']] },
  },
  {
    id: 'payer',
    section: 'Betaler',
    published: 'Coverage?_include=Coverage:payor:Patient&_include=Coverage:payor:Organization',
    r4: {
      type: 'Coverage',
      params: [
        ['_include', 'Coverage:payor:Patient'],
        ['_include', 'Coverage:payor:Organization'],
      ],
    },
  },
  {
    id: 'treatmentDirective',
    section: 'BehandelAanwijzing',
    published: `Consent?category=${SCT}|11291000146105`,
    r4: { type: 'Consent', params: [['category', `${SCT}|11291000146105`]] },
  },
  {
    id: 'advanceDirective',
    section: 'Wilsverklaring',
    published: `Consent?category=${SCT}|11341000146107`,
    r4: { type: 'Consent', params: [['category', `${SCT}|11341000146107`]] },
  },
  {
    id: 'functionalOrMentalStatus',
    section: 'FunctioneleOfMentaleStatus',
    published: `Observation/$lastn?category=${SCT}|118228005,${SCT}|384821006`,
    r4: { type: 'Observation', params: [['category', `${SCT}|118228005,${SCT}|384821006`], NEWEST] },
    lastn: true,
  },
  { id: 'problem', section: 'Probleem', published: 'Condition', r4: { type: 'Condition', params: [] } },
  {
    id: 'livingSituation',
    section: 'Woonsituatie',
    published: `Observation/$lastn?code=${SCT}|365508006`,
    r4: { type: 'Observation', params: [['code', `${SCT}|365508006`], NEWEST] },
    lastn: true,
  },
  {
    id: 'drugUse',
    section: 'DrugsGebruik',
    published: `Observation?code=${SCT}|228366006`,
    r4: { type: 'Observation', params: [['code', `${SCT}|228366006`]] },
  },
  {
    id: 'alcoholUse',
    section: 'AlcoholGebruik',
    published: `Observation?code=${SCT}|228273003`,
    r4: { type: 'Observation', params: [['code', `${SCT}|228273003`]] },
  },
  {
    id: 'tobaccoUse',
    section: 'TabakGebruik',
    published: `Observation?code=${SCT}|365980008`,
    r4: { type: 'Observation', params: [['code', `${SCT}|365980008`]] },
  },
  {
    id: 'nutritionAdvice',
    section: 'VoedingsAdvies',
    published: 'NutritionOrder',
    r4: { type: 'NutritionOrder', params: [] },
  },
  { id: 'alert', section: 'Alert', published: 'Flag', r4: { type: 'Flag', params: [] } },
  {
    id: 'allergies',
    section: 'AllergieIntolerantie',
    published: 'AllergyIntolerance',
    r4: { type: 'AllergyIntolerance', params: [] },
  },
  {
    id: 'medicationUse',
    section: 'MedicatieGebruik',
    published:
      'MedicationStatement?category=urn:oid:2.16.840.1.113883.2.4.3.11.60.20.77.5.3|6&_include=MedicationStatement:medication',
    r4: {
      type: 'MedicationStatement',
      params: [
        ['category', 'urn:oid:2.16.840.1.113883.2.4.3.11.60.20.77.5.3|6'],
        ['_include', 'MedicationStatement:medication'],
      ],
    },
  },
  {
    id: 'medicationAgreements',
    section: 'MedicatieAfspraak',
    published: `MedicationRequest?category=${SCT}|16076005&_include=MedicationRequest:medication`,
    r4: {
      type: 'MedicationRequest',
      params: [
        ['category', `${SCT}|16076005`],
        ['_include', 'MedicationRequest:medication'],
      ],
    },
  },
  {
    id: 'administrationAgreement',
    section: 'ToedieningsAfspraak',
    published: `MedicationDispense?category=${SCT}|422037009&_include=MedicationDispense:medication`,
    r4: { type: 'MedicationDispense', params: [['_include', 'MedicationDispense:medication']] },
    category: { system: SCT, code: '422037009' },
  },
  {
    id: 'medicalDevice',
    section: 'MedischHulpmiddel',
    published: 'DeviceUseStatement?_include=DeviceUseStatement:device',
    r4: { type: 'DeviceUseStatement', params: [['_include', 'DeviceUseStatement:device']] },
  },
  {
    id: 'vaccination',
    section: 'Vaccinatie',
    published: 'Immunization?status=completed',
    r4: { type: 'Immunization', params: [['status', 'completed']] },
  },
  {
    id: 'bloodPressure',
    section: 'Bloeddruk',
    published: `Observation/$lastn?code=${LOINC}|85354-9`,
    r4: { type: 'Observation', params: [['code', `${LOINC}|85354-9`], NEWEST] },
    lastn: true,
  },
  {
    id: 'bodyWeight',
    section: 'Lichaamsgewicht',
    published: `Observation/$lastn?code=${LOINC}|29463-7`,
    r4: { type: 'Observation', params: [['code', `${LOINC}|29463-7`], NEWEST] },
    lastn: true,
  },
  {
    id: 'bodyHeight',
    section: 'Lichaamslengte',
    published: `Observation/$lastn?code=${LOINC}|8302-2,${LOINC}|8306-3,${LOINC}|8308-9`,
    r4: {
      type: 'Observation',
      params: [['code', `${LOINC}|8302-2,${LOINC}|8306-3,${LOINC}|8308-9`], NEWEST],
    },
    lastn: true,
  },
  {
    id: 'laboratoryTestResult',
    section: 'LaboratoriumUitslag',
    published: `Observation/$lastn?category=${SCT}|275711006&_include=Observation:related-target&_include=Observation:specimen`,
    // R4 replaced Observation's related-target by has-member (and derived-from).
    r4: {
      type: 'Observation',
      params: [
        ['category', `${SCT}|275711006`],
        ['_include', 'Observation:has-member'],
        ['_include', 'Observation:specimen'],
        NEWEST,
      ],
    },
    lastn: true,
  },
  {
    id: 'procedure',
    section: 'Verrichting',
    published: `Procedure?category=${SCT}|387713003`,
    r4: { type: 'Procedure', params: [['category', `${SCT}|387713003`]] },
  },
  {
    id: 'encounter',
    section: 'Contact',
    published:
      'Encounter?class=http://hl7.org/fhir/v3/ActCode|IMP,http://hl7.org/fhir/v3/ActCode|ACUTE,http://hl7.org/fhir/v3/ActCode|NONAC',
    // R4 moved the v3 code systems to terminology.hl7.org; either is accepted.
    r4: {
      type: 'Encounter',
      params: [
        [
          'class',
          ['IMP', 'ACUTE', 'NONAC']
            .flatMap((c) => [
              `http://hl7.org/fhir/v3/ActCode|${c}`,
              `http://terminology.hl7.org/CodeSystem/v3-ActCode|${c}`,
            ])
            .join(','),
        ],
      ],
    },
  },
  {
    id: 'plannedProcedures',
    section: 'GeplandeVerrichting',
    published: 'ProcedureRequest?status=active',
    // STU3's ProcedureRequest is R4's ServiceRequest.
    r4: { type: 'ServiceRequest', params: [['status', 'active']] },
  },
  {
    id: 'plannedImmunization',
    section: 'GeplandeVaccinatie',
    published: 'ImmunizationRecommendation',
    r4: { type: 'ImmunizationRecommendation', params: [] },
  },
  {
    id: 'plannedMedicalDevices',
    section: 'GeplandMedischHulpmiddel',
    published: 'DeviceRequest?status=active&_include=DeviceRequest:device',
    r4: {
      type: 'DeviceRequest',
      params: [
        ['status', 'active'],
        ['_include', 'DeviceRequest:device'],
      ],
    },
  },
  {
    id: 'plannedEncounters',
    section: 'GeplandContact',
    published: 'Appointment?status=booked,pending,proposed',
    r4: { type: 'Appointment', params: [['status', 'booked,pending,proposed']] },
  },
  {
    id: 'documents',
    section: 'Documenten',
    published: 'DocumentReference?status=current',
    r4: { type: 'DocumentReference', params: [['status', 'current']] },
    gf: true,
  },
];

/** The search parameter naming the client, per resource type (R4). */
export function patientParameter(type: string): string {
  return type === 'Patient' ? '_id' : 'patient';
}
