import { badRequest, ProblemError, notSupported, outcome } from '../outcome.ts';
import { patientCompartmentParams, patientCompartmentTypes } from './compartment.ts';
import { parseShape } from './subset.ts';
import type { SearchRequest } from '../repository/repository.ts';
import { isIndexed, type SearchParameterRegistry } from './definitions.ts';
import type { Filter, IncludeSpec, Prefix, SearchQuery, SortKey, ValueCondition } from './query.ts';
import { dateRange, normalizeString } from './values.ts';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

/** Parameters that shape the result rather than select resources (R4 §3.1.1.5 ff.). */
const RESULT_PARAMS = new Set([
  '_count',
  '_offset',
  '_sort',
  '_include',
  '_revinclude',
  '_summary',
  '_elements',
  '_total',
  '_format',
  '_pretty',
]);

const PREFIXES: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/**
 * Parses a search request into a SearchQuery. The issue asks for 4xx on invalid search parameters,
 * so unknown parameters, unsupported modifiers and malformed values are rejected with a 400 that
 * names the parameter instead of being ignored leniently (R4 §3.1.1.0 allows both).
 */
export function parseSearch(registry: SearchParameterRegistry, request: SearchRequest): SearchQuery {
  const system = request.resourceType === '';
  let types = system ? systemTypes(registry, request.params) : [];
  if (system && request.compartment) {
    // `Patient/{id}/*`: every type in the compartment, or those of `_type` (R4 §3.1.0.9).
    const inCompartment = patientCompartmentTypes();
    const outside = types.filter((t) => !inCompartment.includes(t));
    if (outside.length) throw badRequest(`${outside.join(', ')} is not in the Patient compartment`, '_type');
    if (!types.length) types = inCompartment;
  }
  // A system search over one type is that type's search, with the system's links.
  const resourceType = system ? (types.length === 1 ? (types[0] ?? '') : '') : request.resourceType;
  if (resourceType && !registry.isResourceType(resourceType))
    throw badRequest(`Unknown resource type "${resourceType}"`);
  const query: SearchQuery = {
    resourceType,
    resourceTypes: types,
    filters: [],
    count: DEFAULT_COUNT,
    offset: 0,
    sort: [],
    include: [],
    revinclude: [],
    ignored: [],
  };
  if (request.compartment)
    query.filters.push(
      compartmentFilter(resourceType ? [resourceType] : types, resourceType, request.compartment),
    );
  // At system level over several types, a parameter is parsed on one of them after checking it
  // means the same on every one (R4 §3.1.1.3: parameters common to all the types of `_type`).
  // Without `_type` only the common parameters are allowed, which every type has: any type parses them.
  const parseOn = resourceType || types[0] || 'Patient';
  for (const [key, raw] of request.params) {
    if (raw === '') continue; // R4 §3.1.1.0: parameters without a value are ignored
    const [name = ''] = key.split(/[:.]/);
    if (name === '_type') {
      if (!system) throw badRequest('"_type" is only for a search at system level', key);
      continue;
    }
    if (RESULT_PARAMS.has(name)) {
      parseResultParam(registry, query, key, raw, parseOn);
      continue;
    }
    if (!resourceType) {
      if (name === '_has' || key.includes('.'))
        throw notSupported(
          `"${key}": chaining and _has need a resource type (search that type, or one _type)`,
        );
      assertCommon(registry, types, name, key);
    }
    countValues(query, raw);
    try {
      if (name === '_has') query.filters.push(parseHas(registry, parseOn, key, raw));
      else query.filters.push(parseFilter(registry, parseOn, key, raw, request.baseUrl));
    } catch (error) {
      // `Prefer: handling=lenient`: a parameter the server does not understand is left out.
      const unknown =
        error instanceof ProblemError &&
        /Unknown search parameter|unsupported modifier|not supported/.test(error.message);
      if (!(request.lenient && unknown)) throw error;
      query.ignored.push(key);
    }
  }
  return query;
}

