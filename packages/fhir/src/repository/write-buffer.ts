import type { Queryable, SqlValue } from '@ketenlog/storage';
import type { IndexRow } from '../search/index-rows.ts';
import { deleteIndexRows, insertIndexRows, type ResourceKey } from './index-writer.ts';

/** The HTTP verb recorded with each version, for `_history` entries. */
export type VersionMethod = 'POST' | 'PUT' | 'DELETE';

/** A resource's current row, as `resources` holds it. */
export interface CurrentRow {
  version_id: number;
  deleted: number;
  content: string;
}

/** One new version of one resource: its rows in `resources`, `resource_versions` and the index. */
export interface VersionWrite extends ResourceKey {
  version: number;
  lastUpdated: number;
  method: VersionMethod;
  content: string;
  /** The index rows of the new version; empty for a deletion. */
  indexRows: readonly IndexRow[];
}

/** Rows per multi-row INSERT of resources and versions (7 parameters each). */
const ROWS_PER_INSERT = 200;

const key = (resourceType: string, id: string): string => `${resourceType}/${id}`;

/** Writes versions to the database: the current row, the history row, the index rows. */
export async function persistVersions(q: Queryable, writes: readonly VersionWrite[]): Promise<void> {
  for (let start = 0; start < writes.length; start += ROWS_PER_INSERT) {
    const chunk = writes.slice(start, start + ROWS_PER_INSERT);
    const current: SqlValue[] = [];
    const history: SqlValue[] = [];
    for (const w of chunk) {
      const deleted = w.method === 'DELETE' ? 1 : 0;
      current.push(w.resourceType, w.id, w.version, w.lastUpdated, deleted, w.content);
      history.push(w.resourceType, w.id, w.version, w.lastUpdated, deleted, w.method, w.content);
    }
    await q.run(
      `INSERT INTO resources (resource_type, id, version_id, last_updated, deleted, content)
       VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
         last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content`,
      current,
    );
    await q.run(
      `INSERT INTO resource_versions (resource_type, id, version_id, last_updated, deleted, method, content)
       VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      history,
    );
  }
  // A first version has no old index rows to remove.
  await deleteIndexRows(
    q,
    writes.filter((w) => w.version > 1),
  );
  await insertIndexRows(
    q,
    writes.map((w) => ({ resourceType: w.resourceType, id: w.id, rows: w.indexRows })),
  );
}

/**
 * Versions written inside one transaction bundle, held back and persisted together with
 * multi-row statements (a bundle of a thousand resources is a few dozen statements, not
 * thousands). It also answers "what is the current row" for the resources it knows, so writes
 * and checks in the bundle see each other; anything that reads through SQL flushes it first.
 */
export class WriteBuffer {
  readonly #pending = new Map<string, VersionWrite>();
  /** Current rows known without asking the database: prefetched, or written here. */
  readonly #known = new Map<string, CurrentRow | null>();

  /** Looks up the current rows of these resources in a few queries, for `current`. */
  async prefetch(q: Queryable, keys: readonly ResourceKey[]): Promise<void> {
    const byType = new Map<string, string[]>();
    for (const k of keys) {
      if (this.#known.has(key(k.resourceType, k.id))) continue;
      const ids = byType.get(k.resourceType);
      if (ids) ids.push(k.id);
      else byType.set(k.resourceType, [k.id]);
    }
    for (const [resourceType, ids] of byType) {
      for (let start = 0; start < ids.length; start += 400) {
        const chunk = ids.slice(start, start + 400);
        const rows = await q.all<CurrentRow & { id: string }>(
          `SELECT id, version_id, deleted, content FROM resources WHERE resource_type = ? AND id IN (${chunk.map(() => '?').join(', ')})`,
          [resourceType, ...chunk],
        );
        for (const id of chunk) this.#known.set(key(resourceType, id), null);
        for (const row of rows) {
          this.#known.set(key(resourceType, row.id), {
            version_id: Number(row.version_id),
            deleted: Number(row.deleted),
            content: row.content,
          });
        }
      }
    }
  }

  /** The current row when known here (null: known not to exist), undefined when not known. */
  current(resourceType: string, id: string): CurrentRow | null | undefined {
    return this.#known.get(key(resourceType, id));
  }

  async add(q: Queryable, write: VersionWrite): Promise<void> {
    const k = key(write.resourceType, write.id);
    // Two versions of one resource in one multi-row upsert are not allowed: write the first now.
    if (this.#pending.has(k)) await this.flush(q);
    this.#pending.set(k, write);
    this.#known.set(k, {
      version_id: write.version,
      deleted: write.method === 'DELETE' ? 1 : 0,
      content: write.content,
    });
  }

  async flush(q: Queryable): Promise<void> {
    if (this.#pending.size === 0) return;
    const writes = [...this.#pending.values()];
    this.#pending.clear();
    await persistVersions(q, writes);
  }
}
