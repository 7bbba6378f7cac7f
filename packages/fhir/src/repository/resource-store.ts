import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '@ketenlog/storage';
import { gone, notFound, preconditionFailed } from '../outcome.ts';
import { assertId, assertResource, assertResourceType } from './identity.ts';
import type { WriteResult } from './repository.ts';
import type { SearchIndex } from './search-index.ts';
import { INDEX_TABLE } from '../search/index-rows.ts';
import { deepEqual } from '../import/same-content.ts';
import { persistVersions, type CurrentRow, type VersionMethod, type WriteBuffer } from './write-buffer.ts';

export type { VersionMethod } from './write-buffer.ts';

/**
 * Reads and writes of single resources against a Queryable that is already inside a transaction
 * (the caller owns the transaction, so a transaction bundle can run many of these atomically).
 * Each write stores the new current version, appends it to `resource_versions` and replaces the
 * resource's search index rows. Writes given a WriteBuffer are held there and persisted with
 * the buffer (a transaction bundle); otherwise they are written at once.
 */
export class ResourceStore {
  readonly index: SearchIndex;

  constructor(index: SearchIndex) {
    this.index = index;
  }

  async current(
    q: Queryable,
    resourceType: string,
    id: string,
    buffer?: WriteBuffer,
  ): Promise<CurrentRow | undefined> {
    const known = buffer?.current(resourceType, id);
    if (known !== undefined) return known ?? undefined;
    const rows = await q.all<CurrentRow>(
      'SELECT version_id, deleted, content FROM resources WHERE resource_type = ? AND id = ?',
      [resourceType, id],
    );
    return rows[0];
  }

  async read<T extends Resource>(q: Queryable, resourceType: string, id: string): Promise<T> {
    assertResourceType(resourceType);
    assertId(id);
    const row = await this.current(q, resourceType, id);
    if (!row) throw notFound(`${resourceType}/${id} is not known`);
    if (row.deleted) throw gone(`${resourceType}/${id} has been deleted`);
    return JSON.parse(row.content) as T;
  }

  async vread<T extends Resource>(
    q: Queryable,
    resourceType: string,
    id: string,
    versionId: string,
  ): Promise<T> {
    assertResourceType(resourceType);
    assertId(id);
    const version = /^[1-9][0-9]{0,15}$/.test(versionId) ? Number(versionId) : undefined;
    const rows =
      version === undefined
        ? []
        : await q.all<{ deleted: number; content: string }>(
            'SELECT deleted, content FROM resource_versions WHERE resource_type = ? AND id = ? AND version_id = ?',
            [resourceType, id, version],
          );
    if (!rows[0]) throw notFound(`${resourceType}/${id}/_history/${versionId} is not known`);
    if (rows[0].deleted) throw gone(`${resourceType}/${id}/_history/${versionId} is a deletion`);
    return JSON.parse(rows[0].content) as T;
  }

  /**
   * Conditional create (FHIR R4 §3.1.0.8.1): the existing match for an `If-None-Exist` query,
   * undefined when nothing matches, 412 when more than one does.
   */
  async findExisting(
    q: Queryable,
    resourceType: string,
    query: string,
    what = 'If-None-Exist',
  ): Promise<Resource | undefined> {
    const params = [...new URLSearchParams(query)].filter(([name]) => name !== '_count');
    const bundle = await this.index.search(q, {
      resourceType,
      params: [...params, ['_count', '2']],
      baseUrl: '',
    });
    const matches = (bundle.entry ?? []).filter((e) => e.resource && (e.search?.mode ?? 'match') === 'match');
    if (matches.length > 1)
      throw preconditionFailed(`${what} "${query}" matches more than one ${resourceType}`);
    return matches[0]?.resource;
  }

  /** Creates a resource with a server-assigned id (or `id`, pre-assigned for a transaction bundle). */
  async create<T extends Resource>(
    q: Queryable,
    resource: T,
    id: string = randomUUID(),
    buffer?: WriteBuffer,
  ): Promise<T> {
    assertResource(resource);
    return this.write(q, { ...resource, id }, 1, 'POST', buffer);
  }

