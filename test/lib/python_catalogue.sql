-- The catalogue of the Python pg_chameleon 2.0 (catalogue version 2.0.10, schema sch_chameleon):
-- its types, tables, sequences, indexes, keys and the v_version view, as the Python tool creates
-- them, without its functions and other views. Tests load it, then the rows of
-- test/fixtures/python-catalogue/catalogue-data.sql, to import them (doc/migrating.md).
CREATE SCHEMA sch_chameleon;

CREATE TYPE sch_chameleon.en_src_status AS ENUM
	('ready', 'initialising', 'initialised', 'syncing', 'synced', 'stopped', 'running', 'error');
CREATE TYPE sch_chameleon.en_binlog_event AS ENUM ('delete', 'update', 'insert', 'ddl');
CREATE TYPE sch_chameleon.en_src_type AS ENUM ('mysql', 'pgsql');
CREATE TYPE sch_chameleon.ty_replay_status AS (b_continue boolean, b_error boolean, v_table_error character varying[]);

CREATE VIEW sch_chameleon.v_version AS SELECT '2.0.10'::text AS t_version;

CREATE TABLE sch_chameleon.t_sources (
	i_id_source bigserial,
	t_source text NOT NULL,
	jsb_schema_mappings jsonb NOT NULL,
	enm_status sch_chameleon.en_src_status NOT NULL DEFAULT 'ready',
	t_binlog_name text,
	i_binlog_position bigint,
	b_consistent boolean NOT NULL DEFAULT true,
	b_paused boolean NOT NULL DEFAULT false,
	b_maintenance boolean NOT NULL DEFAULT false,
	ts_last_maintenance timestamp without time zone,
	enm_source_type sch_chameleon.en_src_type NOT NULL,
	v_log_table character varying[],
	CONSTRAINT pk_t_sources PRIMARY KEY (i_id_source)
);
CREATE UNIQUE INDEX idx_t_sources_t_source ON sch_chameleon.t_sources (t_source);

CREATE TABLE sch_chameleon.t_last_received (
	i_id_source bigserial,
	b_paused boolean NOT NULL DEFAULT false,
	ts_last_received timestamp without time zone,
	CONSTRAINT pk_t_last_received PRIMARY KEY (i_id_source),
	CONSTRAINT fk_last_received_id_source FOREIGN KEY (i_id_source)
		REFERENCES sch_chameleon.t_sources (i_id_source) ON UPDATE RESTRICT ON DELETE CASCADE
);

CREATE TABLE sch_chameleon.t_last_replayed (
	i_id_source bigserial,
	b_paused boolean NOT NULL DEFAULT false,
	ts_last_replayed timestamp without time zone,
	CONSTRAINT pk_t_last_replayed PRIMARY KEY (i_id_source),
	CONSTRAINT fk_last_replayed_id_source FOREIGN KEY (i_id_source)
		REFERENCES sch_chameleon.t_sources (i_id_source) ON UPDATE RESTRICT ON DELETE CASCADE
);

CREATE TABLE sch_chameleon.t_replica_batch (
	i_id_batch bigserial,
	i_id_source bigint NOT NULL,
	t_binlog_name text,
	v_log_table character varying NOT NULL DEFAULT 't_log_replica',
	i_binlog_position bigint,
	t_gtid_set text,
	b_started boolean NOT NULL DEFAULT false,
	b_processed boolean NOT NULL DEFAULT false,
	b_replayed boolean NOT NULL DEFAULT false,
	ts_created timestamp without time zone NOT NULL DEFAULT clock_timestamp(),
	ts_processed timestamp without time zone,
	ts_replayed timestamp without time zone,
	i_replayed bigint,
	i_skipped bigint,
	i_ddl bigint,
	CONSTRAINT pk_t_batch PRIMARY KEY (i_id_batch),
	CONSTRAINT fk_t_replica_batch_i_id_source FOREIGN KEY (i_id_source)
		REFERENCES sch_chameleon.t_sources (i_id_source) ON UPDATE RESTRICT ON DELETE CASCADE
);
CREATE UNIQUE INDEX idx_t_replica_batch_binlog_name_position
	ON sch_chameleon.t_replica_batch (i_id_source, t_binlog_name, i_binlog_position);
CREATE UNIQUE INDEX idx_t_replica_batch_ts_created ON sch_chameleon.t_replica_batch (i_id_source, ts_created);

CREATE TABLE sch_chameleon.t_log_replica (
	i_id_event bigserial,
	i_id_batch bigserial,
	v_table_name character varying(100) NOT NULL,
	v_schema_name character varying(100) NOT NULL,
	enm_binlog_event sch_chameleon.en_binlog_event NOT NULL,
	t_binlog_name text,
	i_binlog_position bigint,
	ts_event_datetime timestamp without time zone NOT NULL DEFAULT clock_timestamp(),
	jsb_event_after jsonb,
	jsb_event_before jsonb,
	t_query text,
	i_my_event_time bigint,
	CONSTRAINT pk_log_replica PRIMARY KEY (i_id_event),
	CONSTRAINT fk_replica_batch FOREIGN KEY (i_id_batch)
		REFERENCES sch_chameleon.t_replica_batch (i_id_batch) ON UPDATE RESTRICT ON DELETE CASCADE
);
-- the two log tables of each source of the fixture (fn_refresh_parts creates them)
DO $$
DECLARE
	v_name text;
