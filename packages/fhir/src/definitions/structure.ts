import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/** The FHIR R4 primitive types (http://hl7.org/fhir/R4/datatypes.html#primitive). */
export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  'base64Binary',
  'boolean',
  'canonical',
  'code',
  'date',
  'dateTime',
  'decimal',
  'id',
  'instant',
  'integer',
  'markdown',
  'oid',
  'positiveInt',
  'string',
  'time',
  'unsignedInt',
  'uri',
  'url',
  'uuid',
  'xhtml',
]);

/**
 * One element as it appears in FHIR JSON: a choice element `value[x]` is split into one
 * `ElementInfo` per type (`valueQuantity`, `valueString`, ...), each with a single type.
 */
export interface ElementInfo {
  /** The JSON property name, e.g. `gender`, `valueQuantity`. */
  readonly name: string;
  /** Path with the choice resolved, e.g. `Observation.valueQuantity`, `Patient.contact.name`. */
  readonly path: string;
  readonly min: number;
  /** Maximum cardinality; `Infinity` for `*`. */
  readonly max: number;
  /** JSON and XML repeat the element when the base definition's max is not 1 (json.html#cardinality). */
  readonly isArray: boolean;
  /** Type code: a primitive (`code`), a datatype (`Coding`), `BackboneElement`, or `Resource`. */
  readonly type: string;
  /** `value[x]` for a choice, else undefined. */
  readonly choiceOf?: string;
  /** Carried in an XML attribute rather than a child element (Element.id, Extension.url). */
  readonly xmlAttr: boolean;
  /** The canonical URL of a `required` binding. */
  readonly requiredValueSet?: string;
  /** Where to find the element's children: an inline backbone, a content reference or a datatype. */
  children?: StructureNode;
}

/** Elements that can appear inside one JSON object: a resource, a datatype or a backbone element. */
export interface StructureNode {
  /** e.g. `Patient`, `Patient.contact`, `Coding`. */
  readonly path: string;
  readonly elements: Map<string, ElementInfo>;
  /** Elements with min ≥ 1; for a choice, any one of `names` satisfies it. */
  readonly required: Array<{ readonly path: string; readonly names: readonly string[] }>;
}

const SYSTEM_TYPES: Readonly<Record<string, string>> = {
  'http://hl7.org/fhirpath/System.String': 'string',
  'http://hl7.org/fhirpath/System.Boolean': 'boolean',
  'http://hl7.org/fhirpath/System.Date': 'date',
  'http://hl7.org/fhirpath/System.DateTime': 'dateTime',
  'http://hl7.org/fhirpath/System.Decimal': 'decimal',
  'http://hl7.org/fhirpath/System.Integer': 'integer',
  'http://hl7.org/fhirpath/System.Time': 'time',
};
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

type ElementType = NonNullable<ElementDefinition['type']>[number];

/** A FHIRPath system type (used for `id` and `url` of Element) names its FHIR type in an extension. */
function typeCode(type: ElementType): string {
  const code = type.code ?? '';
  const fhirType = type.extension?.find((e) => e.url === FHIR_TYPE_EXTENSION)?.valueUrl;
  if (fhirType) return fhirType;
  return SYSTEM_TYPES[code] ?? code;
}

function parseMax(max: string | undefined): number {
  return max === undefined || max === '*' ? Infinity : Number(max);
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function newNode(path: string): StructureNode {
  return { path, elements: new Map(), required: [] };
}

/**
 * Builds the nodes of one StructureDefinition snapshot. Children of a datatype are linked later,
 * once every definition is loaded (see `FhirDefinitions`); inline backbones and
 * contentReferences are linked here.
 */
export function buildStructure(sd: StructureDefinition): StructureNode {
  const elements = sd.snapshot?.element ?? [];
  const root = newNode(sd.type ?? sd.id ?? '');
  const isResource = sd.kind === 'resource';
  // Definition path (with `[x]`) -> the infos for it, and the node its children go into.
  const infosByPath = new Map<string, ElementInfo[]>();
  const nodesByPath = new Map<string, StructureNode>([[root.path, root]]);
  const contentReferences: Array<[ElementInfo, string]> = [];

  for (const el of elements.slice(1)) {
    const path = el.path ?? '';
    const dot = path.lastIndexOf('.');
    const parentPath = path.slice(0, dot);
    const baseName = path.slice(dot + 1);
    let parent = nodesByPath.get(parentPath);
    if (!parent) {
      parent = newNode(parentPath);
      nodesByPath.set(parentPath, parent);
      for (const info of infosByPath.get(parentPath) ?? []) info.children = parent;
    }
    const min = el.min ?? 0;
    const max = parseMax(el.max);
    const isArray = parseMax(el.base?.max ?? el.max) !== 1;
    const xmlAttr = el.representation?.includes('xmlAttr') ?? false;
    const requiredValueSet =
      el.binding?.strength === 'required' && el.binding.valueSet ? el.binding.valueSet : undefined;
    const isChoice = baseName.endsWith('[x]');
    const stem = isChoice ? baseName.slice(0, -3) : baseName;
    // Resource.id is typed as a FHIRPath String in the snapshot, but is an `id` (resource.html#id).
    const rootId = isResource && parentPath === root.path && baseName === 'id';
    const types = el.contentReference ? [] : (el.type ?? []).map(typeCode);
    const infos: ElementInfo[] = [];
    if (el.contentReference) {
      const info: ElementInfo = { name: stem, path, min, max, isArray, type: 'BackboneElement', xmlAttr };
      contentReferences.push([info, el.contentReference.replace(/^[^#]*#/, '')]);
      infos.push(info);
    } else if (isChoice) {
      for (const type of types) {
        const name = stem + capitalise(type);
        infos.push({
          name,
          path: `${parentPath}.${name}`,
          min,
          max,
          isArray,
          type,
          choiceOf: path,
          xmlAttr,
          requiredValueSet,
        });
      }
    } else {
      const type = rootId ? 'id' : (types[0] ?? 'Element');
      infos.push({ name: stem, path, min, max, isArray, type, xmlAttr, requiredValueSet });
    }
    infosByPath.set(path, infos);
    for (const info of infos) parent.elements.set(info.name, info);
    if (min > 0) parent.required.push({ path, names: infos.map((i) => i.name) });
  }
  for (const [info, target] of contentReferences) {
    info.children = nodesByPath.get(target);
  }
  return root;
}
