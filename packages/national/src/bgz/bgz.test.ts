// The BgZ query set against the golden cases of nuts-knooppunt's BgZ policy
// (component/pdp/policies/bgz/policy_test.rego, commit 9beca4c): every query it allows is a BgZ
// query here, and what it denies is not. Its preconditions are tested where Ketenlog decides
// them (see docs/interop.md): Mitz consent in the PDP, the named patient in the holder guard.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { BGZ_QUERIES } from './bgz-queries.ts';
import { bgzAnswer, bgzQueryOf, bgzSearchPath, type BgzRequest } from './bgz-request.ts';

const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const request = (path: string, params: [string, string][] = []): BgzRequest => ({ path, params });
const lastn = (params: [string, string][]) => request('Observation/$lastn', params);

/** policy_test.rego's allow cases, query by query (its numbering). */
const allowed: [string, BgzRequest][] = [
  ['1 Patient with her GP', request('Patient', [['_include', 'Patient:general-practitioner']])],
  [
    '2 Coverage with payor',
    request('Coverage', [
      ['_include', 'Coverage:payor:Patient'],
      ['_include', 'Coverage:payor:Organization'],
    ]),
  ],
  [
    '2 Coverage, includes reversed',
    request('Coverage', [
      ['_include', 'Coverage:payor:Organization'],
      ['_include', 'Coverage:payor:Patient'],
    ]),
  ],
  ['3 treatment directive', request('Consent', [['category', `${SCT}|11291000146105`]])],
  ['4 advance directive', request('Consent', [['category', `${SCT}|11341000146107`]])],
  ['5 functional or mental status', lastn([['category', `${SCT}|118228005,${SCT}|384821006`]])],
  ['6 problems', request('Condition')],
  ['7 living situation', lastn([['code', `${SCT}|365508006`]])],
  ['8 drug use', request('Observation', [['code', `${SCT}|228366006`]])],
  ['9 alcohol use', request('Observation', [['code', `${SCT}|228273003`]])],
  ['10 tobacco use', request('Observation', [['code', `${SCT}|365980008`]])],
  ['11 nutrition advice', request('NutritionOrder')],
  ['12 alerts', request('Flag')],
  ['13 allergies', request('AllergyIntolerance')],
  [
    '14 medication use',
    request('MedicationStatement', [
      ['category', 'urn:oid:2.16.840.1.113883.2.4.3.11.60.20.77.5.3|6'],
      ['_include', 'MedicationStatement:medication'],
    ]),
  ],
  [
    '15 medication agreements',
    request('MedicationRequest', [
      ['category', `${SCT}|16076005`],
      ['_include', 'MedicationRequest:medication'],
    ]),
  ],
  [
    '16 administration agreements',
    request('MedicationDispense', [
      ['category', `${SCT}|422037009`],
      ['_include', 'MedicationDispense:medication'],
    ]),
  ],
  ['17 medical devices', request('DeviceUseStatement', [['_include', 'DeviceUseStatement:device']])],
  ['18 vaccinations', request('Immunization', [['status', 'completed']])],
  ['19 blood pressure', lastn([['code', `${LOINC}|85354-9`]])],
  ['20 body height', lastn([['code', `${LOINC}|8302-2,${LOINC}|8306-3,${LOINC}|8308-9`]])],
  [
    '21 laboratory results',
    lastn([
      ['category', `${SCT}|275711006`],
      ['_include', 'Observation:related-target'],
      ['_include', 'Observation:specimen'],
    ]),
  ],
  ['22 procedures', request('Procedure', [['category', `${SCT}|387713003`]])],
  [
    '23 encounters',
    request('Encounter', [
      [
        'class',
        'http://hl7.org/fhir/v3/ActCode|IMP,http://hl7.org/fhir/v3/ActCode|ACUTE,http://hl7.org/fhir/v3/ActCode|NONAC',
      ],
    ]),
  ],
  ['24 planned procedures', request('ProcedureRequest', [['status', 'active']])],
  ['25 planned immunisations', request('ImmunizationRecommendation')],
  [
    '26 planned medical devices',
    request('DeviceRequest', [
      ['status', 'active'],
      ['_include', 'DeviceRequest:device'],
    ]),
  ],
  ['27 planned encounters', request('Appointment', [['status', 'booked,pending,proposed']])],
  [
    '27 planned encounters, statuses in another order',
    request('Appointment', [['status', 'proposed,booked,pending']]),
  ],
  ['28 current documents', request('DocumentReference', [['status', 'current']])],
];

