-- pg_chameleon 1.4 -> 1.5: MySQL-side faults (worker restarts kept in the catalogue for the
-- crash-loop rule, the source server's identity, resync_source) and hostile input (strict
-- NULL handling).

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.5'" to load this file. \quit