BEGIN
	FOREACH v_name IN ARRAY ARRAY['t_log_replica_src_a_1', 't_log_replica_src_a_2', 't_log_replica_src_b_1',
	                              't_log_replica_src_b_2'] LOOP
		EXECUTE format('CREATE TABLE sch_chameleon.%I (CONSTRAINT %I PRIMARY KEY (i_id_event), CONSTRAINT %I '
		               'FOREIGN KEY (i_id_batch) REFERENCES sch_chameleon.t_replica_batch (i_id_batch) ON UPDATE '
		               'RESTRICT ON DELETE CASCADE) INHERITS (sch_chameleon.t_log_replica)',
		               v_name, 'pk_' || v_name, 'fk_' || v_name);
		EXECUTE format('CREATE INDEX %I ON sch_chameleon.%I (i_id_batch)', 'idx_id_batch_' || v_name, v_name);
	END LOOP;
END;
$$;

CREATE TABLE sch_chameleon.t_batch_events (
	i_id_batch bigint NOT NULL,
	i_id_event bigint[] NOT NULL,
	CONSTRAINT pk_t_batch_id_events PRIMARY KEY (i_id_batch),
	CONSTRAINT fk_t_batch_id_events_i_id_batch FOREIGN KEY (i_id_batch)
		REFERENCES sch_chameleon.t_replica_batch (i_id_batch) ON UPDATE RESTRICT ON DELETE CASCADE
);

CREATE TABLE sch_chameleon.t_replica_tables (
	i_id_table bigserial,
	i_id_source bigint NOT NULL,
	v_table_name character varying(64) NOT NULL,
	v_schema_name character varying(64) NOT NULL,
	v_table_pkey character varying(100)[] NOT NULL,
	t_binlog_name text,
	i_binlog_position bigint,
	b_replica_enabled boolean NOT NULL DEFAULT true,
	CONSTRAINT pk_t_replica_tables PRIMARY KEY (i_id_table),
	CONSTRAINT fk_t_replica_tables_i_id_source FOREIGN KEY (i_id_source)
		REFERENCES sch_chameleon.t_sources (i_id_source) ON UPDATE RESTRICT ON DELETE CASCADE
);
CREATE UNIQUE INDEX idx_t_replica_tables_table_schema
	ON sch_chameleon.t_replica_tables (i_id_source, v_table_name, v_schema_name);

CREATE TABLE sch_chameleon.t_error_log (
	i_id_log bigserial,
	i_id_batch bigint NOT NULL,
	i_id_source bigint NOT NULL,
	v_table_name character varying(100) NOT NULL,
	v_schema_name character varying(100) NOT NULL,
	t_table_pkey text NOT NULL,
	t_binlog_name text NOT NULL,
	i_binlog_position bigint NOT NULL,
	ts_error timestamp without time zone,
	t_sql text,
	t_error_message text,
	CONSTRAINT pk_t_error_log PRIMARY KEY (i_id_log)
);

CREATE TABLE sch_chameleon.t_discarded_rows (
	i_id_row bigserial,
	i_id_batch bigint NOT NULL,
	ts_discard timestamp with time zone NOT NULL DEFAULT clock_timestamp(),
	v_table_name character varying(64) NOT NULL,
	v_schema_name character varying(64) NOT NULL,
	t_row_data text,
	CONSTRAINT pk_t_discarded_rows PRIMARY KEY (i_id_row)
);

-- the statements kept for keep_existing_schema
CREATE TABLE sch_chameleon.t_indexes (
	i_id_index bigserial,
	v_schema_name character varying(64) NOT NULL,
	v_table_name character varying(64) NOT NULL,
	v_index_name character varying(64) NOT NULL,
	t_index_drop text,
	t_index_create text,
	CONSTRAINT pk_t_indexes PRIMARY KEY (i_id_index)
);
CREATE UNIQUE INDEX idx_t_indexes_idx_table_schema ON sch_chameleon.t_indexes (v_schema_name, v_table_name, v_index_name);
CREATE TABLE sch_chameleon.t_pkeys (
	i_id_pkey bigserial,
	v_schema_name character varying(64) NOT NULL,
	v_table_name character varying(64) NOT NULL,
	v_index_name character varying(64) NOT NULL,
	t_pkey_drop text,
	t_pkey_create text,
	CONSTRAINT pk_t_pkeys PRIMARY KEY (i_id_pkey)
);
CREATE UNIQUE INDEX idx_t_pkeys_table_schema ON sch_chameleon.t_pkeys (v_schema_name, v_table_name);
CREATE TABLE sch_chameleon.t_ukeys (
	i_id_ukey bigserial,
	v_schema_name character varying(64) NOT NULL,
	v_table_name character varying(64) NOT NULL,
	v_index_name character varying(64) NOT NULL,
	t_ukey_drop text,
	t_ukey_create text,
	CONSTRAINT pk_t_ukeys PRIMARY KEY (i_id_ukey)
);
CREATE UNIQUE INDEX idx_t_ukeys_table_schema ON sch_chameleon.t_ukeys (v_schema_name, v_table_name, v_index_name);
CREATE TABLE sch_chameleon.t_fkeys (
	i_id_fkey bigserial,
	v_schema_name character varying(64) NOT NULL,
	v_table_name character varying(64) NOT NULL,
	v_constraint_name character varying(64) NOT NULL,
	t_fkey_drop text,
	t_fkey_create text,
	t_fkey_validate text,
	CONSTRAINT pk_t_fkeys PRIMARY KEY (i_id_fkey)
);
CREATE UNIQUE INDEX idx_t_fkeys_idx_table_schema ON sch_chameleon.t_fkeys (v_schema_name, v_table_name, v_constraint_name);
