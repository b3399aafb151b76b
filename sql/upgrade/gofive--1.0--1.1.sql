-- gofive 1.0 -> 1.1, hand-written part.  The Makefile appends the functions
-- and views (sql/install/functions.sql, CREATE OR REPLACE) and the
-- catalog's functions.  Each section says which change it belongs to.

\echo Use "ALTER EXTENSION gofive UPDATE TO '1.1'" to load this file. \quit
