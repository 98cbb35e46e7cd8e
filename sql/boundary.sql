-- The C++ / PostgreSQL boundary: C++ exceptions become PostgreSQL errors with their parts,
-- PostgreSQL errors raised under C++ frames come back unchanged, and C++ can catch them.
-- pg_temp.outcome shows the SQLSTATE and every part of the error a call raises.
CREATE FUNCTION pg_temp.outcome(p_kind text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_state text; v_message text; v_detail text; v_hint text;
BEGIN
	RETURN 'returned: ' || sch_chameleon.fn_boundary_selftest(p_kind);
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
	                        v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	RETURN format('%s %s | detail: %s | hint: %s', v_state, v_message, v_detail, v_hint);
END;
$$;
SELECT kind, pg_temp.outcome(kind)
FROM unnest(ARRAY['none', 'cpp_error', 'std_exception', 'bad_alloc', 'pg_error', 'pg_error_caught']) kind;
-- the same errors reach the client directly
SELECT sch_chameleon.fn_boundary_selftest('none');
SELECT sch_chameleon.fn_boundary_selftest('cpp_error');
SELECT sch_chameleon.fn_boundary_selftest('std_exception');
SELECT sch_chameleon.fn_boundary_selftest('bad_alloc');
SELECT sch_chameleon.fn_boundary_selftest('pg_error');
SELECT sch_chameleon.fn_boundary_selftest('pg_error_caught');
-- the session is healthy after each of them
SELECT 1 AS still_working;
-- an error inside a transaction aborts it as any PostgreSQL error does
BEGIN;
SELECT sch_chameleon.fn_boundary_selftest('pg_error');
SELECT 1;
ROLLBACK;
-- an error raised under SPI outlives the SPI procedure context it was raised in: every part of
-- it reaches the client byte for byte (a 10,000-byte message with multibyte characters)
CREATE FUNCTION pg_temp.long_error() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_state text; v_message text; v_detail text; v_hint text;
BEGIN
	PERFORM sch_chameleon.fn_boundary_selftest('spi_long_error');
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
	                        v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	RETURN format('%s message equal: %s', v_state,
	              v_message = format('invalid input syntax for type integer: "%s"', repeat('érr ', 2000)));
END;
$$;
SELECT pg_temp.long_error();
SELECT pg_temp.long_error(); -- twice: the memory of the first is reused by now
