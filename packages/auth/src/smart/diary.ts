// A client's diary entry (dagboek) as FHIR: an Observation she writes herself, of category
// "survey" (patient-reported), coded LOINC 51855-5 "Patient Note" and Ketenlog's own "diary", the
// text in valueString. Written at her own node from her portal session; the node fills in her
// Patient, the time if absent, and the "self-reported" tag (as for an app's self-measurements), so
// the consent category is "self-measurements". No runtime imports: the portal imports this file.

export const DIARY_SYSTEM = 'https://ketenlog.nl/fhir/CodeSystem/self-reported';
export const DIARY_CODE = 'diary';
/** The longest entry a client may write (characters). */
export const DIARY_MAX_LENGTH = 2000;

export interface DiaryObservation {
  resourceType: 'Observation';
  status: 'final';
  category: { coding: { system: string; code: string; display: string }[] }[];
  code: { coding: { system: string; code: string; display: string }[]; text: string };
  effectiveDateTime: string;
  valueString: string;
}

/** The entry the portal posts; subject and provenance are the node's to fill in. */
export function diaryObservation(text: string, at: Date): DiaryObservation {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'survey',
            display: 'Survey',
          },
        ],
      },
    ],
    code: {
      coding: [
        { system: 'http://loinc.org', code: '51855-5', display: 'Patient Note' },
        { system: DIARY_SYSTEM, code: DIARY_CODE, display: 'Dagboek' },
      ],
      text: 'Dagboek',
    },
    effectiveDateTime: at.toISOString(),
    valueString: text,
  };
}

/** Whether a posted body is a diary entry with text of an allowed length. */
export function isDiaryEntry(body: unknown): body is DiaryObservation {
  const o = body as Partial<DiaryObservation> | null | undefined;
  return (
    o?.resourceType === 'Observation' &&
    (o.code?.coding ?? []).some((c) => c.system === DIARY_SYSTEM && c.code === DIARY_CODE) &&
    typeof o.valueString === 'string' &&
    o.valueString.trim().length > 0 &&
    o.valueString.length <= DIARY_MAX_LENGTH
  );
}
