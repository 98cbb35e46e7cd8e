-- The catalogue and API objects of a fresh install, and who may use them.
SELECT extversion, extrelocatable FROM pg_extension WHERE extname = 'pg_chameleon';
SELECT c.relname, c.relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon') AND c.relkind IN ('r', 'p', 'v')
ORDER BY n.nspname, c.relname;
SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer,
       array_to_string(p.proconfig, ',') AS config
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'chameleon'
ORDER BY p.oid::regprocedure::text;
-- every function pins its search_path
SELECT count(*) AS functions_without_search_path
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('chameleon', 'sch_chameleon')
  AND NOT coalesce(p.proconfig @> '{"search_path=pg_catalog, pg_temp"}', false);
-- every object of both schemas belongs to the extension
SELECT count(*) AS objects_outside_extension
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon') AND c.relkind IN ('r', 'p', 'v')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e');

-- An ordinary role can neither read the catalogue nor call the API ...
CREATE ROLE chameleon_regress_user;
SET ROLE chameleon_regress_user;
SELECT * FROM sch_chameleon.t_sources;
SELECT * FROM chameleon.sources;
SELECT * FROM chameleon.show_status();
RESET ROLE;
-- ... until it is granted the API, which then works without catalogue rights.
GRANT USAGE ON SCHEMA chameleon TO chameleon_regress_user;
GRANT EXECUTE ON FUNCTION chameleon.show_status(text) TO chameleon_regress_user;
GRANT SELECT ON chameleon.sources TO chameleon_regress_user;
SET ROLE chameleon_regress_user;
SELECT count(*) FROM chameleon.show_status();
SELECT count(*) FROM chameleon.sources;
SELECT * FROM sch_chameleon.t_sources;
SELECT chameleon.add_source('x', 'db_conn: {user: u}');
RESET ROLE;
REVOKE ALL ON SCHEMA chameleon FROM chameleon_regress_user;
REVOKE ALL ON FUNCTION chameleon.show_status(text) FROM chameleon_regress_user;
REVOKE ALL ON chameleon.sources FROM chameleon_regress_user;
DROP ROLE chameleon_regress_user;
