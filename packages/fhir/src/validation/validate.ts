import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import type { ElementInfo, StructureNode } from '../definitions/structure.ts';
import { ProblemError, issues as issuesOutcome } from '../outcome.ts';
import type { IssueCode } from '../outcome.ts';
import { BSN_SYSTEM, isValidBsn } from './bsn.ts';
import { primitiveProblem } from './primitives.ts';

/** Enough to fix a resource; more only makes the OperationOutcome longer. */
const MAX_ISSUES = 20;

/** Resource types whose `identifier` may carry a BSN that must pass the 11-proef. */
const PERSON_TYPES: ReadonlySet<string> = new Set(['Patient', 'Person', 'RelatedPerson', 'Practitioner']);

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a resource against the R4 definitions: known resource type and elements, JSON types and
 * formats of primitives, arrays versus single values, required elements, `required` code
 * bindings, no empty elements (json.html), contained resources, and BSNs (11-proef).
 * Throws a 400 `ProblemError` with one issue per problem, each naming the element.
 */
export function validateResource(resource: unknown, defs: FhirDefinitions): void {
  const validation = new Validation(defs);
  if (!isObject(resource)) {
    validation.report('structure', 'The body must be a JSON object holding a FHIR resource', '');
  } else {
    validation.resource(resource, undefined);
  }
  if (validation.issues.length > 0) throw new ProblemError(400, issuesOutcome(validation.issues));
}

/** The state of one validation run: the definitions and the issues found so far. */
class Validation {
  readonly issues: OperationOutcomeIssue[] = [];
  readonly #defs: FhirDefinitions;

  constructor(defs: FhirDefinitions) {
    this.#defs = defs;
  }

  report(code: IssueCode, diagnostics: string, expression: string): void {
    if (this.issues.length >= MAX_ISSUES) return;
    const issue: OperationOutcomeIssue = { severity: 'error', code, diagnostics };
    if (expression) issue.expression = [expression];
    this.issues.push(issue);
  }

  /** A resource at the top (`path` undefined) or in a resource slot such as `Patient.contained[0]`. */
  resource(value: JsonObject, path: string | undefined): void {
    const resourceType = value.resourceType;
    if (typeof resourceType !== 'string' || !this.#defs.isResourceType(resourceType)) {
      const where = path ? `${path}.resourceType` : 'resourceType';
      const message =
        typeof resourceType === 'string'
          ? `Unknown resource type "${resourceType}"`
          : 'A resource must have a "resourceType" string';
      this.report(typeof resourceType === 'string' ? 'not-supported' : 'required', message, where);
      return;
    }
    const node = this.#defs.getStructure(resourceType);
    if (!node) return;
    const resourcePath = path ?? resourceType;
    this.object(value, node, resourcePath, true);
    if (PERSON_TYPES.has(resourceType)) this.#bsns(value, resourcePath);
  }

  object(value: JsonObject, node: StructureNode, path: string, isResource: boolean): void {
    if (this.issues.length >= MAX_ISSUES) return;
    let choicesSeen: Set<string> | undefined;
    let empty = true;
    for (const key in value) {
      empty = false;
      if ((isResource && key === 'resourceType') || key === 'fhir_comments') continue;
      const item = value[key];
      if (key.charCodeAt(0) === 95 /* _ */) {
        this.#primitiveExtension(item, node.elements.get(key.slice(1)), `${path}.${key}`);
        continue;
      }
      const element = node.elements.get(key);
      if (!element) {
        this.report('structure', `Unknown element "${key}" in ${path}`, `${path}.${key}`);
        continue;
      }
      if (element.choiceOf) {
        choicesSeen ??= new Set();
        if (choicesSeen.has(element.choiceOf)) {
          this.report('structure', `${element.choiceOf} has more than one value`, `${path}.${key}`);
        }
        choicesSeen.add(element.choiceOf);
      }
      this.#element(item, element, `${path}.${key}`, value[`_${key}`] !== undefined);
    }
    if (empty) {
      this.report('structure', `${path} is empty; FHIR does not allow empty elements`, path);
      return;
    }
    for (const required of node.required) {
      if (!required.names.some((name) => value[name] !== undefined || value[`_${name}`] !== undefined)) {
        const name = required.path.slice(required.path.lastIndexOf('.') + 1);
        this.report('required', `Missing required element ${required.path}`, `${path}.${name}`);
      }
    }
  }

