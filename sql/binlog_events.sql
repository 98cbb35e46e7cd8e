-- chameleon.binlog_events decodes the fixture binlogs written by real MySQL and MariaDB
-- servers (test/lib/sandbox.sh stage_fixtures copies them where the server can read them).
\getenv fixtures CHAMELEON_FIXTURES
\set rust :fixtures '/rust_mysql_common/'

-- every event of a MySQL 9 binlog with JSON opaque values, and its 8 rows
SELECT "position", event_type, schema_name, table_name, info, rows
FROM chameleon.binlog_events(:'rust' || 'json-opaque.binlog');

-- INT UNSIGNED above 2^31 with minimal row metadata (signedness bitmap)
SELECT rows FROM chameleon.binlog_events(:'rust' || 'minimal_row_metadata.000001')
WHERE event_type = 'write_rows_v2';

-- negative TIME2
SELECT rows FROM chameleon.binlog_events(:'rust' || 'time_issue.000001') WHERE rows IS NOT NULL;

-- CHAR(128) utf8mb4, ENUM, SET and TEXT with full row metadata: insert, update, delete
SELECT event_type, rows FROM chameleon.binlog_events(:'rust' || 'mysql-enum-string-set.000001')
WHERE rows IS NOT NULL;

-- BIT(3) and BIT(8)
SELECT rows FROM chameleon.binlog_events(:'rust' || 'mysql_type_bit.000001') WHERE rows IS NOT NULL;

-- a MySQL 8 compressed transaction: the payload, then its inner events
SELECT "position", event_type, in_payload, table_name, rows
FROM chameleon.binlog_events(:'rust' || 'transaction_compression.000001')
WHERE "position" >= 274;

-- tagged GTIDs of MySQL 8.4+
SELECT event_type, info FROM chameleon.binlog_events(:'rust' || 'binlog_transaction_with_GTID_TAG.000001')
WHERE event_type LIKE '%gtid%';

-- a MariaDB binlog: GTID list, checkpoint, GTID, annotate, v1 rows
SELECT event_type, schema_name, table_name, info, rows
FROM chameleon.binlog_events(:'rust' || 'mariadb-bin.000001');

-- binlog_checksum=NONE (MySQL 5.7): event counts
SELECT event_type, count(*) FROM chameleon.binlog_events(:'fixtures' || '/mysql_binlog_connector_java/mysql-bin.checksum-none')
GROUP BY 1 ORDER BY 1;

-- start position and event limit
SELECT "position", event_type FROM chameleon.binlog_events(:'rust' || 'json-opaque.binlog', 682, 3);

-- a truncated file: the events before the damage, then an error row that says what is wrong
-- (paths below the fixture directory are shown relative to it)
SELECT "position", event_type, replace(info, :'fixtures', '<fixtures>') AS info
FROM chameleon.binlog_events(:'fixtures' || '/truncated.binlog')
ORDER BY "position" DESC LIMIT 2;

-- errors
CREATE FUNCTION pg_temp.failure(p_path text, p_fixtures text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_state text; v_message text; v_hint text;
BEGIN
	PERFORM count(*) FROM chameleon.binlog_events(p_path);
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
	RETURN format('%s %s | hint: %s', v_state, replace(v_message, p_fixtures, '<fixtures>'), v_hint);
END;
$$;
SELECT pg_temp.failure('/nonexistent/mysql-bin.000001', :'fixtures');
SELECT pg_temp.failure(:'fixtures' || '/rust_mysql_common/README.md', :'fixtures');
SELECT * FROM chameleon.binlog_events('/nonexistent/mysql-bin.000001');
CREATE ROLE chameleon_regress_reader;
GRANT USAGE ON SCHEMA chameleon TO chameleon_regress_reader;
GRANT EXECUTE ON FUNCTION chameleon.binlog_events(text, bigint, bigint) TO chameleon_regress_reader;
SET ROLE chameleon_regress_reader;
SELECT * FROM chameleon.binlog_events(:'rust' || 'json-opaque.binlog');
RESET ROLE;
DROP OWNED BY chameleon_regress_reader;
DROP ROLE chameleon_regress_reader;