/**
 * Values one search may list, over all its parameters: a documented limit, refused with 400
 * beyond. A value takes at most four SQL arguments, which keeps a search below SQLite's limit of
 * 32,766 arguments per statement.
 */
export const MAX_SEARCH_VALUES = 5_000;

function countValues(query: SearchQuery, raw: string): void {
  const seen = query.filters.reduce((n, f) => n + valueCount(f), 0);
  if (seen + raw.split(',').length > MAX_SEARCH_VALUES)
    throw new ProblemError(
      400,
      outcome(
        'error',
        'too-costly',
        `A search may list at most ${MAX_SEARCH_VALUES} values in all its parameters`,
      ),
    );
}

function valueCount(filter: Filter): number {
  switch (filter.kind) {
    case 'id':
      return filter.ids.length;
    case 'index':
    case 'lastUpdated':
      return filter.values.length;
    case 'chain':
      return filter.targets.reduce((n, t) => n + valueCount(t.inner), 0);
    case 'has':
      return valueCount(filter.inner);
    default:
      return 1;
  }
}

/** The parameters every resource type has (R4 §3.1.1.3, base `Resource`): allowed at system level. */
const COMMON_PARAMS: ReadonlySet<string> = new Set([
  '_id',
  '_lastUpdated',
  '_tag',
  '_profile',
  '_security',
  '_source',
]);

function systemTypes(registry: SearchParameterRegistry, params: SearchRequest['params']): string[] {
  const types: string[] = [];
  for (const [key, raw] of params) {
    if (key !== '_type' || raw === '') continue;
    for (const type of raw.split(',')) {
      if (!registry.isResourceType(type))
        throw badRequest(`Unknown resource type "${type}" in _type`, '_type');
      if (!types.includes(type)) types.push(type);
    }
  }
  return types;
}

function assertCommon(
  registry: SearchParameterRegistry,
  types: readonly string[],
  name: string,
  key: string,
): void {
  if (COMMON_PARAMS.has(name)) return;
  if (!types.length)
    throw badRequest(`"${name}" is not a parameter of every resource type; name the types with _type`, key);
  const kinds = new Set(types.map((t) => registry.get(t, name)?.type));
  if (kinds.has(undefined) || kinds.size !== 1)
    throw badRequest(`"${name}" is not a parameter of the same type on every type in _type`, key);
}

function compartmentFilter(
  types: readonly string[],
  resourceType: string,
  compartment: NonNullable<SearchRequest['compartment']>,
): Filter {
  if (compartment.type !== 'Patient') throw notSupported(`Only the Patient compartment is supported`);
  const bySignature = new Map<string, { types: string[]; params: readonly string[] }>();
  for (const type of types) {
    const params = patientCompartmentParams(type);
    if (!params.length) throw badRequest(`${type} is not in the Patient compartment`);
    const key = params.join(',');
    const group = bySignature.get(key);
    if (group) group.types.push(type);
    else bySignature.set(key, { types: [type], params });
  }
  return {
    kind: 'compartment',
    resourceType,
    groups: [...bySignature.values()],
    targetType: 'Patient',
    targetId: compartment.id,
  };
}

