-- Per-table row count and checksum of the connected database, one line per table:
--   <schema>.<table> TAB <rows> TAB <checksum>
-- dump.sh runs it inside the dump's own snapshot (what the backup holds), drill.sh against the
-- restored copy; equal lines mean every row came back. The checksum sums two 64-bit halves of
-- each row's md5: order-independent, so no sort and no 1 GB string limit on large tables.
-- Extension-owned tables are left out, as pg_dump leaves out their data.
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
\pset footer off
-- A row's text form depends on these settings: fixed, so both sides print rows the same way.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
SELECT format(
  'SELECT %L, count(*), md5(coalesce(sum((''x'' || left(h, 16))::bit(64)::bigint::numeric), 0) || ''/'' || '
  'coalesce(sum((''x'' || right(h, 16))::bit(64)::bigint::numeric), 0)) FROM (SELECT md5(t::text) AS h FROM %I.%I t) AS r',
  n.nspname || '.' || c.relname, n.nspname, c.relname)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
\gexec
