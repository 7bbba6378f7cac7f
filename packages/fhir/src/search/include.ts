import type { Resource } from '@medplum/fhirtypes';
import type { Queryable, SqlValue } from '@ketenlog/storage';
import type { IncludeSpec } from './query.ts';

/** How many rounds `:iterate` follows references from included resources. */
export const MAX_ITERATE_DEPTH = 3;

/** Ids per `IN (...)` list, well below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

const keyOf = (r: Resource): string => `${r.resourceType}/${r.id}`;

/**
 * `_include` and `_revinclude` (R4 §3.1.1.5.4): the resources the matches refer to, and those that
 * refer to the matches, through the reference index. With `:iterate` the same is done again for
 * the resources just added, up to MAX_ITERATE_DEPTH rounds; `incomplete` says that more rounds
 * would have added more (the searchset then says so in an OperationOutcome entry).
 */
export async function findIncluded(
  db: Queryable,
  matches: readonly Resource[],
  include: readonly IncludeSpec[],
  revinclude: readonly IncludeSpec[],
): Promise<{ resources: Resource[]; incomplete: boolean }> {
  const seen = new Set(matches.map(keyOf));
  const included: Resource[] = [];
  let frontier: readonly Resource[] = matches;
  // One round more than is followed, only to learn whether anything was left out.
  for (let depth = 0; depth <= MAX_ITERATE_DEPTH + 1 && frontier.length; depth++) {
    const round =
      depth === 0
        ? { include, revinclude }
        : {
            include: include.filter((s) => s.iterate),
            revinclude: revinclude.filter((s) => s.iterate),
          };
    if (!round.include.length && !round.revinclude.length) break;
    const keys = new Set<string>();
    for (const spec of round.include) for (const k of await forward(db, frontier, spec)) keys.add(k);
    for (const spec of round.revinclude) for (const k of await reverse(db, frontier, spec)) keys.add(k);
    const fresh = [...keys].filter((k) => !seen.has(k));
    if (depth > MAX_ITERATE_DEPTH) return { resources: included, incomplete: fresh.length > 0 };
    for (const k of fresh) seen.add(k);
    frontier = await load(db, fresh);
    included.push(...frontier);
  }
  return { resources: included, incomplete: false };
}

/** Keys (`Type/id`) of the resources that `spec` references from the given sources. */
async function forward(db: Queryable, sources: readonly Resource[], spec: IncludeSpec): Promise<string[]> {
  const keys: string[] = [];
  for (const [type, ids] of idsByType(sources)) {
    if (spec.sourceType !== '*' && spec.sourceType !== type) continue;
    for (const chunk of chunks(ids)) {
      let sql = `SELECT DISTINCT target_type, target_id FROM sp_reference
        WHERE resource_type = ? AND resource_id IN (${chunk.map(() => '?').join(', ')}) AND target_id <> ''`;
      const args: SqlValue[] = [type, ...chunk];
      if (spec.param !== '*') {
        sql += ' AND param = ?';
        args.push(spec.param);
      }
      if (spec.targetType) {
        sql += ' AND target_type = ?';
        args.push(spec.targetType);
      }
      const rows = await db.all<{ target_type: string; target_id: string }>(sql, args);
      for (const row of rows) keys.push(`${row.target_type}/${row.target_id}`);
    }
  }
  return keys;
}

/** Keys of the resources of `spec.sourceType` whose `spec.param` refers to one of the targets. */
async function reverse(db: Queryable, targets: readonly Resource[], spec: IncludeSpec): Promise<string[]> {
  const keys: string[] = [];
  for (const [type, ids] of idsByType(targets)) {
    if (spec.targetType && spec.targetType !== type) continue;
    for (const chunk of chunks(ids)) {
      let sql = `SELECT DISTINCT resource_type, resource_id FROM sp_reference
        WHERE target_type = ? AND target_id IN (${chunk.map(() => '?').join(', ')})`;
      const args: SqlValue[] = [type, ...chunk];
      if (spec.sourceType !== '*') {
        sql += ' AND resource_type = ?';
        args.push(spec.sourceType);
      }
      if (spec.param !== '*') {
        sql += ' AND param = ?';
        args.push(spec.param);
      }
      const rows = await db.all<{ resource_type: string; resource_id: string }>(sql, args);
      for (const row of rows) keys.push(`${row.resource_type}/${row.resource_id}`);
    }
  }
  return keys;
}

/** The current, non-deleted resources for `Type/id` keys, in a stable order. */
export async function load(db: Queryable, keys: readonly string[]): Promise<Resource[]> {
  const byType = new Map<string, string[]>();
  for (const key of keys) {
    const slash = key.indexOf('/');
    const list = byType.get(key.slice(0, slash));
    if (list) list.push(key.slice(slash + 1));
    else byType.set(key.slice(0, slash), [key.slice(slash + 1)]);
  }
  const resources: Resource[] = [];
  for (const [type, ids] of [...byType].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const chunk of chunks(ids)) {
      const rows = await db.all<{ content: string }>(
        `SELECT content FROM resources WHERE resource_type = ? AND deleted = 0
         AND id IN (${chunk.map(() => '?').join(', ')}) ORDER BY id`,
        [type, ...chunk],
      );
      for (const row of rows) resources.push(JSON.parse(row.content) as Resource);
    }
  }
  return resources;
}

function idsByType(resources: readonly Resource[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of resources) {
    if (!r.id) continue;
    const list = map.get(r.resourceType);
    if (list) list.push(r.id);
    else map.set(r.resourceType, [r.id]);
  }
  return map;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