function parseFilter(
  registry: SearchParameterRegistry,
  resourceType: string,
  key: string,
  raw: string,
  baseUrl: string,
): Filter {
  const dot = key.indexOf('.');
  if (dot >= 0)
    return parseChain(registry, resourceType, key.slice(0, dot), key.slice(dot + 1), raw, baseUrl);
  const [name = '', modifier, ...rest] = key.split(':');
  if (rest.length) throw badRequest(`Search parameter "${key}" has more than one modifier`, key);
  const definition = registry.get(resourceType, name);
  if (!definition) throw badRequest(`Unknown search parameter "${name}" for ${resourceType}`, key);
  if (!isIndexed(definition))
    throw notSupported(`Search parameter "${name}" of type ${definition.type} is not supported`);
  const values = splitValues(raw);
  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw badRequest(`"${key}" takes true or false`, key);
    if (name === '_id' || name === '_lastUpdated') throw badRequest(`"${key}" is never missing`, key);
    return { kind: 'missing', resourceType, param: name, table: definition.type, missing: raw === 'true' };
  }
  if (name === '_id') {
    if (modifier) throw badRequest(`"_id" takes no modifier`, key);
    return { kind: 'id', resourceType, ids: values };
  }
  if (name === '_lastUpdated') {
    if (modifier) throw badRequest(`"_lastUpdated" takes no modifier`, key);
    return {
      kind: 'lastUpdated',
      resourceType,
      values: values.map((v) => {
        const d = parseDate(key, v);
        return { prefix: d.prefix, range: d.range };
      }),
    };
  }
  const table = definition.type;
  let negate = false;
  let conditions: ValueCondition[];
  switch (table) {
    case 'string':
      if (modifier && modifier !== 'exact' && modifier !== 'contains') throw badModifier(key);
      conditions = values.map((value) => ({
        type: 'string',
        mode: (modifier as 'exact' | 'contains' | undefined) ?? 'prefix',
        value: modifier === 'exact' ? value : normalizeString(value),
      }));
      break;
    case 'token':
      if (modifier && modifier !== 'not' && modifier !== 'text') throw badModifier(key);
      negate = modifier === 'not';
      conditions = values.map((value) =>
        modifier === 'text' ? { type: 'token', text: normalizeString(value) } : parseToken(key, value),
      );
      break;
    case 'date':
      if (modifier) throw badModifier(key);
      conditions = values.map((value) => parseDate(key, value));
      break;
    case 'number':
      if (modifier) throw badModifier(key);
      conditions = values.map((value) => ({ type: 'number', ...parseNumber(key, value) }));
      break;
    case 'quantity':
      if (modifier) throw badModifier(key);
      conditions = values.map((value) => parseQuantity(key, value));
      break;
    case 'reference': {
      if (modifier && !definition.targets.includes(modifier)) throw badModifier(key);
      conditions = values.map((value) => parseReference(key, value, modifier, baseUrl));
      break;
    }
    case 'uri':
      if (modifier && modifier !== 'below' && modifier !== 'above') throw badModifier(key);
      conditions = values.map((value) => ({
        type: 'uri',
        mode: (modifier as 'below' | 'above' | undefined) ?? 'exact',
        value,
      }));
      break;
  }
  return { kind: 'index', resourceType, param: name, table, values: conditions, negate };
}

const MAX_CHAIN = 3;

/** Chaining (R4 §3.1.1.4.13): `subject:Patient.name=x`, `patient.identifier=x`. */
function parseChain(
  registry: SearchParameterRegistry,
  resourceType: string,
  head: string,
  tail: string,
  raw: string,
  baseUrl: string,
): Filter {
  const key = `${head}.${tail}`;
  // Chains of any length (`subject:Patient.organization.name`); the limit keeps queries bounded.
  if (key.split('.').length > MAX_CHAIN + 1)
    throw notSupported(`"${key}": at most ${MAX_CHAIN} levels of chaining`);
  const [name = '', typeModifier] = head.split(':');
  const definition = registry.get(resourceType, name);
  if (!definition) throw badRequest(`Unknown search parameter "${name}" for ${resourceType}`, key);
  if (definition.type !== 'reference') throw badRequest(`"${name}" is not a reference parameter`, key);
  if (typeModifier && !definition.targets.includes(typeModifier)) throw badModifier(key);
  const [innerName = ''] = tail.split(/[:.]/);
  const candidates = typeModifier ? [typeModifier] : definition.targets;
  const targets = candidates
    .filter((t) => registry.get(t, innerName))
    .map((targetType) => ({ targetType, inner: parseFilter(registry, targetType, tail, raw, baseUrl) }));
  if (!targets.length) throw badRequest(`No target of "${head}" has a search parameter "${innerName}"`, key);
  return { kind: 'chain', resourceType, param: name, targets };
}

