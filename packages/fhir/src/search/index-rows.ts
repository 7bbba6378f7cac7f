/**
 * Search values extracted from a resource at write time (one row per value), stored in one table
 * per search-parameter type. Search never scans resource JSON: it queries these tables.
 *
 * Normalisation (done by the extractor, relied on by the query builder):
 * - string: `norm` is lower-cased, accents removed (NFD, combining marks stripped); `exact` as written.
 * - token:  `system` ('' when absent), `code`, `text` normalised like string.norm (display/text).
 * - date:   `lo`/`hi` are epoch milliseconds of the implicit range (a partial date "2020-03"
 *           covers [2020-03-01T00:00:00.000Z, 2020-03-31T23:59:59.999Z]); `hi` is null when open.
 * - reference: `targetType`/`targetId` for relative literals ("Patient/123"); `url` is the
 *           reference as written (absolute URLs, canonicals).
 * - quantity: `value` in the stated unit, `system` and `code` ('' when absent).
 */
export type IndexRow =
  | { kind: 'string'; param: string; norm: string; exact: string }
  | { kind: 'token'; param: string; system: string; code: string; text: string }
  | { kind: 'date'; param: string; lo: number; hi: number | null }
  | { kind: 'reference'; param: string; targetType: string; targetId: string; url: string }
  | { kind: 'number'; param: string; value: number }
  | { kind: 'quantity'; param: string; value: number; system: string; code: string }
  | { kind: 'uri'; param: string; value: string };

export type IndexKind = IndexRow['kind'];

/** Table name per index kind. Every index table starts with (resource_type, resource_id, param). */
export const INDEX_TABLE: Record<IndexKind, string> = {
  string: 'sp_string',
  token: 'sp_token',
  date: 'sp_date',
  reference: 'sp_reference',
  number: 'sp_number',
  quantity: 'sp_quantity',
  uri: 'sp_uri',
};
