import type { SqlValue } from '@ketenlog/storage';
import type { SearchParamType } from './definitions.ts';
import { INDEX_TABLE } from './index-rows.ts';
import type { Filter, Prefix, SearchQuery, SortKey, ValueCondition } from './query.ts';

/** SQL text with its `?` arguments in order, in the subset SQLite and PostgreSQL share. */
export interface Sql {
  sql: string;
  args: SqlValue[];
}

/**
 * Compiles a search to one query over `resources`, each filter an `IN` over an index table
 * (never JSON), so both engines answer from their indexes. `now` anchors the `ap` prefix.
 */
export function compileSearch(query: SearchQuery, now: number): { page: Sql; count: Sql } {
  const single = query.filters.length === 1 ? query.filters[0] : undefined;
  if (query.resourceType && single?.kind === 'index' && !single.negate && query.sort.length === 0) {
    return compileSingleIndexSearch(query, single, now);
  }
  const where = new SqlBuilder();
  if (query.resourceType) where.push('r.resource_type = ? AND r.deleted = 0', query.resourceType);
  else {
    // System level: every filter is a check correlated on the row's own type (no driving lookup,
    // whose id lists are of one type).
    where.push('r.deleted = 0');
    if (query.resourceTypes.length)
      where.push(
        ` AND r.resource_type IN (${query.resourceTypes.map(() => '?').join(', ')})`,
        ...query.resourceTypes,
      );
  }
  const driver = query.resourceType ? drivingFilter(query.filters) : undefined;
  // The other filters are checked on the driver's index rows, inside its id list, so a resource
  // row is read only for the ids that pass them all (a patient's twenty Observations narrowed to
  // the two with one code: two row reads, not twenty). `_lastUpdated` is a column of the row.
  const onDriver =
    driver && ((driver.kind === 'index' && !driver.negate) || driver.kind === 'compartment')
      ? query.filters.filter((f) => f !== driver && f.kind !== 'lastUpdated')
      : [];
  for (const filter of query.filters) {
    if (onDriver.includes(filter)) continue;
    where.push(' AND ');
    if (filter === driver && onDriver.length > 0) {
      where.push('r.id IN (');
      positive(where, filter, now, DRIVER);
      for (const other of onDriver) {
        where.push(' AND ');
        condition(where, other, now, false, DRIVER);
      }
      where.push(')');
    } else condition(where, filter, now, filter === driver);
  }
  const order = new SqlBuilder();
  sortClause(order, query.sort, !query.resourceType);
  return {
    page: {
      sql: `SELECT r.id, r.content FROM resources r WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
      // One row more than asked tells whether there is a next page.
      args: [...where.args, ...order.args, query.count + 1, query.offset],
    },
    count: { sql: `SELECT COUNT(*) AS n FROM resources r WHERE ${where.sql}`, args: [...where.args] },
  };
}

/**
 * The common search on one parameter in the default order, answered from the value index alone:
 * the page of ids is chosen (distinct, ordered, limited) inside the covering index before any
 * resource row is read, and the total is counted there too. Index rows exist only for current,
 * non-deleted versions (see schema.ts), so counting them needs no join with `resources`.
 */
function compileSingleIndexSearch(
  query: SearchQuery,
  filter: Extract<Filter, { kind: 'index' }>,
  now: number,
): { page: Sql; count: Sql } {
  const ids = new SqlBuilder();
  positive(ids, filter, now);
  return {
    page: {
      sql: `SELECT r.id, r.content FROM resources r WHERE r.resource_type = ? AND r.deleted = 0 AND r.id IN (
        SELECT DISTINCT resource_id FROM (${ids.sql}) m ORDER BY resource_id LIMIT ? OFFSET ?) ORDER BY r.id ASC`,
      args: [query.resourceType, ...ids.args, query.count + 1, query.offset],
    },
    count: { sql: `SELECT COUNT(DISTINCT resource_id) AS n FROM (${ids.sql}) m`, args: [...ids.args] },
  };
}

/** Appends SQL fragments and their arguments together, so placeholders stay in order. */
class SqlBuilder {
  sql = '';
  args: SqlValue[] = [];
  push(sql: string, ...args: SqlValue[]): void {
    this.sql += sql;
    this.args.push(...args);
  }
}

/**
 * The filter whose matches are looked up first: the one likely to match fewest resources. Without
 * statistics, SQLite would otherwise pick any `IN` and materialise large sets for the others; the
 * rest become correlated EXISTS checks on the matches of the driver.
 */
function drivingFilter(filters: readonly Filter[]): Filter | undefined {
  let best: Filter | undefined;
  let bestRank = Infinity;
  for (const filter of filters) {
    const rank = selectivityRank(filter);
    if (rank < bestRank) [best, bestRank] = [filter, rank];
  }
  return best;
}

function selectivityRank(filter: Filter): number {
  switch (filter.kind) {
    case 'id':
      return 0;
    case 'index': {
      if (filter.negate) return Infinity;
      const first = filter.values[0];
      if (filter.table === 'reference' || filter.table === 'uri') return 1;
      if (first?.type === 'token' && first.code !== undefined) return 2;
      if (first?.type === 'string') return first.mode === 'contains' ? 6 : 3;
      return 5;
    }
    case 'compartment':
      return 1;
    case 'chain':
    case 'has':
      return 4;
    case 'lastUpdated':
      return 7;
    case 'missing':
      return Infinity;
  }
}

/**
 * Whose type and id a condition is on: the resource row `r`, or the driving filter's index row `d`
 * (index rows exist only for current, non-deleted versions, so `d` stands for a live resource).
 */
interface RowRef {
  type: string;
  id: string;
  /** The alias of the driving index table, when this is the driver's row. */
  alias?: string;
}
const RESOURCE: RowRef = { type: 'r.resource_type', id: 'r.id' };
const DRIVER: RowRef = { type: 'd.resource_type', id: 'd.resource_id', alias: 'd' };

/** A condition on the resource `row` for one filter; `drive` marks the filter looked up first. */
function condition(b: SqlBuilder, filter: Filter, now: number, drive = false, row = RESOURCE): void {
  switch (filter.kind) {
    case 'id':
      b.push(`${row.id} IN (${filter.ids.map(() => '?').join(', ')})`, ...filter.ids);
      return;
    case 'lastUpdated':
      if (row !== RESOURCE) throw new Error('_lastUpdated is a condition on the resource row');
      orTree(
        b,
        filter.values.map(
          (v) => (b: SqlBuilder) =>
            dateCondition(b, 'r.last_updated', 'r.last_updated', v.prefix, v.range, now),
        ),
      );
      return;
    case 'missing':
      b.push(filter.missing ? 'NOT EXISTS (' : 'EXISTS (');
      rowsOf(b, filter.table, filter.param, row);
      b.push(')');
      return;
    case 'compartment':
      if (drive) break;
      b.push(
        `EXISTS (SELECT 1 FROM sp_reference t WHERE t.resource_type = ${row.type} AND t.resource_id = ${row.id}
          AND t.target_type = ? AND t.target_id = ? AND `,
        filter.targetType,
        filter.targetId,
      );
      orTree(
        b,
        filter.groups.map((group) => (b: SqlBuilder) => {
          b.push(`(t.resource_type IN (${list(group.types)}) AND t.param IN (${list(group.params)}))`);
          b.push('', ...group.types, ...group.params);
        }),
      );
      b.push(')');
      return;
    case 'index':
      if (drive && !filter.negate) break;
      b.push(filter.negate ? 'NOT EXISTS (' : 'EXISTS (');
      rowsOf(b, filter.table, filter.param, row);
      b.push(' AND (');
      valueConditions(b, filter.values, now);
      b.push('))');
      return;
    default:
      break;
  }
  b.push(`${row.id} IN (`);
  positive(b, filter, now);
  b.push(')');
}

/**
 * The index rows of one parameter of the resource `r`. `param || ''` keeps the engine on the
 * (resource_type, resource_id) index rather than the value index, which is the wrong one here.
 */
function rowsOf(b: SqlBuilder, table: SearchParamType, param: string, row: RowRef): void {
  b.push(
    `SELECT 1 FROM ${INDEX_TABLE[table]} t WHERE t.resource_type = ${row.type} AND t.resource_id = ${row.id} AND t.param || '' = ?`,
    param,
  );
}

/**
 * The values of one parameter, ORed (R4 §3.1.1.6 comma). Values that differ only in a key are
 * grouped into one `IN` list, and the rest are ORed as a balanced tree: a long list (thousands
 * of ids) stays far below SQLite's expression depth limit of 1000.
 */
function valueConditions(b: SqlBuilder, values: readonly ValueCondition[], now: number): void {
  const terms: Array<(b: SqlBuilder) => void> = [];
  const lists = new Map<string, { head: string; headArgs: SqlValue[]; column: string; values: SqlValue[] }>();
  const inList = (key: string, head: string, headArgs: SqlValue[], column: string, value: SqlValue): void => {
    let list = lists.get(key);
    if (!list) {
      lists.set(key, (list = { head, headArgs, column, values: [] }));
      const group = list;
      terms.push((b) => {
        b.push(
          `(${group.head}${group.column} IN (${group.values.map(() => '?').join(', ')}))`,
          ...group.headArgs,
          ...group.values,
        );
      });
    }
    list.values.push(value);
  };
  for (const v of values) {
    if (v.type === 'token' && v.text === undefined && v.code !== undefined) {
      if (v.system === undefined) inList('code', '', [], 'code', v.code);
      else inList(`system|${v.system}`, 'system = ? AND ', [v.system], 'code', v.code);
    } else if (v.type === 'reference' && v.url === undefined && v.targetId !== undefined) {
      if (v.targetType === undefined) inList('target', '', [], 'target_id', v.targetId);
      else inList(`type|${v.targetType}`, 'target_type = ? AND ', [v.targetType], 'target_id', v.targetId);
    } else if (v.type === 'reference' && v.url !== undefined) inList('url', '', [], 'url', v.url);
    else if (v.type === 'string' && v.mode === 'exact') inList('exact', '', [], 'exact', v.value);
    else if (v.type === 'uri' && v.mode === 'exact' && v.value.includes('|'))
      inList('uri', '', [], 'value', v.value);
    else terms.push((b) => valueCondition(b, v, now));
  }
  orTree(b, terms);
}

/** `a OR b OR c …` nested as a balanced tree, so its depth grows with the log of its length. */
function orTree(b: SqlBuilder, terms: ReadonlyArray<(b: SqlBuilder) => void>): void {
  const [only] = terms;
  if (only && terms.length === 1) return only(b);
  const half = terms.length >> 1;
  b.push('(');
  orTree(b, terms.slice(0, half));
  b.push(' OR ');
  orTree(b, terms.slice(half));
  b.push(')');
}

/** A SELECT of the ids of `filter.resourceType` that satisfy the filter (for chains and `_has`). */
function selectIds(b: SqlBuilder, filter: Filter, now: number): void {
  if ((filter.kind === 'index' && filter.negate) || filter.kind === 'missing') {
    b.push(
      'SELECT r.id FROM resources r WHERE r.resource_type = ? AND r.deleted = 0 AND ',
      filter.resourceType,
    );
    condition(b, filter, now);
  } else positive(b, filter, now);
}

/**
 * The ids that have a matching value, ignoring `:not`. With `row` (the driver's alias, for index
 * and compartment filters) the index table is named by it, so conditions can be appended on it.
 */
function positive(b: SqlBuilder, filter: Filter, now: number, row?: RowRef): void {
  const d = row?.alias ? `${row.alias}.` : '';
  const as = row?.alias ? ` ${row.alias}` : '';
  switch (filter.kind) {
    case 'id':
      b.push(
        `SELECT id FROM resources WHERE resource_type = ? AND deleted = 0 AND id IN (${filter.ids.map(() => '?').join(', ')})`,
        filter.resourceType,
        ...filter.ids,
      );
      return;
    case 'lastUpdated':
      b.push('SELECT id FROM resources WHERE resource_type = ? AND deleted = 0 AND (', filter.resourceType);
      orTree(
        b,
        filter.values.map(
          (v) => (b: SqlBuilder) => dateCondition(b, 'last_updated', 'last_updated', v.prefix, v.range, now),
        ),
      );
      b.push(')');
      return;
    case 'index':
      b.push(
        `SELECT ${d}resource_id FROM ${INDEX_TABLE[filter.table]}${as} WHERE ${d}resource_type = ? AND ${d}param = ? AND (`,
        filter.resourceType,
        filter.param,
      );
      valueConditions(b, filter.values, now);
      b.push(')');
      return;
    case 'chain':
      b.push(
        'SELECT resource_id FROM sp_reference WHERE resource_type = ? AND param = ? AND (',
        filter.resourceType,
        filter.param,
      );
      orTree(
        b,
        filter.targets.map(({ targetType, inner }) => (b: SqlBuilder) => {
          b.push('(target_type = ? AND target_id IN (', targetType);
          selectIds(b, inner, now);
          b.push('))');
        }),
      );
      b.push(')');
      return;
    case 'has':
      b.push(
        'SELECT target_id FROM sp_reference WHERE resource_type = ? AND param = ? AND target_type = ? AND resource_id IN (',
        filter.sourceType,
        filter.sourceParam,
        filter.resourceType,
      );
      selectIds(b, filter.inner, now);
      b.push(')');
      return;
    case 'compartment': {
      // Driving only in a search of one type: one group.
      const params = filter.groups[0]?.params ?? [];
      b.push(
        `SELECT ${d}resource_id FROM sp_reference${as} WHERE ${d}target_type = ? AND ${d}target_id = ? AND ${d}resource_type = ?
          AND ${d}param IN (${list(params)})`,
        filter.targetType,
        filter.targetId,
        filter.resourceType,
        ...params,
      );
      return;
    }
    case 'missing':
      throw new Error('a :missing filter has no positive form');
  }
}

function valueCondition(b: SqlBuilder, v: ValueCondition, now: number): void {
  switch (v.type) {
    case 'string':
      if (v.mode === 'exact') b.push('exact = ?', v.value);
      else if (v.mode === 'contains') b.push("norm LIKE ? ESCAPE '\\'", `%${escapeLike(v.value)}%`);
      else prefixCondition(b, 'norm', v.value);
      return;
    case 'token': {
      if (v.text !== undefined) return prefixCondition(b, 'text', v.text);
      if (v.code !== undefined && v.system !== undefined)
        b.push('(code = ? AND system = ?)', v.code, v.system);
      else if (v.code !== undefined) b.push('code = ?', v.code);
      else b.push('system = ?', v.system ?? '');
      return;
    }
    case 'date':
      dateCondition(b, 'lo', 'hi', v.prefix, v.range, now);
      return;
    case 'number':
      numberCondition(b, v);
      return;
    case 'quantity':
      b.push('(');
      numberCondition(b, v);
      if (v.system !== undefined) b.push(' AND system = ?', v.system);
      if (v.code !== undefined) b.push(' AND code = ?', v.code);
      b.push(')');
      return;
    case 'reference':
      if (v.url !== undefined) b.push('url = ?', v.url);
      else if (v.targetType !== undefined)
        b.push('(target_type = ? AND target_id = ?)', v.targetType, v.targetId ?? '');
      else b.push('target_id = ?', v.targetId ?? '');
      return;
    case 'uri':
      // A canonical without `|version` matches every version of it (R4 §3.1.1.4.9 canonical).
      if (v.mode === 'exact' && !v.value.includes('|'))
        b.push("(value = ? OR value LIKE ? ESCAPE '\\')", v.value, `${escapeLike(v.value)}|%`);
      else if (v.mode === 'exact') b.push('value = ?', v.value);
      else if (v.mode === 'below' && v.value.includes('|'))
        // A canonical's version `:below` (R4 §3.1.1.4.9): `url|1.2` matches 1.2 and 1.2.x.
        b.push("(value = ? OR value LIKE ? ESCAPE '\\')", v.value, `${escapeLike(v.value)}.%`);
      else if (v.mode === 'below')
        b.push(
          "(value = ? OR value LIKE ? ESCAPE '\\')",
          v.value,
          `${escapeLike(v.value.replace(/\/$/, ''))}/%`,
        );
      else {
        // :above matches the value and every parent path of it (R4 §3.1.1.5.6).
        const ancestors = uriAncestors(v.value);
        b.push(`value IN (${ancestors.map(() => '?').join(', ')})`, ...ancestors);
      }
      return;
  }
}

/**
 * Prefix match on a normalised column. A range on the column (`>= v AND < v'`) lets the index
 * serve it; the `substr` keeps the result exact whatever the engine's collation. The range is
 * only added when incrementing the last character stays a letter or digit, where every collation
 * we meet orders as the code points do.
 */
function prefixCondition(b: SqlBuilder, column: string, value: string): void {
  const last = value.at(-1) ?? '';
  if (/[a-y0-8]/.test(last)) {
    const upper = value.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1);
    b.push(
      `(${column} >= ? AND ${column} < ? AND substr(${column}, 1, ?) = ?)`,
      value,
      upper,
      value.length,
      value,
    );
  } else b.push(`substr(${column}, 1, ?) = ?`, value.length, value);
}

/**
 * Date prefixes over ranges (R4 §3.1.1.4.3, table of prefixes): the resource's value is the range
 * [lo, hi] (hi NULL: open-ended), the search value the range [s.lo, s.hi] of its precision.
 */
function dateCondition(
  b: SqlBuilder,
  lo: string,
  hi: string,
  prefix: Prefix,
  range: { lo: number; hi: number },
  now: number,
): void {
  const hiOpen = `${hi} IS NULL`;
  const contained = `(${lo} >= ? AND ${hi} <= ?)`;
  switch (prefix) {
    case 'eq':
      b.push(contained, range.lo, range.hi);
      return;
    case 'ne':
      b.push(`(${lo} < ? OR ${hiOpen} OR ${hi} > ?)`, range.lo, range.hi);
      return;
    case 'gt':
      b.push(`(${hiOpen} OR ${hi} > ?)`, range.hi);
      return;
    case 'lt':
      b.push(`${lo} < ?`, range.lo);
      return;
    case 'ge':
      b.push(`(${hiOpen} OR ${hi} > ? OR ${contained})`, range.hi, range.lo, range.hi);
      return;
    case 'le':
      b.push(`(${lo} < ? OR ${contained})`, range.lo, range.lo, range.hi);
      return;
    case 'sa':
      b.push(`${lo} > ?`, range.hi);
      return;
    case 'eb':
      b.push(`${hi} < ?`, range.lo);
      return;
    case 'ap': {
      // "Approximately": 10% of the distance from now, at least the value's own precision.
      const margin = Math.round(Math.abs(now - range.lo) * 0.1);
      b.push(`(${lo} <= ? AND (${hiOpen} OR ${hi} >= ?))`, range.hi + margin, range.lo - margin);
      return;
    }
  }
}

/** Number prefixes (R4 §3.1.1.4.10): eq/ne use the implicit precision range of the search value. */
function numberCondition(b: SqlBuilder, v: { prefix: Prefix; value: number; lo: number; hi: number }): void {
  switch (v.prefix) {
    case 'eq':
      b.push('(value >= ? AND value < ?)', v.lo, v.hi);
      return;
    case 'ne':
      b.push('(value < ? OR value >= ?)', v.lo, v.hi);
      return;
    case 'gt':
    case 'sa':
      b.push('value > ?', v.value);
      return;
    case 'lt':
    case 'eb':
      b.push('value < ?', v.value);
      return;
    case 'ge':
      b.push('value >= ?', v.value);
      return;
    case 'le':
      b.push('value <= ?', v.value);
      return;
    case 'ap': {
      const margin = Math.abs(v.value) * 0.1;
      b.push('(value >= ? AND value <= ?)', v.value - margin, v.value + margin);
      return;
    }
  }
}

const SORT_COLUMN: Record<SearchParamType, string> = {
  string: 'norm',
  token: 'code',
  date: 'lo',
  reference: 'target_id',
  number: 'value',
  quantity: 'value',
  uri: 'value',
};

/**
 * ORDER BY for `_sort` (R4 §3.1.1.5.5). A parameter with several values sorts by its lowest
 * (ascending) or highest (descending) value; resources without one come last on both engines;
 * `r.id` breaks ties so paging is stable.
 */
function sortClause(b: SqlBuilder, sort: readonly SortKey[], system = false): void {
  const terms: string[] = [];
  for (const key of sort) {
    const direction = key.descending ? 'DESC' : 'ASC';
    if (key.column === 'id') terms.push(`r.id ${direction}`);
    else if (key.column === 'lastUpdated') terms.push(`r.last_updated ${direction}`);
    if (key.column === 'index') {
      const value = `(SELECT ${key.descending ? 'MAX' : 'MIN'}(s.${SORT_COLUMN[key.table]}) FROM ${INDEX_TABLE[key.table]} s
        WHERE s.resource_type = r.resource_type AND s.resource_id = r.id AND s.param || '' = ?)`;
      b.push('', key.param, key.param);
      terms.push(`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`, `${value} ${direction}`);
    }
  }
  if (system) terms.push('r.resource_type ASC');
  if (!sort.some((k) => k.column === 'id')) terms.push('r.id ASC');
  b.push(terms.join(', '));
}

/** `?, ?, ?` for a list of values. */
const list = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function uriAncestors(uri: string): string[] {
  const parts = uri.split('/');
  const ancestors: string[] = [];
  for (let i = parts.length; i > 3; i--) ancestors.push(parts.slice(0, i).join('/'));
  return ancestors.length ? ancestors : [uri];
}
