import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { Queryable, SqlValue } from '@ketenlog/storage';
import { badRequest } from '../outcome.ts';
import { findIncluded, load } from '../search/include.ts';
import { dateRange } from '../search/values.ts';
import type { SearchRequest } from './repository.ts';
import type { ResourceStore } from './resource-store.ts';

/**
 * Without `_count` the whole record is one Bundle, as the node's own callers (export, the
 * federated overview) expect; with `_count` it is paged, at most MAX_COUNT a page.
 */
const DEFAULT_COUNT = Number.POSITIVE_INFINITY;
const MAX_COUNT = 1000;

interface EverythingParams {
  start?: number;
  end?: number;
  since?: number;
  types: string[];
  count: number;
  offset: number;
}

function everythingParams(params: SearchRequest['params'], isType: (t: string) => boolean): EverythingParams {
  const parsed: EverythingParams = { types: [], count: DEFAULT_COUNT, offset: 0 };
  for (const [name, value] of params) {
    if (value === '') continue;
    if (name === 'start' || name === 'end') {
      const range = dateRange(value);
      if (!range) throw badRequest(`${name} must be a date, not "${value}"`, name);
      if (name === 'start') parsed.start = range.lo;
      else parsed.end = range.hi;
    } else if (name === '_since') {
      const ms = /T.*(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(ms)) throw badRequest(`_since must be an instant, not "${value}"`, name);
      parsed.since = ms;
    } else if (name === '_type') {
      for (const type of value.split(',')) {
        if (!isType(type)) throw badRequest(`Unknown resource type "${type}" in _type`, name);
        parsed.types.push(type);
      }
    } else if (name === '_count' || name === '_offset') {
      if (!/^\d{1,9}$/.test(value)) throw badRequest(`${name} must be a non-negative integer`, name);
      if (name === '_count') parsed.count = Math.min(Number(value), MAX_COUNT);
      else parsed.offset = Number(value);
    } else if (name !== '_format' && name !== '_pretty') {
      throw badRequest(`$everything does not support the parameter "${name}"`, name);
    }
  }
  return parsed;
}

/**
 * `Patient/{id}/$everything` (R4 patient-operation-everything): the Patient, every current
 * resource whose search index refers to her, and the resources those refer to (the Medication of
 * a MedicationRequest, the Practitioner of an Encounter; other patients excepted), as a searchset
 * Bundle with `total` and paging links. `start`/`end` keep the resources with a date in the
 * range (every date search parameter of the resource counts; a resource without one is kept),
 * `_since` those changed since, `_type` those of the listed types.
 */
export async function patientEverything(
  q: Queryable,
  store: ResourceStore,
  patientId: string,
  baseUrl: string,
  params: SearchRequest['params'] = [],
): Promise<Bundle> {
  const patient = await store.read(q, 'Patient', patientId);
  const p = everythingParams(params, (t) => /^[A-Z][A-Za-z]+$/.test(t));
  const where: string[] = ['r.deleted = 0'];
  const args: SqlValue[] = [patientId];
  if (p.since !== undefined) {
    where.push('r.last_updated >= ?');
    args.push(p.since);
  }
  if (p.types.length) {
    where.push(`r.resource_type IN (${p.types.map(() => '?').join(', ')})`);
    args.push(...p.types);
  }
  if (p.start !== undefined || p.end !== undefined) {
    const dates = `FROM sp_date d WHERE d.resource_type = r.resource_type AND d.resource_id = r.id`;
    where.push(
      `(NOT EXISTS (SELECT 1 ${dates}) OR EXISTS (SELECT 1 ${dates} AND d.lo <= ? AND (d.hi IS NULL OR d.hi >= ?)))`,
    );
    args.push(p.end ?? Number.MAX_SAFE_INTEGER, p.start ?? Number.MIN_SAFE_INTEGER);
  }
  // From the patient's references (index on target) to the resources: cost follows her record,
  // not the size of the store.
  const rows = await q.all<{ resource_type: string; id: string }>(
    `SELECT r.resource_type, r.id
     FROM (SELECT DISTINCT resource_type, resource_id FROM sp_reference
           WHERE target_type = 'Patient' AND target_id = ?) s
     JOIN resources r ON r.resource_type = s.resource_type AND r.id = s.resource_id
     WHERE ${where.join(' AND ')}
     ORDER BY r.resource_type, r.id`,
    args,
  );
  const own = rows
    .filter((row) => !(row.resource_type === 'Patient' && row.id === patientId))
    .map((row) => ({ resourceType: row.resource_type, id: row.id }) as Resource);
  const inScope = (r: Resource): boolean =>
    (!p.types.length || p.types.includes(r.resourceType)) &&
    (p.since === undefined || Date.parse(r.meta?.lastUpdated ?? '') >= p.since);
  const referenced = (
    await findIncluded(q, [patient, ...own], [{ sourceType: '*', param: '*', iterate: false }], [])
  ).resources.filter((r) => r.resourceType !== 'Patient' && inScope(r));
  const keys: Array<{ resource?: Resource; key: string; mode: 'match' | 'include' }> = [
    ...(inScope(patient) ? [{ resource: patient, key: `Patient/${patientId}`, mode: 'match' as const }] : []),
    ...own.map((r) => ({ key: `${r.resourceType}/${r.id}`, mode: 'match' as const })),
    ...referenced.map((r) => ({ resource: r, key: `${r.resourceType}/${r.id}`, mode: 'include' as const })),
  ];
  const page = keys.slice(p.offset, p.offset + p.count);
  const loaded = new Map(
    (
      await load(
        q,
        page.filter((k) => !k.resource).map((k) => k.key),
      )
    ).map((r) => [`${r.resourceType}/${r.id}`, r]),
  );
  const entry: BundleEntry[] = page.flatMap((k) => {
    const resource = k.resource ?? loaded.get(k.key);
    return resource ? [{ fullUrl: `${baseUrl}/${k.key}`, resource, search: { mode: k.mode } }] : [];
  });
  const url = (offset: number): string => {
    const search = new URLSearchParams();
    for (const [name, value] of params) if (name !== '_offset') search.append(name, value);
    if (offset > 0) search.append('_offset', String(offset));
    const text = search.toString();
    return `${baseUrl}/Patient/${patientId}/$everything${text ? `?${text}` : ''}`;
  };
  const link: BundleLink[] = [{ relation: 'self', url: url(p.offset) }];
  if (p.count > 0 && p.offset + p.count < keys.length)
    link.push({ relation: 'next', url: url(p.offset + p.count) });
  if (p.offset > 0 && p.count > 0)
    link.push({ relation: 'previous', url: url(Math.max(0, p.offset - p.count)) });
  return { resourceType: 'Bundle', type: 'searchset', total: keys.length, link, entry };
}