  /** One JSON property: an array of values or a single value, as the cardinality says. */
  #element(value: unknown, element: ElementInfo, path: string, hasExtensions: boolean): void {
    if (!element.isArray) {
      if (Array.isArray(value)) {
        this.report('structure', `${path} must be a single value, not an array (max 1)`, path);
      } else {
        this.#value(value, element, path);
      }
      return;
    }
    if (!Array.isArray(value)) {
      this.report('structure', `${path} must be an array (it may repeat)`, path);
      return;
    }
    if (value.length === 0) {
      this.report('structure', `${path} is an empty array; FHIR does not allow empty elements`, path);
      return;
    }
    if (value.length > element.max) {
      this.report('structure', `${path} has ${value.length} values, at most ${element.max} allowed`, path);
    }
    for (let i = 0; i < value.length; i++) {
      // A repeating primitive may be null where its `_name` twin carries the id or extensions.
      if (value[i] === null && hasExtensions) continue;
      this.#value(value[i], element, `${path}[${i}]`);
    }
  }

  #value(value: unknown, element: ElementInfo, path: string): void {
    if (this.#defs.isPrimitiveType(element.type)) {
      const problem = primitiveProblem(element.type, value);
      if (problem) {
        this.report('value', `${path} ${problem} (${element.type})`, path);
        return;
      }
      const codes = element.type === 'code' ? this.#defs.requiredCodes(element) : undefined;
      if (codes && !codes.has(value as string)) {
        const valueSet = element.requiredValueSet?.split('|')[0];
        this.report(
          'value',
          `${path} has code "${String(value)}", not in required value set ${valueSet}`,
          path,
        );
      }
      return;
    }
    if (!isObject(value)) {
      this.report('structure', `${path} must be a JSON object (${element.type})`, path);
      return;
    }
    if (this.#defs.isResourceSlot(element.type)) {
      this.resource(value, path);
    } else if (element.children) {
      this.object(value, element.children, path, false);
    }
  }

  /** `_name`: the id and extensions of a primitive (json.html#primitive). */
  #primitiveExtension(value: unknown, element: ElementInfo | undefined, path: string): void {
    const node = this.#defs.getStructure('Element');
    if (!element || !this.#defs.isPrimitiveType(element.type) || !node) {
      this.report('structure', `Unknown element "${path.slice(path.lastIndexOf('.') + 1)}"`, path);
      return;
    }
    const items = element.isArray && Array.isArray(value) ? value : [value];
    if (element.isArray !== Array.isArray(value)) {
      this.report(
        'structure',
        `${path} must ${element.isArray ? 'be an array' : 'be a single object'}`,
        path,
      );
      return;
    }
    items.forEach((item, i) => {
      const itemPath = element.isArray ? `${path}[${i}]` : path;
      if (item === null && element.isArray) return;
      if (!isObject(item)) this.report('structure', `${itemPath} must be a JSON object`, itemPath);
      else this.object(item, node, itemPath, false);
    });
  }

  #bsns(resource: JsonObject, path: string): void {
    const identifiers = resource.identifier;
    if (!Array.isArray(identifiers)) return;
    identifiers.forEach((identifier: unknown, i) => {
      if (!isObject(identifier) || identifier.system !== BSN_SYSTEM) return;
      if (typeof identifier.value === 'string' && !isValidBsn(identifier.value)) {
        const where = `${path}.identifier[${i}].value`;
        // The number itself stays out of the message: it is personal data and messages get logged.
        this.report('value', `${where} is not a valid BSN (9 digits passing the 11-proef)`, where);
      }
    });
  }
}