  /** Update, or update-as-create when the id is new (FHIR R4 §3.1.0.4). */
  async update<T extends Resource>(
    q: Queryable,
    resource: T,
    ifMatch?: string,
    buffer?: WriteBuffer,
    ifNoneMatch = false,
  ): Promise<WriteResult<T>> {
    assertResource(resource);
    assertId(resource.id);
    const row = await this.current(q, resource.resourceType, resource.id, buffer);
    const key = `${resource.resourceType}/${resource.id}`;
    if (ifMatch !== undefined && (!row || String(row.version_id) !== ifMatch)) {
      throw preconditionFailed(`If-Match version ${ifMatch} does not match the current version of ${key}`);
    }
    if (ifNoneMatch && row && !row.deleted) throw preconditionFailed(`If-None-Match: ${key} exists`);
    if (row && !row.deleted) {
      // An update that changes nothing makes no new version (R4 §3.1.0.4 allows this no-op).
      const current = JSON.parse(row.content) as T;
      if (unchanged(current, resource)) return { resource: current, created: false };
    }
    const written = await this.write(q, resource, row ? row.version_id + 1 : 1, 'PUT', buffer);
    return { resource: written, created: true };
  }

  /**
   * Deletes by writing a deletion version. Deleting an unknown or already deleted resource
   * changes nothing and succeeds: FHIR R4 §3.1.0.7 allows 200/204 for it, which keeps DELETE
   * idempotent.
   */
  async delete(q: Queryable, resourceType: string, id: string, buffer?: WriteBuffer): Promise<void> {
    assertResourceType(resourceType);
    assertId(id);
    const row = await this.current(q, resourceType, id, buffer);
    if (!row || row.deleted) return;
    await this.write(q, { resourceType, id } as Resource, row.version_id + 1, 'DELETE', buffer);
  }

  /**
   * Removes a resource with every version and its search index rows, leaving no history behind
   * (the client's erasure under the AVG; FHIR has no standard operation, HAPI calls it $expunge).
   */
  async expunge(q: Queryable, resourceType: string, id: string): Promise<void> {
    assertResourceType(resourceType);
    assertId(id);
    await q.run('DELETE FROM resources WHERE resource_type = ? AND id = ?', [resourceType, id]);
    await q.run('DELETE FROM resource_versions WHERE resource_type = ? AND id = ?', [resourceType, id]);
    for (const table of Object.values(INDEX_TABLE))
      await q.run(`DELETE FROM ${table} WHERE resource_type = ? AND resource_id = ?`, [resourceType, id]);
  }

  private async write<T extends Resource>(
    q: Queryable,
    resource: T,
    version: number,
    method: VersionMethod,
    buffer?: WriteBuffer,
  ): Promise<T> {
    const { resourceType, id } = resource as T & { id: string };
    const lastUpdated = Date.now();
    const stored = {
      ...resource,
      meta: {
        ...resource.meta,
        versionId: String(version),
        lastUpdated: new Date(lastUpdated).toISOString(),
      },
    } as T;
    const write = {
      resourceType,
      id,
      version,
      lastUpdated,
      method,
      content: JSON.stringify(stored),
      indexRows: method === 'DELETE' ? [] : this.index.extract(stored),
    };
    if (buffer) await buffer.add(q, write);
    else await persistVersions(q, [write]);
    return stored;
  }
}

/** Same content and the same meta apart from what the server sets (versionId, lastUpdated). */
function unchanged(current: Resource, next: Resource): boolean {
  const strip = (r: Resource): Resource => {
    const { versionId: _v, lastUpdated: _l, ...meta } = r.meta ?? {};
    return Object.keys(meta).length ? { ...r, meta } : (({ meta: _m, ...rest }) => rest as Resource)(r);
  };
  return deepEqual(strip(current), strip(next));
}
