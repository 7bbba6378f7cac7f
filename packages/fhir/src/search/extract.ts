import type { Resource } from '@medplum/fhirtypes';
import type { SearchParameterRegistry, SearchParamType } from './definitions.ts';
import type { IndexRow } from './index-rows.ts';
import { dateRange, normalizeString, OPEN_START } from './values.ts';

type Json = Record<string, unknown>;
type Emit = (row: IndexRow) => void;

/**
 * The index rows of a resource: every indexed search parameter of its type, evaluated at write
 * time, with each value mapped to the row shape of its parameter type (R4 §3.1.1.4, "Search
 * parameter types": which element types a parameter type covers and how).
 */
export function extractIndexRows(registry: SearchParameterRegistry, resource: Resource): IndexRow[] {
  const rows: IndexRow[] = [];
  const seen = new Set<string>();
  const add: Emit = (row) => {
    const key = JSON.stringify(row);
    if (!seen.has(key)) {
      seen.add(key);
      rows.push(row);
    }
  };
  for (const { definition, extract } of registry.compiled(resource.resourceType)) {
    const toRows = MAPPERS[definition.type];
    const param = definition.name;
    extract(resource, (type, value) => toRows(param, type, value, add));
  }
  return rows;
}

type Mapper = (param: string, type: string, value: unknown, emit: Emit) => void;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? [value]
      : [];

const HUMAN_NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix'];
const ADDRESS_PARTS = ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'];

const stringRows: Mapper = (param, type, value, emit) => {
  const push = (s: string): void => {
    if (s) emit({ kind: 'string', param, norm: normalizeString(s), exact: s });
  };
  if (typeof value === 'string') return push(value);
  if (!isObject(value)) return;
  const parts =
    type === 'HumanName' || (type === 'unknown' && ('family' in value || 'given' in value))
      ? HUMAN_NAME_PARTS
      : type === 'Address' || (type === 'unknown' && ('line' in value || 'city' in value))
        ? ADDRESS_PARTS
        : [];
  for (const part of parts) for (const s of strings(value[part])) push(s);
};

const tokenRows: Mapper = (param, _type, value, emit) => {
  const push = (system: unknown, code: unknown, text: unknown): void => {
    const c = typeof code === 'string' ? code : '';
    const t = typeof text === 'string' ? normalizeString(text) : '';
    if (c || t) emit({ kind: 'token', param, system: str(system) ?? '', code: c, text: t });
  };
  if (typeof value === 'boolean' || typeof value === 'number') return push('', String(value), undefined);
  if (typeof value === 'string') return push('', value, undefined);
  if (!isObject(value)) return;
  if (Array.isArray(value.coding) || 'text' in value) {
    // CodeableConcept: each coding, and its text as a code-less row for `:text`.
    for (const coding of Array.isArray(value.coding) ? value.coding : [])
      if (isObject(coding)) push(coding.system, coding.code, coding.display);
    push('', undefined, value.text);
  } else if ('code' in value)
    push(value.system, value.code, value.display); // Coding
  else if ('value' in value)
    push(value.system, value.value, isObject(value.type) ? value.type.text : undefined); // Identifier, ContactPoint
};

const dateRows: Mapper = (param, _type, value, emit) => {
  const push = (lo: number, hi: number | null): void => emit({ kind: 'date', param, lo, hi });
  if (typeof value === 'string') {
    const range = dateRange(value);
    if (range) push(range.lo, range.hi);
    return;
  }
  if (!isObject(value)) return;
  if ('start' in value || 'end' in value) {
    // Period: a missing start or end is open (R4 §2.24.0.10).
    const start = str(value.start) && dateRange(value.start as string);
    const end = str(value.end) && dateRange(value.end as string);
    if (start || end) push(start ? start.lo : OPEN_START, end ? end.hi : null);
    return;
  }
  // Timing: its events, and the bounds of its repeat.
  for (const event of strings(value.event)) dateRows(param, 'dateTime', event, emit);
  const repeat = value.repeat;
  if (isObject(repeat) && isObject(repeat.boundsPeriod)) dateRows(param, 'Period', repeat.boundsPeriod, emit);
};

const referenceRows: Mapper = (param, _type, value, emit) => {
  const reference = typeof value === 'string' ? value : isObject(value) ? str(value.reference) : undefined;
  if (!reference || reference.startsWith('#')) return;
  const literal = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  emit({
    kind: 'reference',
    param,
    targetType: literal?.[1] ?? '',
    targetId: literal?.[2] ?? '',
    url: reference,
  });
};

const numberRows: Mapper = (param, _type, value, emit) => {
  if (typeof value === 'number' && Number.isFinite(value)) emit({ kind: 'number', param, value });
};

const quantityRows: Mapper = (param, type, value, emit) => {
  if (!isObject(value)) return;
  if (typeof value.value === 'number') {
    const money = typeof value.currency === 'string';
    emit({
      kind: 'quantity',
      param,
      value: value.value,
      system: money ? 'urn:iso:std:iso:4217' : (str(value.system) ?? ''),
      code: money ? (value.currency as string) : (str(value.code) ?? str(value.unit) ?? ''),
    });
  } else if (type === 'Range' || 'low' in value || 'high' in value) {
    // Range: both of its limits are values of the parameter.
    quantityRows(param, 'Quantity', value.low, emit);
    quantityRows(param, 'Quantity', value.high, emit);
  }
};

const uriRows: Mapper = (param, _type, value, emit) => {
  if (typeof value === 'string' && value) emit({ kind: 'uri', param, value });
};

const MAPPERS: Record<SearchParamType, Mapper> = {
  string: stringRows,
  token: tokenRows,
  date: dateRows,
  reference: referenceRows,
  number: numberRows,
  quantity: quantityRows,
  uri: uriRows,
};
