-- A canonical description of every object pg_chameleon installs (schemas sch_chameleon and
-- chameleon): used to compare an upgraded installation with a fresh one.
SELECT 'schema ' || nspname || ' acl=' || coalesce(nspacl::text, '')
FROM pg_namespace WHERE nspname IN ('sch_chameleon', 'chameleon')
UNION ALL
SELECT format('relation %s.%s kind=%s acl=%s options=%s', n.nspname, c.relname, c.relkind,
              coalesce(c.relacl::text, ''), coalesce(c.reloptions::text, ''))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon') AND c.relkind IN ('r', 'p', 'v', 'S')
UNION ALL
SELECT format('column %s.%s.%s type=%s notnull=%s default=%s identity=%s', n.nspname, c.relname, a.attname,
              format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname IN ('sch_chameleon', 'chameleon') AND c.relkind IN ('r', 'p', 'v')
  AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT format('constraint %s.%s %s', n.nspname, c.relname, pg_get_constraintdef(k.oid))
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon')
UNION ALL
SELECT format('index %s.%s %s', n.nspname, c.relname,
              regexp_replace(pg_get_indexdef(i.indexrelid), 'INDEX \S+ ON', 'INDEX ON'))
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon')
UNION ALL
SELECT format('view %s.%s %s', n.nspname, c.relname, pg_get_viewdef(c.oid))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon') AND c.relkind = 'v'
UNION ALL
SELECT format('function %s(%s) returns %s secdef=%s volatile=%s strict=%s config=%s owner=%s acl=%s body=%s comment=%s',
              p.oid::regproc, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
              p.prosecdef, p.provolatile, p.proisstrict, p.proconfig, p.proowner::regrole,
              coalesce(p.proacl::text, ''), md5(p.prosrc || coalesce(p.probin, '')),
              obj_description(p.oid, 'pg_proc'))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon')
UNION ALL
SELECT format('type %s.%s labels=%s', n.nspname, t.typname,
              (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname IN ('sch_chameleon', 'chameleon') AND t.typtype = 'e'
UNION ALL
SELECT format('member %s', pg_describe_object(d.classid, d.objid, 0))
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'pg_chameleon' AND d.deptype = 'e'
UNION ALL
SELECT 'config dump ' || c::regclass::text FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'pg_chameleon'
ORDER BY 1;
