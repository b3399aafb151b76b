-- gofive 1.0 -> 1.1, hand-written part.  The Makefile appends the functions
-- and views (sql/install/functions.sql, CREATE OR REPLACE) and the
-- catalog's functions.  Each section says which change it belongs to.

\echo Use "ALTER EXTENSION gofive UPDATE TO '1.1'" to load this file. \quit

-- ---- issue 17: one conversion to the documented forms ----
-- No object of its own changes here: gofive_enqueue_trigger's new
-- arguments (options: on_invalid, timestamp_zone) are read by the library,
-- and its comment, in sql/install/functions.sql, is replaced by the part
-- the Makefile appends.  gofive.unknown_fields is a setting of the library.
