import type { Resource } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import type { ElementInfo, StructureNode } from '../definitions/structure.ts';

const FHIR_NS = 'http://hl7.org/fhir';

type JsonObject = Record<string, unknown>;

const escapeText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (s: string): string => escapeText(s).replace(/"/g, '&quot;');

/**
 * A FHIR R4 resource in its XML form (http://hl7.org/fhir/R4/xml.html), the inverse of
 * parseFhirXml: elements in the order of the resource's definition, primitives as `value`
 * attributes with their `_name` id and extensions, Element.id and Extension.url as attributes,
 * resources in `contained`/`Bundle.entry.resource` wrapped in an element named for their type, and
 * the narrative's XHTML as written. Properties the definitions do not know are left out.
 */
export function serializeFhirXml(resource: Resource, defs: FhirDefinitions): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new JsonToXml(defs).resource(resource as unknown as JsonObject)}`;
}

class JsonToXml {
  readonly #defs: FhirDefinitions;

  constructor(defs: FhirDefinitions) {
    this.#defs = defs;
  }

  resource(json: JsonObject): string {
    const type = String(json.resourceType);
    const structure = this.#defs.getStructure(type);
    const ns = ` xmlns="${FHIR_NS}"`;
    if (!structure) return `<${type}${ns}/>`;
    // Every resource, contained ones too, declares the FHIR namespace (valid, and self-contained).
    return this.#element(type, structure, json, ns);
  }

  /** `<name attrs>children</name>` for a complex value typed by `structure`. */
  #element(name: string, structure: StructureNode, json: JsonObject, extraAttributes = ''): string {
    let attributes = extraAttributes;
    let children = '';
    for (const element of structure.elements.values()) {
      const value = json[element.name];
      const extras = json[`_${element.name}`];
      if (value === undefined && extras === undefined) continue;
      if (element.xmlAttr) {
        if (value !== undefined && value !== null)
          attributes += ` ${element.name}="${escapeAttribute(String(value))}"`;
        continue;
      }
      children += this.#values(element, value, extras);
    }
    return children ? `<${name}${attributes}>${children}</${name}>` : `<${name}${attributes}/>`;
  }

  #values(element: ElementInfo, value: unknown, extras: unknown): string {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    const extraList = Array.isArray(extras) ? extras : extras === undefined ? [] : [extras];
    const count = Math.max(values.length, extraList.length);
    let out = '';
    for (let i = 0; i < count; i++) out += this.#one(element, values[i], extraList[i]);
    return out;
  }

  #one(element: ElementInfo, value: unknown, extras: unknown): string {
    const { name, type } = element;
    if (type === 'xhtml') return typeof value === 'string' ? value : '';
    if (this.#defs.isPrimitiveType(type)) {
      let attributes =
        value === undefined || value === null ? '' : ` value="${escapeAttribute(String(value))}"`;
      let children = '';
      const elementNode = this.#defs.getStructure('Element');
      if (extras && typeof extras === 'object' && elementNode) {
        const rendered = this.#element(name, elementNode, extras as JsonObject);
        // Reuse the Element rendering (id attribute, extension children) around the value attribute.
        const open = /^<[^>]*?(\/?)>/.exec(rendered);
        const head = open ? open[0].replace(/\/?>$/, '').slice(name.length + 1) : '';
        attributes = head + attributes;
        children = open && !open[1] ? rendered.slice(open[0].length, -(name.length + 3)) : '';
      }
      return children ? `<${name}${attributes}>${children}</${name}>` : `<${name}${attributes}/>`;
    }
    if (value === undefined || value === null || typeof value !== 'object') return '';
    if (this.#defs.isResourceSlot(type)) return `<${name}>${this.resource(value as JsonObject)}</${name}>`;
    if (!element.children) return '';
    return this.#element(name, element.children, value as JsonObject);
  }
}
