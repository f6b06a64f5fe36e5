-- carbon-wizard: database setup for PostgreSQL at db2.example.com:5433.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as a superuser (postgres), from the tree's root:
--   psql "host=db2.example.com port=5433 dbname=postgres user=postgres" -v ON_ERROR_STOP=1 -f db/setup-postgresql-db2.example.com-5433.sql
-- Safe to run again: nothing is dropped; what exists is kept, passwords are set again.
-- Uses psql's \gexec and \connect: run it with psql as shown.
-- Holds passwords: keep it private (mode 0600) and delete it from servers once run.

\set ON_ERROR_STOP on
-- Password literals below double ' only: backslash must stay literal.
SET standard_conforming_strings = on;

-- Users (login roles), created when missing; the password is set every time.
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
                   WHERE rolname = 'amadmin') THEN
        CREATE ROLE "amadmin" LOGIN;
    END IF;
END
$do$;
ALTER ROLE "amadmin" WITH LOGIN PASSWORD 'am-secret';

-- Databases, created when missing, owned by their (first) user so that it can run the
-- WSO2 schema scripts. CREATE DATABASE cannot run in a DO block: \gexec runs it.
-- Only the users of a database may connect to it.
-- WSO2AM_DB: apim:WSO2AM_DB; used by apim
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',
              'WSO2AM_DB', 'amadmin', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'WSO2AM_DB')\gexec
REVOKE ALL ON DATABASE "WSO2AM_DB" FROM PUBLIC;
GRANT CONNECT ON DATABASE "WSO2AM_DB" TO "amadmin";

-- Inside each database: the users may create their tables in schema public (since
-- PostgreSQL 15 only the database owner may by default).
\connect "WSO2AM_DB"
GRANT USAGE, CREATE ON SCHEMA public TO "amadmin";
