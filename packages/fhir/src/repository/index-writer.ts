import type { Queryable, SqlValue } from '@ketenlog/storage';
import { INDEX_TABLE, type IndexKind, type IndexRow } from '../search/index-rows.ts';

/** Columns after (resource_type, resource_id, param), per index kind, in schema order. */
const COLUMNS: { [K in IndexKind]: (row: Extract<IndexRow, { kind: K }>) => SqlValue[] } = {
  string: (r) => [r.norm, r.exact],
  token: (r) => [r.system, r.code, r.text],
  date: (r) => [r.lo, r.hi],
  reference: (r) => [r.targetType, r.targetId, r.url],
  number: (r) => [r.value],
  quantity: (r) => [r.value, r.system, r.code],
  uri: (r) => [r.value],
};

const COLUMN_NAMES: Record<IndexKind, string[]> = {
  string: ['norm', 'exact'],
  token: ['system', 'code', 'text'],
  date: ['lo', 'hi'],
  reference: ['target_type', 'target_id', 'url'],
  number: ['value'],
  quantity: ['value', 'system', 'code'],
  uri: ['value'],
};

/** Rows per INSERT: few round trips, and a bounded number of distinct statements to cache. */
const CHUNK = 256;

const KINDS = Object.keys(INDEX_TABLE) as IndexKind[];

/** One resource's identity, as the index tables key it. */
export interface ResourceKey {
  resourceType: string;
  id: string;
}

/** Keys per DELETE: well below both engines' bound-parameter limits. */
const KEYS_PER_DELETE = 400;

/** Removes every index row of the given resources (before re-indexing, or when deleted). */
export async function deleteIndexRows(q: Queryable, keys: readonly ResourceKey[]): Promise<void> {
  const byType = new Map<string, string[]>();
  for (const { resourceType, id } of keys) {
    const ids = byType.get(resourceType);
    if (ids) ids.push(id);
    else byType.set(resourceType, [id]);
  }
  for (const [resourceType, ids] of byType) {
    for (let start = 0; start < ids.length; start += KEYS_PER_DELETE) {
      const chunk = ids.slice(start, start + KEYS_PER_DELETE);
      const list = chunk.map(() => '?').join(', ');
      for (const kind of KINDS) {
        await q.run(`DELETE FROM ${INDEX_TABLE[kind]} WHERE resource_type = ? AND resource_id IN (${list})`, [
          resourceType,
          ...chunk,
        ]);
      }
    }
  }
}

/** The index rows of one resource version. */
export interface ResourceIndexRows extends ResourceKey {
  rows: readonly IndexRow[];
}

/** Inserts index rows of many resources with multi-row INSERTs, one table at a time. */
export async function insertIndexRows(q: Queryable, resources: readonly ResourceIndexRows[]): Promise<void> {
  const byKind = new Map<IndexKind, SqlValue[][]>();
  for (const { resourceType, id, rows } of resources) {
    for (const row of rows) {
      const values = (COLUMNS[row.kind] as (row: IndexRow) => SqlValue[])(row);
      const list = byKind.get(row.kind);
      const tuple = [resourceType, id, row.param, ...values];
      if (list) list.push(tuple);
      else byKind.set(row.kind, [tuple]);
    }
  }
  for (const [kind, list] of byKind) {
    const columns = ['resource_type', 'resource_id', 'param', ...COLUMN_NAMES[kind]];
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    for (let start = 0; start < list.length; start += CHUNK) {
      const chunk = list.slice(start, start + CHUNK);
      await q.run(
        `INSERT INTO ${INDEX_TABLE[kind]} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`,
        chunk.flat(),
      );
    }
  }
}
