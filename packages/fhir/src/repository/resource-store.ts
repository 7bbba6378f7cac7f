import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '@ketenlog/storage';
import { gone, notFound, preconditionFailed } from '../outcome.ts';
import { assertId, assertResource, assertResourceType } from './identity.ts';
import { deleteIndexRows, insertIndexRows } from './index-writer.ts';
import type { WriteResult } from './repository.ts';
import type { SearchIndex } from './search-index.ts';

/** The HTTP verb recorded with each version, for `_history` entries. */
export type VersionMethod = 'POST' | 'PUT' | 'DELETE';

interface CurrentRow {
  version_id: number;
  deleted: number;
  content: string;
}

/**
 * Reads and writes of single resources against a Queryable that is already inside a transaction
 * (the caller owns the transaction, so a transaction bundle can run many of these atomically).
 * Each write stores the new current version, appends it to `resource_versions` and replaces the
 * resource's search index rows.
 */
export class ResourceStore {
  readonly index: SearchIndex;

  constructor(index: SearchIndex) {
    this.index = index;
  }

  async current(q: Queryable, resourceType: string, id: string): Promise<CurrentRow | undefined> {
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
  async findExisting(q: Queryable, resourceType: string, query: string): Promise<Resource | undefined> {
    const params = [...new URLSearchParams(query)].filter(([name]) => name !== '_count');
    const bundle = await this.index.search(q, {
      resourceType,
      params: [...params, ['_count', '2']],
      baseUrl: '',
    });
    const matches = (bundle.entry ?? []).filter((e) => e.resource && (e.search?.mode ?? 'match') === 'match');
    if (matches.length > 1)
      throw preconditionFailed(`If-None-Exist "${query}" matches more than one ${resourceType}`);
    return matches[0]?.resource;
  }

  /** Creates a resource with a server-assigned id (or `id`, pre-assigned for a transaction bundle). */
  async create<T extends Resource>(q: Queryable, resource: T, id: string = randomUUID()): Promise<T> {
    assertResource(resource);
    return this.write(q, { ...resource, id }, 1, 'POST');
  }

  /** Update, or update-as-create when the id is new (FHIR R4 §3.1.0.4). */
  async update<T extends Resource>(q: Queryable, resource: T, ifMatch?: string): Promise<WriteResult<T>> {
    assertResource(resource);
    assertId(resource.id);
    const row = await this.current(q, resource.resourceType, resource.id);
    const key = `${resource.resourceType}/${resource.id}`;
    if (ifMatch !== undefined && (!row || String(row.version_id) !== ifMatch)) {
      throw preconditionFailed(`If-Match version ${ifMatch} does not match the current version of ${key}`);
    }
    const written = await this.write(q, resource, row ? row.version_id + 1 : 1, 'PUT');
    return { resource: written, created: true };
  }

  /**
   * Deletes by writing a deletion version. Deleting an unknown or already deleted resource
   * changes nothing and succeeds: FHIR R4 §3.1.0.7 allows 200/204 for it, which keeps DELETE
   * idempotent.
   */
  async delete(q: Queryable, resourceType: string, id: string): Promise<void> {
    assertResourceType(resourceType);
    assertId(id);
    const row = await this.current(q, resourceType, id);
    if (!row || row.deleted) return;
    await this.write(q, { resourceType, id } as Resource, row.version_id + 1, 'DELETE');
  }

  private async write<T extends Resource>(
    q: Queryable,
    resource: T,
    version: number,
    method: VersionMethod,
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
    const deleted = method === 'DELETE' ? 1 : 0;
    const content = JSON.stringify(stored);
    await q.run(
      `INSERT INTO resources (resource_type, id, version_id, last_updated, deleted, content) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
         last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content`,
      [resourceType, id, version, lastUpdated, deleted, content],
    );
    await q.run(
      `INSERT INTO resource_versions (resource_type, id, version_id, last_updated, deleted, method, content)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [resourceType, id, version, lastUpdated, deleted, method, content],
    );
    // A first version has no old rows to remove.
    if (version > 1) await deleteIndexRows(q, resourceType, id);
    if (!deleted) await insertIndexRows(q, resourceType, id, this.index.extract(stored));
    return stored;
  }
}