/** Reverse chaining (R4 §3.1.1.4.14): `_has:Observation:patient:code=1234-5`. */
function parseHas(registry: SearchParameterRegistry, resourceType: string, key: string, raw: string): Filter {
  const [, sourceType, sourceParam, ...innerParts] = key.split(':');
  if (!sourceType || !sourceParam || !innerParts.length)
    throw badRequest(`"${key}" must be _has:Type:reference:parameter`, key);
  if (innerParts[0] === '_has') throw notSupported(`"${key}": nested _has is not supported`);
  if (!registry.isResourceType(sourceType))
    throw badRequest(`Unknown resource type "${sourceType}" in ${key}`, key);
  const reference = registry.get(sourceType, sourceParam);
  if (reference?.type !== 'reference')
    throw badRequest(`"${sourceParam}" is not a reference parameter of ${sourceType}`, key);
  if (!reference.targets.includes(resourceType))
    throw badRequest(`${sourceType}.${sourceParam} cannot refer to ${resourceType}`, key);
  const inner = parseFilter(registry, sourceType, innerParts.join(':'), raw, '');
  return { kind: 'has', resourceType, sourceType, sourceParam, inner };
}

function parseResultParam(
  registry: SearchParameterRegistry,
  query: SearchQuery,
  key: string,
  raw: string,
  parseOn: string,
): void {
  const [name, modifier] = key.split(':');
  switch (name) {
    case '_count':
      query.count = Math.min(parseNonNegative(key, raw), MAX_COUNT);
      return;
    case '_offset':
      query.offset = parseNonNegative(key, raw);
      return;
    case '_sort':
      for (const item of raw.split(',').map((s) => s.trim())) {
        // At system level over several types, only a parameter they all share can order them.
        if (!query.resourceType) assertCommon(registry, query.resourceTypes, item.replace(/^-/, ''), key);
        query.sort.push(parseSort(registry, parseOn, item));
      }
      return;
    case '_include':
    case '_revinclude': {
      if (modifier && modifier !== 'iterate' && modifier !== 'recurse') throw badModifier(key);
      const spec = parseInclude(registry, key, raw, modifier !== undefined);
      (name === '_include' ? query.include : query.revinclude).push(spec);
      return;
    }
    case '_summary':
      if (raw !== 'count' && raw !== 'true' && raw !== 'false' && raw !== 'data' && raw !== 'text')
        throw badRequest(`"_summary" must be one of true, false, count, data, text`, key);
      query.summary = raw;
      return;
    case '_elements':
      query.elements = parseShape([[key, raw]]).elements;
      return;
    case '_total':
      if (raw !== 'none' && raw !== 'estimate' && raw !== 'accurate')
        throw badRequest(`"_total" must be none, estimate or accurate`, key);
      query.total = raw;
      return;
    default:
      return; // _format, _pretty: handled by the HTTP layer
  }
}

function parseSort(registry: SearchParameterRegistry, resourceType: string, item: string): SortKey {
  const descending = item.startsWith('-');
  const name = descending ? item.slice(1) : item;
  if (name === '_id') return { column: 'id', descending };
  if (name === '_lastUpdated') return { column: 'lastUpdated', descending };
  const definition = registry.get(resourceType, name);
  if (!definition) throw badRequest(`Unknown sort parameter "${name}" for ${resourceType}`, '_sort');
  if (!isIndexed(definition)) throw notSupported(`Sorting by "${name}" is not supported`);
  return { column: 'index', table: definition.type, param: name, descending };
}

function parseInclude(
  registry: SearchParameterRegistry,
  key: string,
  raw: string,
  iterate: boolean,
): IncludeSpec {
  if (raw === '*') return { sourceType: '*', param: '*', iterate };
  const [sourceType, param, targetType, ...rest] = raw.split(':');
  if (!sourceType || !param || rest.length)
    throw badRequest(`"${key}" must be Type:parameter[:targetType]`, key);
  if (!registry.isResourceType(sourceType))
    throw badRequest(`Unknown resource type "${sourceType}" in ${key}`, key);
  if (param !== '*') {
    const definition = registry.get(sourceType, param);
    if (definition?.type !== 'reference')
      throw badRequest(`"${param}" is not a reference parameter of ${sourceType}`, key);
    if (targetType && !definition.targets.includes(targetType))
      throw badRequest(`${sourceType}.${param} cannot refer to ${targetType}`, key);
  } else if (targetType && !registry.isResourceType(targetType))
    throw badRequest(`Unknown resource type "${targetType}" in ${key}`, key);
  return { sourceType, param, targetType, iterate };
}

