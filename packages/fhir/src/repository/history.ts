import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { oneRow, type Queryable, type SqlValue } from '@ketenlog/storage';
import { badRequest, notFound } from '../outcome.ts';
import { assertId, assertResourceType } from './identity.ts';
import type { SearchRequest } from './repository.ts';
import type { VersionMethod } from './resource-store.ts';

const DEFAULT_COUNT = 100;
export const MAX_HISTORY_COUNT = 1000;

/**
 * Server-private paging parameter on the `next`/`previous` links: the instant the first page was
 * read. Later pages see only versions up to it, so versions written while a client pages through
 * a history do not shift entries from one page to the next.
 */
export const HISTORY_UNTIL = '_until';

interface VersionRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: number;
  method: VersionMethod;
  content: string;
}

const STATUS: Record<VersionMethod, string> = {
  POST: '201 Created',
  PUT: '200 OK',
  DELETE: '204 No Content',
};

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

interface HistoryParams {
  count: number;
  offset: number;
  since?: number;
  until?: number;
}

function instant(name: string, value: string): number {
  // An instant: a full date-time with a time zone (FHIR R4 §3.1.0.11).
  const ms = INSTANT.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw badRequest(`${name} must be an instant, not "${value}"`, name);
  return ms;
}

function historyParams(params: SearchRequest['params']): HistoryParams {
  const parsed: HistoryParams = { count: DEFAULT_COUNT, offset: 0 };
  for (const [name, value] of params) {
    if (name === '_count' || name === '_offset') {
      if (!/^\d{1,6}$/.test(value))
        throw badRequest(`${name} must be a non-negative integer, not "${value}"`, name);
      if (name === '_count') parsed.count = Math.min(Number(value), MAX_HISTORY_COUNT);
      else parsed.offset = Number(value);
    } else if (name === '_since') parsed.since = instant(name, value);
    else if (name === HISTORY_UNTIL) parsed.until = instant(name, value);
    else if (name !== '_format' && name !== '_pretty') {
      // `_at` and `_list` are optional in R4 and not supported: refused, never ignored.
      throw badRequest(`history does not support the parameter "${name}"`, name);
    }
  }
  return parsed;
}

/**
 * History at instance, type or system level (FHIR R4 §3.1.0.12): every version, newest first, as
 * a Bundle of type `history` whose entries carry the request that made each version and its
 * response. Always pageable: `total` counts every version in scope and a `next` link follows
 * while versions remain, so no list is cut short without saying so.
 */
export async function readHistory(
  q: Queryable,
  resourceType: string | undefined,
  id: string | undefined,
  params: SearchRequest['params'],
  baseUrl: string,
  now: number = Date.now(),
): Promise<Bundle> {
  if (resourceType !== undefined) assertResourceType(resourceType);
  if (id !== undefined) {
    if (resourceType === undefined) throw badRequest('an instance history needs a resource type');
    assertId(id);
  }
  const { count, offset, since, until = now } = historyParams(params);
  const where: string[] = ['last_updated <= ?'];
  const args: SqlValue[] = [until];
  if (resourceType !== undefined) {
    where.push('resource_type = ?');
    args.push(resourceType);
  }
  if (id !== undefined) {
    where.push('id = ?');
    args.push(id);
  }
  if (since !== undefined) {
    where.push('last_updated >= ?');
    args.push(since);
  }
  const filter = where.join(' AND ');
  const { n } = oneRow(
    await q.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM resource_versions WHERE ${filter}`, args),
  );
  const total = Number(n);
  if (id !== undefined && total === 0 && since === undefined) {
    const known = await q.all('SELECT 1 FROM resource_versions WHERE resource_type = ? AND id = ?', [
      resourceType!,
      id,
    ]);
    if (!known.length) throw notFound(`${resourceType}/${id} is not known`);
  }
  const rows =
    count === 0
      ? []
      : await q.all<VersionRow>(
          `SELECT resource_type, id, version_id, last_updated, method, content FROM resource_versions
           WHERE ${filter}
           ORDER BY last_updated DESC, resource_type ASC, id ASC, version_id DESC LIMIT ? OFFSET ?`,
          [...args, count, offset],
        );
  const entry = rows.map((row): BundleEntry => {
    const path = `${row.resource_type}/${row.id}`;
    const resource = row.method === 'DELETE' ? undefined : (JSON.parse(row.content) as Resource);
    return {
      fullUrl: `${baseUrl}/${path}`,
      ...(resource ? { resource } : {}),
      request: { method: row.method, url: row.method === 'POST' ? row.resource_type : path },
      response: {
        status: STATUS[row.method],
        etag: `W/"${row.version_id}"`,
        lastModified: new Date(row.last_updated).toISOString(),
      },
    };
  });
  const scope = [resourceType, id].filter((part) => part !== undefined).join('/');
  const path = `${baseUrl}${scope ? `/${scope}` : ''}/_history`;
  const link = (at: number): string => {
    const search = new URLSearchParams();
    for (const [name, value] of params) {
      if (name !== '_offset' && name !== HISTORY_UNTIL) search.append(name, value);
    }
    search.append(HISTORY_UNTIL, new Date(until).toISOString());
    if (at > 0) search.append('_offset', String(at));
    return `${path}?${search.toString()}`;
  };
  const links: BundleLink[] = [{ relation: 'self', url: link(offset) }];
  if (count > 0 && offset + count < total) links.push({ relation: 'next', url: link(offset + count) });
  if (offset > 0 && count > 0) links.push({ relation: 'previous', url: link(Math.max(0, offset - count)) });
  return { resourceType: 'Bundle', type: 'history', total, link: links, entry };
}
