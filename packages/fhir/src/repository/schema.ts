/**
 * Tables of the FHIR store, in the SQL subset shared by SQLite and PostgreSQL.
 * `resources` holds the current version; `resource_versions` every version (for vread/_history).
 * The sp_* tables hold search values of current, non-deleted versions only (see search/index-rows.ts).
 * Timestamps are epoch milliseconds (BIGINT).
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
CREATE TABLE IF NOT EXISTS sp_string (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  norm TEXT NOT NULL, exact TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_string_cover ON sp_string (resource_type, param, norm, resource_id);
CREATE INDEX IF NOT EXISTS sp_string_res ON sp_string (resource_type, resource_id);
CREATE TABLE IF NOT EXISTS sp_token (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  system TEXT NOT NULL, code TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_token_cover ON sp_token (resource_type, param, code, system, resource_id);
CREATE INDEX IF NOT EXISTS sp_token_res ON sp_token (resource_type, resource_id);
CREATE TABLE IF NOT EXISTS sp_date (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  lo BIGINT NOT NULL, hi BIGINT
);
CREATE INDEX IF NOT EXISTS sp_date_cover ON sp_date (resource_type, param, lo, hi, resource_id);
CREATE INDEX IF NOT EXISTS sp_date_res ON sp_date (resource_type, resource_id);
CREATE TABLE IF NOT EXISTS sp_reference (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  target_type TEXT NOT NULL, target_id TEXT NOT NULL, url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_reference_cover ON sp_reference (resource_type, param, target_id, target_type, resource_id);
CREATE INDEX IF NOT EXISTS sp_reference_target ON sp_reference (target_type, target_id);
CREATE INDEX IF NOT EXISTS sp_reference_res ON sp_reference (resource_type, resource_id);
CREATE TABLE IF NOT EXISTS sp_number (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_number_cover ON sp_number (resource_type, param, value, resource_id);
CREATE INDEX IF NOT EXISTS sp_number_res ON sp_number (resource_type, resource_id);
CREATE TABLE IF NOT EXISTS sp_quantity (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL, system TEXT NOT NULL, code TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_quantity_cover ON sp_quantity (resource_type, param, value, resource_id);
CREATE INDEX IF NOT EXISTS sp_quantity_res ON sp_quantity (resource_type, resource_id);
CREATE TABLE IF NOT EXISTS sp_uri (
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, param TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sp_uri_cover ON sp_uri (resource_type, param, value, resource_id);
CREATE INDEX IF NOT EXISTS sp_uri_res ON sp_uri (resource_type, resource_id);
DROP INDEX IF EXISTS sp_string_value;
DROP INDEX IF EXISTS sp_token_value;
DROP INDEX IF EXISTS sp_date_value;
DROP INDEX IF EXISTS sp_reference_value;
DROP INDEX IF EXISTS sp_number_value;
DROP INDEX IF EXISTS sp_quantity_value;
DROP INDEX IF EXISTS sp_uri_value;
`;