/** Splits at commas not escaped with `\` (R4 §3.1.1.6), then removes the escapes. */
export function splitValues(raw: string): string[] {
  return splitEscaped(raw, ',').map(unescape);
}

function splitEscaped(raw: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      current += c + raw[++i];
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

const unescape = (value: string): string => value.replace(/\\([,|$\\])/g, '$1');

function parseToken(key: string, value: string): ValueCondition {
  const pipe = splitEscaped(value, '|');
  if (pipe.length > 2) throw badRequest(`"${key}": a token is [system|]code`, key);
  if (pipe.length === 1) return { type: 'token', code: unescape(value) };
  const [system, code] = pipe.map(unescape);
  if (!system && !code) throw badRequest(`"${key}": a token needs a system or a code`, key);
  return { type: 'token', system, code: code || undefined };
}

function splitPrefix(value: string): [Prefix, string] {
  const head = value.slice(0, 2);
  return PREFIXES.has(head) && !/^\d/.test(head) ? [head as Prefix, value.slice(2)] : ['eq', value];
}

function parseDate(
  key: string,
  value: string,
): { type: 'date'; prefix: Prefix; range: { lo: number; hi: number } } {
  const [prefix, rest] = splitPrefix(value);
  const range = dateRange(rest);
  if (!range) throw badRequest(`"${key}": "${value}" is not a valid date`, key);
  return { type: 'date', prefix, range };
}

/** A number with the range its precision implies: "100" is [99.5, 100.5) (R4 §3.1.1.4.10). */
function parseNumber(key: string, value: string): { prefix: Prefix; value: number; lo: number; hi: number } {
  const [prefix, rest] = splitPrefix(value);
  const match = /^[+-]?(\d+)(?:\.(\d+))?$/.exec(rest);
  if (!match) throw badRequest(`"${key}": "${value}" is not a number`, key);
  const number = Number(rest);
  const half = 0.5 * 10 ** -(match[2]?.length ?? 0);
  return { prefix, value: number, lo: number - half, hi: number + half };
}

function parseQuantity(key: string, value: string): ValueCondition {
  const parts = splitEscaped(value, '|').map(unescape);
  const [number, system, code] = parts;
  if (number === undefined || (parts.length !== 1 && parts.length !== 3))
    throw badRequest(`"${key}": a quantity is number[|system|code]`, key);
  return {
    type: 'quantity',
    ...parseNumber(key, number),
    system: system || undefined,
    code: code || undefined,
  };
}

function parseReference(
  key: string,
  value: string,
  typeModifier: string | undefined,
  baseUrl: string,
): ValueCondition {
  let reference = value;
  if (baseUrl && reference.startsWith(`${baseUrl}/`)) reference = reference.slice(baseUrl.length + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return { type: 'reference', url: reference };
  const literal = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  if (literal) {
    if (typeModifier && literal[1] !== typeModifier)
      throw badRequest(`"${key}": "${value}" is not a ${typeModifier} reference`, key);
    return { type: 'reference', targetType: literal[1], targetId: literal[2] };
  }
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(reference))
    throw badRequest(`"${key}": "${value}" is not a reference`, key);
  return { type: 'reference', targetType: typeModifier, targetId: reference };
}

function parseNonNegative(key: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw badRequest(`"${key}" must be a non-negative integer`, key);
  return Number(raw);
}

function badModifier(key: string) {
  return badRequest(`Search parameter "${key}" has an unsupported modifier`, key);
}
