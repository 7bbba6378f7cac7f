// The default-deny table: which kind of caller may make which kind of FHIR request at all.
import { describe, expect, it } from 'vitest';
import type { NodeCaller } from '@ketenlog/auth';
import { mayCall } from './fhir-access.ts';
import type { FhirCaller } from './fhir-caller.ts';
import type { FhirInteraction } from './fhir-interaction.ts';

const INTERACTIONS: Record<string, FhirInteraction> = {
  read: { kind: 'read', type: 'Patient', id: 'p' },
  vread: { kind: 'vread', type: 'Patient', id: 'p' },
  search: { kind: 'search-type', type: 'Observation' },
  'system search': { kind: 'search-system' },
  'compartment search': { kind: 'search-compartment', type: 'Patient', id: 'p', of: 'Observation' },
  'instance history': { kind: 'history-instance', type: 'Patient', id: 'p' },
  'type history': { kind: 'history-type', type: 'Patient' },
  'system history': { kind: 'history-system' },
  create: { kind: 'create', type: 'Observation' },
  update: { kind: 'update', type: 'Patient', id: 'p' },
  delete: { kind: 'delete', type: 'Patient', id: 'p' },
  'conditional write': { kind: 'conditional-write', type: 'Patient' },
  batch: { kind: 'batch-or-transaction' },
  $everything: { kind: 'operation', name: '$everything', type: 'Patient', id: 'p' },
  $match: { kind: 'operation', name: '$match', type: 'Patient' },
  'unknown route': { kind: 'other' },
};

const node = { kind: 'node', node: {} as NodeCaller } as const;
const CALLERS: Record<string, FhirCaller> = {
  professional: { kind: 'professional', id: 'pro:x', actingAs: { organisation: 'ura:1', role: 'arts' } },
  'system (all)': { kind: 'system', access: { clientId: 'epd', scope: 'system/*.cruds' } },
  'system (read)': { kind: 'system', access: { clientId: 'bi', scope: 'system/*.rs' } },
  'system (Observation only)': {
    kind: 'system',
    access: { clientId: 'lab', scope: 'system/Observation.cruds' },
  },
  node,
  app: { kind: 'app', access: { scope: 'patient/*.rs', patient: 'p' } },
  client: { kind: 'client', holder: 'h' },
  representative: { kind: 'representative', holder: 'r', client: 'h', delegation: 'd' },
};

/** The interactions each caller may start; everything else is refused. */
const ALLOWED: Record<string, readonly string[]> = {
  professional: Object.keys(INTERACTIONS),
  'system (all)': Object.keys(INTERACTIONS),
  'system (read)': [
    'read',
    'vread',
    'search',
    'system search',
    'compartment search',
    'instance history',
    'type history',
    'system history',
  ],
  'system (Observation only)': ['search', 'create'],
  node: ['read', 'vread', 'search', 'instance history', 'type history', '$everything'],
  app: ['read', 'vread', 'search', 'create'],
  client: ['read', 'vread', 'search', 'instance history', '$everything', 'create'],
  representative: ['read', 'vread', 'search', 'instance history', '$everything'],
};

describe('the default-deny table', () => {
  for (const [callerName, caller] of Object.entries(CALLERS))
    it(`${callerName} may start only what the table allows`, () => {
      const allowed = Object.entries(INTERACTIONS)
        .filter(([, interaction]) => mayCall(caller, interaction).ok)
        .map(([name]) => name);
      expect(allowed.sort()).toEqual([...ALLOWED[callerName]!].sort());
    });
});
