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
const CHUNK = 64;

const KINDS = Object.keys(INDEX_TABLE) as IndexKind[];

/** Removes every index row of a resource (before re-indexing, or when it is deleted). */
export async function deleteIndexRows(q: Queryable, resourceType: string, id: string): Promise<void> {
  for (const kind of KINDS) {
    await q.run(`DELETE FROM ${INDEX_TABLE[kind]} WHERE resource_type = ? AND resource_id = ?`, [
      resourceType,
      id,
    ]);
  }
}

/** Inserts a resource's index rows with multi-row INSERTs, one table at a time. */
export async function insertIndexRows(
  q: Queryable,
  resourceType: string,
  id: string,
  rows: readonly IndexRow[],
): Promise<void> {
  const byKind = new Map<IndexKind, IndexRow[]>();
  for (const row of rows) {
    const list = byKind.get(row.kind);
    if (list) list.push(row);
    else byKind.set(row.kind, [row]);
  }
  for (const [kind, list] of byKind) {
    const columns = ['resource_type', 'resource_id', 'param', ...COLUMN_NAMES[kind]];
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const values = COLUMNS[kind] as (row: IndexRow) => SqlValue[];
    for (let start = 0; start < list.length; start += CHUNK) {
      const chunk = list.slice(start, start + CHUNK);
      const params: SqlValue[] = [];
      for (const row of chunk) params.push(resourceType, id, row.param, ...values(row));
      await q.run(
        `INSERT INTO ${INDEX_TABLE[kind]} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`,
        params,
      );
    }
  }
}
