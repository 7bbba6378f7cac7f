import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { Queryable, SqlValue } from '@ketenlog/storage';
import { badRequest, notFound } from '../outcome.ts';
import { assertId, assertResourceType } from './identity.ts';
import type { SearchRequest } from './repository.ts';
import type { VersionMethod } from './resource-store.ts';

const DEFAULT_COUNT = 100;
const MAX_COUNT = 1000;

interface VersionRow {
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

function historyParams(params: SearchRequest['params']): { count: number; since?: number } {
  let count = DEFAULT_COUNT;
  let since: number | undefined;
  for (const [name, value] of params) {
    if (name === '_count') {
      if (!/^\d{1,6}$/.test(value)) throw badRequest(`_count must be a non-negative integer, not "${value}"`);
      count = Math.min(Number(value), MAX_COUNT);
    } else if (name === '_since') {
      // An instant: a full date-time with a time zone (FHIR R4 §3.1.0.11).
      since = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
        ? Date.parse(value)
        : NaN;
      if (Number.isNaN(since)) throw badRequest(`_since must be an instant, not "${value}"`);
    } else if (name !== '_format') {
      throw badRequest(`history does not support the parameter "${name}"`);
    }
  }
  return { count, since };
}

/**
 * Instance or type history (FHIR R4 §3.1.0.11): every version, newest first, as a Bundle of type
 * `history` whose entries carry the request that made each version and its response.
 */
export async function readHistory(
  q: Queryable,
  resourceType: string,
  id: string | undefined,
  params: SearchRequest['params'],
  baseUrl: string,
): Promise<Bundle> {
  assertResourceType(resourceType);
  if (id !== undefined) assertId(id);
  const { count, since } = historyParams(params);
  const where = ['resource_type = ?'];
  const args: SqlValue[] = [resourceType];
  if (id !== undefined) {
    where.push('id = ?');
    args.push(id);
  }
  if (since !== undefined) {
    where.push('last_updated >= ?');
    args.push(since);
  }
  const rows = await q.all<VersionRow>(
    `SELECT id, version_id, last_updated, method, content FROM resource_versions WHERE ${where.join(' AND ')}
     ORDER BY last_updated DESC, version_id DESC LIMIT ?`,
    [...args, count],
  );
  if (id !== undefined && rows.length === 0 && since === undefined) {
    throw notFound(`${resourceType}/${id} is not known`);
  }
  const entry = rows.map((row): BundleEntry => {
    const path = `${resourceType}/${row.id}`;
    const resource = row.method === 'DELETE' ? undefined : (JSON.parse(row.content) as Resource);
    return {
      fullUrl: `${baseUrl}/${path}`,
      ...(resource ? { resource } : {}),
      request: { method: row.method, url: row.method === 'POST' ? resourceType : path },
      response: {
        status: STATUS[row.method],
        etag: `W/"${row.version_id}"`,
        lastModified: new Date(row.last_updated).toISOString(),
      },
    };
  });
  const self = `${baseUrl}/${resourceType}${id === undefined ? '' : `/${id}`}/_history`;
  return { resourceType: 'Bundle', type: 'history', link: [{ relation: 'self', url: self }], entry };
}
