import type { Resource } from '@medplum/fhirtypes';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import type { ElementInfo, StructureNode } from '../definitions/structure.ts';
import { badRequest } from '../outcome.ts';

const FHIR_NS = 'http://hl7.org/fhir';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** fast-xml-parser's `preserveOrder` shape: `{ tag: children, ':@': attributes }`. */
type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

type JsonObject = Record<string, unknown>;

function parserFor(): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Narrative XHTML is kept as written: the JSON form of Narrative.div is that XHTML as a string.
    stopNodes: ['*.div'],
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    // Decodes numeric character references (&#233;) in attribute values.
    htmlEntities: true,
  });
}

const tagOf = (node: XmlNode): string => Object.keys(node).find((k) => k !== ':@') ?? '';
/** Drops a namespace prefix (`f:Patient` -> `Patient`). */
const localName = (tag: string): string => tag.slice(tag.indexOf(':') + 1);
const isElement = (tag: string): boolean => tag !== '' && tag !== '#text' && !tag.startsWith('?');

/**
 * Converts a FHIR R4 resource in XML to its JSON form (http://hl7.org/fhir/R4/xml.html and
 * json.html): primitives from `value` attributes with JSON types, repeating elements as arrays,
 * `id`/`extension` of primitives as `_name`, narrative as an XHTML string, contained resources
 * unwrapped. Throws a 400 `ProblemError` for malformed XML or content that is not FHIR.
 */
export function parseFhirXml(xml: string, defs: FhirDefinitions): Resource {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw badRequest(`Malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const document = parserFor().parse(xml) as XmlNode[];
  const [root, ...more] = document.filter((node) => isElement(tagOf(node)));
  if (!root || more.length > 0) throw badRequest('An XML document must have exactly one root element');
  if (root[':@']?.xmlns !== FHIR_NS) {
    throw badRequest(`The root element must be in the FHIR namespace ${FHIR_NS}`);
  }
  return new XmlToJson(defs).resource(root) as unknown as Resource;
}

/** One conversion: the definitions decide each element's type and whether it repeats. */
class XmlToJson {
  readonly #defs: FhirDefinitions;

  constructor(defs: FhirDefinitions) {
    this.#defs = defs;
  }

  resource(node: XmlNode): JsonObject {
    const resourceType = localName(tagOf(node));
    const structure = this.#defs.isResourceType(resourceType)
      ? this.#defs.getStructure(resourceType)
      : undefined;
    if (!structure) throw badRequest(`Unknown resource type "${resourceType}"`, 'resourceType');
    const json: JsonObject = { resourceType };
    this.#children(node, structure, resourceType, json);
    return json;
  }

  /** Fills `json` with the attributes and child elements of `node`, typed by `structure`. */
  #children(node: XmlNode, structure: StructureNode, path: string, json: JsonObject): void {
    for (const [name, value] of Object.entries(node[':@'] ?? {})) {
      if (name === 'xmlns' || name.startsWith('xmlns:') || name.includes(':')) continue;
      const element = structure.elements.get(name);
      if (!element?.xmlAttr) throw badRequest(`Unknown attribute "${name}" on ${path}`, path);
      json[name] = value;
    }
    for (const child of node[tagOf(node)] as XmlNode[]) {
      const tag = tagOf(child);
      if (!isElement(tag)) continue;
      const name = localName(tag);
      const element = structure.elements.get(name);
      if (!element || element.xmlAttr)
        throw badRequest(`Unknown element "${name}" in ${path}`, `${path}.${name}`);
      this.#element(child, element, `${path}.${name}`, json);
    }
  }

  #element(node: XmlNode, element: ElementInfo, path: string, json: JsonObject): void {
    const { name } = element;
    if (element.type === 'xhtml') {
      json[name] = xhtml(node);
      return;
    }
    if (this.#defs.isPrimitiveType(element.type)) {
      this.#primitive(node, element, path, json);
      return;
    }
    let value: JsonObject;
    if (this.#defs.isResourceSlot(element.type)) {
      // A resource slot wraps the resource in an element named for its type (xml.html#contained).
      const [inner, ...more] = (node[tagOf(node)] as XmlNode[]).filter((n) => isElement(tagOf(n)));
      if (!inner || more.length > 0) throw badRequest(`${path} must hold exactly one resource`, path);
      value = this.resource(inner);
    } else {
      if (!element.children) throw badRequest(`Cannot convert ${path} (${element.type})`, path);
      value = {};
      this.#children(node, element.children, path, value);
    }
    if (element.isArray) ((json[name] ??= []) as unknown[]).push(value);
    else json[name] = value;
  }

  /** `<given id="a" value="Jan"><extension .../></given>` -> `given: ['Jan'], _given: [{ id, extension }]`. */
  #primitive(node: XmlNode, element: ElementInfo, path: string, json: JsonObject): void {
    const { name } = element;
    const attributes = node[':@'] ?? {};
    const raw = attributes.value;
    const value = raw === undefined ? null : primitiveValue(element.type, raw);
    let extras: JsonObject | null = null;
    const elementNode = this.#defs.getStructure('Element');
    const hasChildren = (node[tagOf(node)] as XmlNode[]).some((n) => isElement(tagOf(n)));
    if (elementNode && (attributes.id !== undefined || hasChildren)) {
      extras = {};
      const withoutValue: XmlNode = { ...node, ':@': { ...attributes } };
      delete withoutValue[':@']?.value;
      this.#children(withoutValue, elementNode, path, extras);
    }
    if (!element.isArray) {
      if (value !== null) json[name] = value;
      if (extras) json[`_${name}`] = extras;
      return;
    }
    // Repeating primitives keep `name` and `_name` aligned by index, null where absent (json.html).
    const values = (json[name] ??= []) as unknown[];
    values.push(value);
    const previousExtras = json[`_${name}`] as unknown[] | undefined;
    if (extras || previousExtras) {
      const all = previousExtras ?? [];
      while (all.length < values.length - 1) all.push(null);
      all.push(extras);
      json[`_${name}`] = all;
    }
  }
}

/** Typed JSON for a primitive; a value that does not parse stays a string for validation to report. */
function primitiveValue(type: string, raw: string): unknown {
  switch (type) {
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'integer':
    case 'unsignedInt':
    case 'positiveInt':
    case 'decimal': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
    }
    default:
      return raw;
  }
}

const escapeAttribute = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Narrative.div as an XHTML string with its namespace declared (json.html#xhtml). */
function xhtml(node: XmlNode): string {
  const attributes = { ...(node[':@'] ?? {}), xmlns: XHTML_NS };
  const attributeText = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join('');
  const content = (node[tagOf(node)] as XmlNode[])
    .map((n) => (n['#text'] as string | undefined) ?? '')
    .join('');
  return `<div${attributeText}>${content}</div>`;
}
