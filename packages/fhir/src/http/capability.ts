import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { SearchParameterRegistry } from '../search/definitions.ts';

export interface CapabilityInput {
  software: { name: string; version: string };
  baseUrl?: string;
  resourceTypes: readonly string[];
  registry: SearchParameterRegistry;
}

/** Search parameter types this server implements (composite and special are refused with 400). */
const SUPPORTED = new Set(['string', 'token', 'date', 'reference', 'number', 'quantity', 'uri']);

/** The CapabilityStatement: exactly the interactions and search parameters implemented. */
export function capabilityStatement(input: CapabilityInput): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = input.resourceTypes.map((type) => ({
    type: type as CapabilityStatementRestResource['type'],
    interaction: ['read', 'vread', 'update', 'delete', 'create', 'search-type', 'history-instance', 'history-type'].map(
      (code) => ({ code: code as 'read' }),
    ),
    versioning: 'versioned',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchInclude: ['*'],
    searchRevInclude: ['*'],
    searchParam: input.registry
      .all(type)
      .filter((p) => SUPPORTED.has(p.type))
      .map((p) => ({ name: p.name, type: p.type as 'string' })),
    ...(type === 'Patient'
      ? { operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }] }
      : {}),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    software: input.software,
    ...(input.baseUrl ? { implementation: { description: 'Ketenlog FHIR store', url: input.baseUrl } } : {}),
    rest: [
      {
        mode: 'server',
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        searchParam: [
          { name: '_id', type: 'token' },
          { name: '_lastUpdated', type: 'date' },
          { name: '_count', type: 'number' },
          { name: '_sort', type: 'string' },
          { name: '_include', type: 'string' },
          { name: '_revinclude', type: 'string' },
          { name: '_summary', type: 'string' },
          { name: '_elements', type: 'string' },
        ],
      },
    ],
  };
}
