import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
} from '@medplum/fhirtypes';
import type { SearchParameterRegistry } from '../search/definitions.ts';

export interface CapabilityInput {
  software: { name: string; version: string };
  baseUrl?: string;
  resourceTypes: readonly string[];
  registry: SearchParameterRegistry;
}

/** Search parameter types this server implements (composite and special are refused with 400). */
const SUPPORTED = new Set(['string', 'token', 'date', 'reference', 'number', 'quantity', 'uri']);

const TYPE_INTERACTIONS = [
  'read',
  'vread',
  'update',
  'delete',
  'create',
  'search-type',
  'history-instance',
  'history-type',
] as const;

/** Result parameters (R4 §3.1.1.5), the same for every search. */
const RESULT_PARAMS: CapabilityStatementRestResourceSearchParam[] = [
  { name: '_count', type: 'number', documentation: 'Page size, at most 1000; every page links the next.' },
  { name: '_offset', type: 'number', documentation: 'Paging offset, as used in the next/previous links.' },
  { name: '_sort', type: 'string' },
  { name: '_include', type: 'string', documentation: 'With :iterate, up to 3 rounds.' },
  { name: '_revinclude', type: 'string', documentation: 'With :iterate, up to 3 rounds.' },
  { name: '_summary', type: 'string', documentation: 'true, false, count, data, text.' },
  { name: '_elements', type: 'string' },
  { name: '_total', type: 'string', documentation: 'none, estimate, accurate (both counted exactly).' },
];

/**
 * The CapabilityStatement (R4 capabilitystatement.html): exactly the interactions, search
 * parameters and operations implemented, and what is refused — conditional delete of several
 * matches (412), patch (405), the `_at`/`_list` history parameters, composite and special search
 * parameters (400). `kind = instance` with its `implementation` (cpb-14). Resource types are the
 * R4 ones the search registry knows (no R4B/R5 types such as SubscriptionStatus).
 */
export function capabilityStatement(input: CapabilityInput): CapabilityStatement {
  const types = input.resourceTypes.filter((type) => input.registry.isResourceType(type));
  const resource: CapabilityStatementRestResource[] = types.map((type) => ({
    type: type as CapabilityStatementRestResource['type'],
    interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'full-support',
    conditionalUpdate: true,
    conditionalDelete: 'single',
    referencePolicy: ['literal', 'local'],
    searchInclude: ['*'],
    searchRevInclude: ['*'],
    searchParam: [
      ...input.registry
        .all(type)
        .filter((p) => SUPPORTED.has(p.type))
        .map((p) => ({ name: p.name, type: p.type as 'string' })),
      ...RESULT_PARAMS,
    ],
    ...(type === 'Patient'
      ? {
          operation: [
            { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
          ],
        }
      : {}),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Ketenlog',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json', 'application/fhir+xml', 'xml'],
    software: input.software,
    implementation: {
      description: 'Ketenlog FHIR store',
      ...(input.baseUrl ? { url: input.baseUrl } : {}),
    },
    rest: [
      {
        mode: 'server',
        documentation:
          'Every list is complete or pageable (search, history, $everything carry total and next links). ' +
          'Prefer: handling=lenient ignores unknown search parameters; the default is strict (400). ' +
          'Prefer: respond-async is not supported: requests are answered synchronously. ' +
          'See docs/fhir-conformance.md.',
        resource,
        interaction: [
          { code: 'transaction' },
          { code: 'batch' },
          { code: 'search-system' },
          { code: 'history-system' },
        ],
        searchParam: [
          { name: '_id', type: 'token' },
          { name: '_lastUpdated', type: 'date' },
          { name: '_tag', type: 'token' },
          { name: '_profile', type: 'uri' },
          { name: '_security', type: 'token' },
          { name: '_source', type: 'uri' },
          {
            name: '_type',
            type: 'token',
            documentation: 'Several types: the parameters common to all of them.',
          },
          ...RESULT_PARAMS,
        ],
        operation: [
          {
            name: 'versions',
            definition: 'http://hl7.org/fhir/OperationDefinition/CapabilityStatement-versions',
          },
        ],
        compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'],
      },
    ],
  };
}
