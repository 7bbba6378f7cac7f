import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Queryable, SqlValue } from '@ketenlog/storage';
import type { IndexRow } from '../search/index-rows.ts';
import type { SearchRequest } from './repository.ts';
import type { SearchIndex } from './search-index.ts';

/**
 * A deliberately tiny SearchIndex for the repository's own tests, so they do not depend on the
 * search module: it indexes `identifier` (token) and `subject`/`patient` (reference), and
 * searches `identifier=[system|]value` and `_id`.
 */
export function fixtureSearchIndex(): SearchIndex {
  return {
    extract(resource: Resource): IndexRow[] {
      const r = resource as Resource & {
        identifier?: { system?: string; value?: string }[];
        subject?: { reference?: string };
        patient?: { reference?: string };
      };
      const rows: IndexRow[] = [];
      for (const id of r.identifier ?? []) {
        if (id.value)
          rows.push({
            kind: 'token',
            param: 'identifier',
            system: id.system ?? '',
            code: id.value,
            text: '',
          });
      }
      for (const param of ['subject', 'patient'] as const) {
        const reference = r[param]?.reference;
        const [targetType, targetId] = reference?.split('/') ?? [];
        if (reference && targetType && targetId)
          rows.push({ kind: 'reference', param, targetType, targetId, url: reference });
      }
      return rows;
    },
    async search(db: Queryable, request: SearchRequest): Promise<Bundle> {
      const where = ['r.resource_type = ?', 'r.deleted = 0'];
      const args: SqlValue[] = [request.resourceType];
      let count = 100;
      for (const [name, value] of request.params) {
        if (name === '_count') count = Number(value);
        else if (name === '_id') {
          where.push('r.id = ?');
          args.push(value);
        } else if (name === 'identifier') {
          const [system, code] = value.includes('|') ? value.split('|') : [undefined, value];
          where.push(
            `EXISTS (SELECT 1 FROM sp_token t WHERE t.resource_type = r.resource_type AND t.resource_id = r.id
             AND t.param = 'identifier' AND t.code = ?${system === undefined ? '' : ' AND t.system = ?'})`,
          );
          args.push(code, ...(system === undefined ? [] : [system]));
        } else throw new Error(`fixture index cannot search ${name}`);
      }
      const rows = await db.all<{ content: string }>(
        `SELECT r.content FROM resources r WHERE ${where.join(' AND ')} ORDER BY r.id LIMIT ?`,
        [...args, count],
      );
      return {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: rows.map((row) => ({
          resource: JSON.parse(row.content) as Resource,
          search: { mode: 'match' },
        })),
      };
    },
  };
}
