import { badRequest } from '../outcome.ts';
import { assertId, assertResourceType } from '../repository/identity.ts';

/** The target of a bundle entry's `request.url`, relative to the server base (FHIR R4 §3.1.0.11.1). */
export interface EntryTarget {
  resourceType: string;
  id?: string;
  versionId?: string;
  /** Query string without `?`, for a search (GET) or a conditional operation. */
  query?: string;
}

export function parseRequestUrl(url: string | undefined, baseUrl: string): EntryTarget {
  if (!url) throw badRequest('Bundle.entry.request.url is required');
  let relative = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length + 1) : url;
  relative = relative.replace(/^\//, '');
  const [path, query] = relative.split('?', 2) as [string, string | undefined];
  const parts = path.split('/');
  const [resourceType, id, history, versionId] = parts;
  assertResourceType(resourceType);
  if (id !== undefined) assertId(id);
  const wellFormed =
    parts.length <= 2 ||
    (parts.length === 4 && history === '_history' && /^[1-9][0-9]*$/.test(versionId ?? ''));
  if (!wellFormed) throw badRequest(`unsupported request.url "${url}"`);
  return { resourceType, id, versionId, query };
}
