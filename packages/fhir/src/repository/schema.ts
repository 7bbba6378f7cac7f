/**
 * Tables of the FHIR store, in the SQL subset shared by SQLite and PostgreSQL.
 * `resources` holds the current version; `resource_versions` every version (for vread/_history).
 * The sp_* tables hold search values of current, non-deleted versions only (see search/index-rows.ts).
 * Timestamps are epoch milliseconds (BIGINT).
 *
 * Each index table has two covering indexes: `_cover` (type, param, value…, resource_id) finds the
 * resources with a value; `_of` (type, resource_id, param, value…) checks one resource's values
 * (correlated EXISTS, sorting, re-indexing). Both answer without reading the table.
 */
export const FHIR_SCHEMA = `
CREATE TABLE IF NOT EXISTS resources (
  resource_type TEXT NOT NULL,
  id TEXT NOT NULL,
  version_id BIGINT NOT NULL,
  last_updated BIGINT NOT NULL,
  deleted BIGINT NOT NULL DEFAULT 0,
  content TEXT NOT NULL,
  PRIMARY KEY (resource_type, id)
);
CREATE INDEX IF NOT EXISTS resources_updated ON resources (resource_type, last_updated);
CREATE TABLE IF NOT EXISTS resource_versions (
  resource_type TEXT NOT NULL,
  id TEXT NOT NULL,
  version_id BIGINT NOT NULL,
  last_updated BIGINT NOT NULL,
  deleted BIGINT NOT NULL DEFAULT 0,
  method TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (resource_type, id, version_id)
);
CREATE INDEX IF NOT EXISTS resource_versions_type_updated ON resource_versions (resource_type, last_updated);
CREATE INDEX IF NOT EXISTS resource_versions_updated ON resource_versions (last_updated);
CREATE INDEX IF NOT EXISTS resources_all_updated ON resources (last_updated);
CREATE TABLE IF NOT EXISTS sp_string (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  norm TEXT NOT NULL, exact TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_string_cover ON sp_string (resource_type, param, norm, resource_id);
CREATE INDEX IF NOT EXISTS sp_string_of ON sp_string (resource_type, resource_id, param, norm, exact);
CREATE TABLE IF NOT EXISTS sp_token (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  system TEXT NOT NULL, code TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_token_cover ON sp_token (resource_type, param, code, system, resource_id);
CREATE INDEX IF NOT EXISTS sp_token_of ON sp_token (resource_type, resource_id, param, code, system);
CREATE TABLE IF NOT EXISTS sp_date (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  lo BIGINT NOT NULL, hi BIGINT
);
CREATE INDEX IF NOT EXISTS sp_date_cover ON sp_date (resource_type, param, lo, hi, resource_id);
CREATE INDEX IF NOT EXISTS sp_date_of ON sp_date (resource_type, resource_id, param, lo, hi);
CREATE TABLE IF NOT EXISTS sp_reference (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  target_type TEXT NOT NULL, target_id TEXT NOT NULL, url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_reference_cover ON sp_reference (resource_type, param, target_id, target_type, resource_id);
CREATE INDEX IF NOT EXISTS sp_reference_target_cover ON sp_reference (target_type, target_id, resource_type, resource_id);
CREATE INDEX IF NOT EXISTS sp_reference_of ON sp_reference (resource_type, resource_id, param, target_type, target_id);
CREATE TABLE IF NOT EXISTS sp_number (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_number_cover ON sp_number (resource_type, param, value, resource_id);
CREATE INDEX IF NOT EXISTS sp_number_of ON sp_number (resource_type, resource_id, param, value);
CREATE TABLE IF NOT EXISTS sp_quantity (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL, system TEXT NOT NULL, code TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_quantity_cover ON sp_quantity (resource_type, param, value, resource_id);
CREATE INDEX IF NOT EXISTS sp_quantity_of ON sp_quantity (resource_type, resource_id, param, value, system, code);
CREATE TABLE IF NOT EXISTS sp_uri (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_uri_cover ON sp_uri (resource_type, param, value, resource_id);
CREATE INDEX IF NOT EXISTS sp_uri_of ON sp_uri (resource_type, resource_id, param, value);
DROP INDEX IF EXISTS sp_string_value;
DROP INDEX IF EXISTS sp_string_res;
DROP INDEX IF EXISTS sp_token_value;
DROP INDEX IF EXISTS sp_token_res;
DROP INDEX IF EXISTS sp_date_value;
DROP INDEX IF EXISTS sp_date_res;
DROP INDEX IF EXISTS sp_reference_value;
DROP INDEX IF EXISTS sp_reference_res;
DROP INDEX IF EXISTS sp_reference_target;
DROP INDEX IF EXISTS sp_number_value;
DROP INDEX IF EXISTS sp_number_res;
DROP INDEX IF EXISTS sp_quantity_value;
DROP INDEX IF EXISTS sp_quantity_res;
DROP INDEX IF EXISTS sp_uri_value;
DROP INDEX IF EXISTS sp_uri_res;
`;
