import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { oneRow, type Queryable } from '@ketenlog/storage';
import type { SearchRequest } from '../repository/repository.ts';
import type { SearchIndex } from '../repository/search-index.ts';
import type { SearchParameterRegistry } from './definitions.ts';
import { extractIndexRows } from './extract.ts';
import { findIncluded, MAX_ITERATE_DEPTH } from './include.ts';
import { outcome } from '../outcome.ts';
import type { IndexRow } from './index-rows.ts';
import { parseSearch } from './parse.ts';
import type { SearchQuery } from './query.ts';
import { compileSearch } from './sql.ts';
import { shapeResource } from './subset.ts';

/**
 * FHIR R4 search over the index tables: extraction at write time, and searches compiled to one SQL
 * query each (plus a count, and one query per include round), answered as a searchset Bundle.
 */
export class FhirSearchIndex implements SearchIndex {
  readonly registry: SearchParameterRegistry;

  constructor(registry: SearchParameterRegistry) {
    this.registry = registry;
  }

  extract(resource: Resource): IndexRow[] {
    return extractIndexRows(this.registry, resource);
  }

  async search(db: Queryable, request: SearchRequest): Promise<Bundle> {
    const query = parseSearch(this.registry, request);
    const { page, count } = compileSearch(query, Date.now());
    const countOnly = query.summary === 'count';
    const rows = countOnly ? [] : await db.all<{ id: string; content: string }>(page.sql, page.args);
    const hasNext = rows.length > query.count;
    const matches = rows.slice(0, query.count).map((row) => JSON.parse(row.content) as Resource);

    let total: number | undefined;
    if (query.total !== 'none') {
      // A first page that is not full already tells the total.
      if (!countOnly && query.offset === 0 && !hasNext) total = matches.length;
      else total = Number(oneRow(await db.all<{ n: number | string }>(count.sql, count.args)).n);
    }

    const { resources: included, incomplete } = countOnly
      ? { resources: [], incomplete: false }
      : await findIncluded(db, matches, query.include, query.revinclude);
    const entry: BundleEntry[] = [
      ...matches.map((r) => this.#entry(request, query, r, 'match')),
      ...included.map((r) => this.#entry(request, query, r, 'include')),
    ];
    if (query.ignored.length) {
      const text = `Not understood and left out (Prefer: handling=lenient): ${query.ignored.join(', ')}`;
      entry.push({ resource: outcome('warning', 'not-supported', text), search: { mode: 'outcome' } });
    }
    if (incomplete) {
      // Never silently short: the search says what it left out (Bundle.entry.search.mode outcome).
      const text = `:iterate follows at most ${MAX_ITERATE_DEPTH} rounds; resources further along were not included`;
      entry.push({ resource: outcome('warning', 'incomplete', text), search: { mode: 'outcome' } });
    }
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      ...(total === undefined ? {} : { total }),
      link: links(request, query, hasNext),
    };
    if (!countOnly) bundle.entry = entry;
    return bundle;
  }

  #entry(
    request: SearchRequest,
    query: SearchQuery,
    resource: Resource,
    mode: 'match' | 'include',
  ): BundleEntry {
    return {
      fullUrl: `${request.baseUrl}/${resource.resourceType}/${resource.id}`,
      resource: this.#shape(query, resource),
      search: { mode },
    };
  }

  /** `_elements` and `_summary` (R4 §3.1.1.5.8-9). */
  #shape(query: SearchQuery, resource: Resource): Resource {
    return shapeResource(resource, query);
  }
}

/** self, and next/previous when there are such pages (R4 §3.1.1.5.7 paging). */
function links(request: SearchRequest, query: SearchQuery, hasNext: boolean): BundleLink[] {
  const url = (offset: number): string => {
    const params = new URLSearchParams();
    for (const [name, value] of request.params)
      if (name !== '_offset' && !query.ignored.includes(name)) params.append(name, value);
    if (offset > 0) params.append('_offset', String(offset));
    const search = params.toString();
    return `${searchPath(request)}${search ? `?${search}` : ''}`;
  };
  const list: BundleLink[] = [{ relation: 'self', url: url(query.offset) }];
  if (hasNext && query.count > 0) list.push({ relation: 'next', url: url(query.offset + query.count) });
  if (query.offset > 0)
    list.push({ relation: 'previous', url: url(Math.max(0, query.offset - query.count)) });
  return list;
}

/** The URL searched: `[base]`, `[base]/[type]`, `[base]/Patient/[id]/[type]` or `…/Patient/[id]/*`. */
function searchPath(request: SearchRequest): string {
  const compartment = request.compartment ? `/${request.compartment.type}/${request.compartment.id}` : '';
  const type = request.resourceType ? `/${request.resourceType}` : compartment ? '/*' : '';
  return `${request.baseUrl}${compartment}${type}`;
}