/** policy_test.rego's deny cases that concern the query itself. */
const denied: [string, BgzRequest][] = [
  ['an unknown resource type', request('UnknownResource', [['_include', 'Patient:general-practitioner']])],
  [
    'a medication request with another category',
    request('MedicationRequest', [
      ['category', `${SCT}|387713003`],
      ['_include', 'MedicationRequest:medication'],
    ]),
  ],
  ['a Patient search without the GP include', request('Patient')],
  ['a Condition search narrowed by code', request('Condition', [['code', `${SCT}|1`]])],
  ['a lastn over another code', lastn([['code', `${LOINC}|8867-4`]])],
];

describe('the BgZ query set (golden cases of the GF BgZ policy)', () => {
  it.each(allowed)('allows query %s', (_, req) => {
    expect(bgzQueryOf(req)).toBeDefined();
  });
  it.each(denied)('refuses %s', (_, req) => {
    expect(bgzQueryOf(req)).toBeUndefined();
  });

  it('holds the MedMij BgZ 2017 list (28 queries, with body weight) and the GF documents query', () => {
    expect(BGZ_QUERIES.filter((q) => !q.gf)).toHaveLength(28);
    expect(bgzQueryOf(lastn([['code', `${LOINC}|29463-7`]]))?.id).toBe('bodyWeight');
    expect(new Set(BGZ_QUERIES.map((q) => q.id)).size).toBe(BGZ_QUERIES.length);
  });

  it('names the client in every R4 search, and renames what R4 renamed', () => {
    for (const q of BGZ_QUERIES) expect(bgzSearchPath(q, 'p1')).toMatch(/[?&](patient|_id)=p1(&|$)/);
    const planned = BGZ_QUERIES.find((q) => q.id === 'plannedProcedures')!;
    expect(bgzSearchPath(planned, 'p1')).toBe('ServiceRequest?patient=p1&status=active');
  });
});

describe('a BgZ answer', () => {
  const observation = (id: string, code: string, at: string): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code }] },
    effectiveDateTime: at,
  });
  const searchset = (...resources: Observation[]): Bundle => ({
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })),
  });

  it('keeps only the newest result per code for $lastn, and no total', () => {
    const height = BGZ_QUERIES.find((q) => q.id === 'bodyHeight')!;
    const answer = bgzAnswer(
      height,
      searchset(
        observation('h1', '8302-2', '2026-01-01'),
        observation('h2', '8302-2', '2026-06-01'),
        observation('h3', '8306-3', '2025-01-01'),
      ),
    );
    expect(answer.entry?.map((e) => e.resource?.id).sort()).toEqual(['h2', 'h3']);
    expect(answer.total).toBeUndefined();
  });

  it('applies the category R4 cannot search MedicationDispense by', () => {
    const query = BGZ_QUERIES.find((q) => q.id === 'administrationAgreement')!;
    const dispense = (id: string, code: string) => ({
      resource: {
        resourceType: 'MedicationDispense',
        id,
        status: 'completed',
        category: { coding: [{ system: SCT, code }] },
      },
      search: { mode: 'match' },
    });
    const answer = bgzAnswer(query, {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [dispense('d1', '422037009'), dispense('d2', '373784005')] as Bundle['entry'],
    });
    expect(answer.entry?.map((e) => e.resource?.id)).toEqual(['d1']);
  });
});
