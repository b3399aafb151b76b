-- gofive install script, hand-written part, in pieces (sql/install/*.sql,
-- in the order the Makefile gives).  The typed per-operation functions are
-- generated from src/catalog.c and appended at build time.  The pieces that
-- define functions and views (functions.sql) use CREATE OR REPLACE so that
-- the upgrade scripts can include them as they are.

\echo Use "CREATE EXTENSION gofive" to load this file. \quit
