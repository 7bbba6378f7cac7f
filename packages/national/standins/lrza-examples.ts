// The LRZa directory's published examples (minvws/generiekefuncties-docs 0.10.0,
// input/fsh/examples/lrza-directory.fsh), as JSON: three care providers, their endpoints (one
// superseded and off, as the no-deletes rule keeps it) and two administration mandates.
import type { Resource } from '@medplum/fhirtypes';

const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
const KVK = 'http://fhir.nl/fhir/NamingSystem/kvk';
const SBI = 'https://www.cbs.nl/standaard-bedrijfsindeling';
const CATEGORIES = 'http://minvws.github.io/generiekefuncties-docs/CodeSystem/nl-gf-data-categories-cs';
const CONNECTION = 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type';

const assigned = (system: string, value: string, assignerSystem: string, assigner: string) => ({
  use: 'official',
  system,
  value,
  assigner: {
    identifier: {
      system: assignerSystem,
      value: assigner,
      type: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'custodian' },
        ],
      },
    },
  },
});

const organization = (
  id: string,
  ura: string,
  name: string,
  sbi: string,
  display: string,
  endpoints: string[],
) => ({
  resourceType: 'Organization',
  id,
  identifier: [assigned(URA, ura, KVK, '50000535')],
  name,
  type: [{ coding: [{ system: SBI, code: sbi, display }] }],
  endpoint: endpoints.map((e) => ({ reference: `Endpoint/${e}` })),
});

const endpoint = (id: string, ura: string, rest: Record<string, unknown>) => ({
  resourceType: 'Endpoint',
  id,
  identifier: [assigned('urn:ietf:rfc:3986', `urn:uuid:${id}`, URA, ura)],
  status: 'active',
  ...rest,
});

export const LRZA_EXAMPLES: readonly Resource[] = [
  organization(
    '8e18530e-2ce1-5dc2-b34b-7d5de91a5c07',
    '11111111',
    'example General Practice',
    '8621',
    'General medical practice activities',
    ['d6a4678b-755e-5ae3-bd36-67db6ae3d8c4', '53c03a2e-53e9-4994-827c-98f6b4caf897'],
  ),
  organization(
    'ca56444f-f98c-5d9b-aad2-65a0729ac8f8',
    '22222222',
    'example Hospital',
    '8610',
    'Hospital activities',
    ['1034376c-cc6e-5518-b292-e6dc24a68826', '30d6d76b-389f-58b8-9d40-4311a52bdf57'],
  ),
  organization(
    '7c98f969-6c3b-5dd3-a18e-e9cf02c8497d',
    '33333333',
    'example Care Institution',
    '8710',
    'Residential nursing care activities',
    [],
  ),
  endpoint('d6a4678b-755e-5ae3-bd36-67db6ae3d8c4', '11111111', {
    payloadType: [{ coding: [{ system: CATEGORIES, code: 'AdvanceDirective' }] }],
    payloadMimeType: ['application/fhir+json; fhirVersion=4.0'],
    connectionType: { system: CONNECTION, code: 'hl7-fhir-rest' },
    name: 'FHIR Endpoint 1',
    period: { start: '2024-01-15' },
    managingOrganization: { identifier: { system: KVK, value: '51494752' }, display: 'PharmaPartners B.V.' },
    address: 'https://cp1-test.example.org/fhirr4',
  }),
  endpoint('53c03a2e-53e9-4994-827c-98f6b4caf897', '11111111', {
    status: 'off',
    payloadType: [{ coding: [{ system: CATEGORIES, code: 'AdvanceDirective' }] }],
    payloadMimeType: ['application/fhir+json'],
    connectionType: { system: CONNECTION, code: 'hl7-fhir-rest' },
    name: 'FHIR Endpoint 1 (previous EHR system)',
    period: { start: '2023-01-15', end: '2024-01-14' },
    managingOrganization: { identifier: { system: KVK, value: '51494752' }, display: 'PharmaPartners B.V.' },
    address: 'https://cp1-old.example.org/fhir',
  }),
  endpoint('1034376c-cc6e-5518-b292-e6dc24a68826', '22222222', {
    payloadType: [{ coding: [{ system: CATEGORIES, code: 'AdvanceDirective' }] }],
    payloadMimeType: ['application/fhir+json; fhirVersion=4.0'],
    connectionType: { system: CONNECTION, code: 'hl7-fhir-rest' },
    name: 'FHIR Endpoint 2',
    managingOrganization: { identifier: { system: KVK, value: '08013836' }, display: 'Nedap N.V.' },
    address: 'https://cp2-test.example.org/fhirr4',
  }),
  endpoint('30d6d76b-389f-58b8-9d40-4311a52bdf57', '22222222', {
    payloadType: [{ coding: [{ system: CATEGORIES, code: 'Imaging' }] }],
    connectionType: { system: CONNECTION, code: 'dicom-wado-rs' },
    name: 'DICOM-WADO-RS Endpoint',
    managingOrganization: { identifier: { system: KVK, value: '08013836' }, display: 'Nedap N.V.' },
    address: 'https://cp2-test.example.org/dicom-wado-rs',
  }),
  {
    resourceType: 'OrganizationAffiliation',
    id: 'fe43d49a-4748-5c42-a731-e40d614be8f9',
    identifier: [
      assigned('urn:ietf:rfc:3986', 'urn:uuid:a7f6cdb4-c6c5-4dc4-b5a9-b0f95f682f01', URA, '11111111'),
    ],
    active: true,
    organization: { reference: 'Organization/8e18530e-2ce1-5dc2-b34b-7d5de91a5c07' },
    participatingOrganization: {
      identifier: { system: KVK, value: '51494752' },
      display: 'PharmaPartners B.V.',
    },
    code: [
      {
        coding: [
          {
            system: 'http://minvws.github.io/generiekefuncties-docs/CodeSystem/nl-gf-authorization-type-cs',
            code: 'lrza-careprovider-admin',
          },
        ],
      },
    ],
  },
] as Resource[];
