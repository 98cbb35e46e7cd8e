-- pg_chameleon 1.0 -> 1.1: chameleon.binlog_events, the binlog file decoder in SQL.

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.1'" to load this file. \quit

CREATE FUNCTION chameleon.binlog_events(p_path text, p_start_position bigint DEFAULT 0,
	p_max_events bigint DEFAULT NULL,
	OUT "position" bigint, OUT event_type text, OUT event_time timestamptz, OUT server_id bigint,
	OUT end_position bigint, OUT in_payload boolean, OUT schema_name text, OUT table_name text,
	OUT info text, OUT rows jsonb)
RETURNS SETOF record LANGUAGE c CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_binlog_events';
COMMENT ON FUNCTION chameleon.binlog_events(text, bigint, bigint) IS
	'decodes a MySQL/MariaDB binlog file on the server: one row per event, row images as jsonb (superuser only)';
REVOKE ALL ON FUNCTION chameleon.binlog_events(text, bigint, bigint) FROM PUBLIC;
