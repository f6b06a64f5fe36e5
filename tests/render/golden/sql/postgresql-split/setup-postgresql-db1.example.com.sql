-- carbon-wizard: database setup for PostgreSQL at db1.example.com:5432.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as a superuser (postgres), from the tree's root:
--   psql "host=db1.example.com port=5432 dbname=postgres user=postgres" -v ON_ERROR_STOP=1 -f db/setup-postgresql-db1.example.com.sql
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
                   WHERE rolname = 'regadmin') THEN
        CREATE ROLE "regadmin" LOGIN;
    END IF;
END
$do$;
ALTER ROLE "regadmin" WITH LOGIN PASSWORD 'p&<>"''\$%x';
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
                   WHERE rolname = 'umadmin') THEN
        CREATE ROLE "umadmin" LOGIN;
    END IF;
END
$do$;
ALTER ROLE "umadmin" WITH LOGIN PASSWORD 'um-secret';
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
                   WHERE rolname = 'isadmin') THEN
        CREATE ROLE "isadmin" LOGIN;
    END IF;
END
$do$;
ALTER ROLE "isadmin" WITH LOGIN PASSWORD 'is-secret';

-- Databases, created when missing, owned by their (first) user so that it can run the
-- WSO2 schema scripts. CREATE DATABASE cannot run in a DO block: \gexec runs it.
-- Only the users of a database may connect to it.
-- WSO2_CONFIG_DB: config; used by apim, is
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',
              'WSO2_CONFIG_DB', 'regadmin', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'WSO2_CONFIG_DB')\gexec
REVOKE ALL ON DATABASE "WSO2_CONFIG_DB" FROM PUBLIC;
GRANT CONNECT ON DATABASE "WSO2_CONFIG_DB" TO "regadmin";
-- WSO2_GOV_DB: governance; used by apim, is
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',
              'WSO2_GOV_DB', 'regadmin', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'WSO2_GOV_DB')\gexec
REVOKE ALL ON DATABASE "WSO2_GOV_DB" FROM PUBLIC;
GRANT CONNECT ON DATABASE "WSO2_GOV_DB" TO "regadmin";
-- WSO2_UM_DB: user_management; used by apim, is
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',
              'WSO2_UM_DB', 'umadmin', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'WSO2_UM_DB')\gexec
REVOKE ALL ON DATABASE "WSO2_UM_DB" FROM PUBLIC;
GRANT CONNECT ON DATABASE "WSO2_UM_DB" TO "umadmin";
-- WSO2_IDENTITY_DB: is:WSO2_IDENTITY_DB; used by is
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',
              'WSO2_IDENTITY_DB', 'isadmin', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'WSO2_IDENTITY_DB')\gexec
REVOKE ALL ON DATABASE "WSO2_IDENTITY_DB" FROM PUBLIC;
GRANT CONNECT ON DATABASE "WSO2_IDENTITY_DB" TO "isadmin";

-- Inside each database: the users may create their tables in schema public (since
-- PostgreSQL 15 only the database owner may by default).
\connect "WSO2_CONFIG_DB"
GRANT USAGE, CREATE ON SCHEMA public TO "regadmin";
\connect "WSO2_GOV_DB"
GRANT USAGE, CREATE ON SCHEMA public TO "regadmin";
\connect "WSO2_UM_DB"
GRANT USAGE, CREATE ON SCHEMA public TO "umadmin";
\connect "WSO2_IDENTITY_DB"
GRANT USAGE, CREATE ON SCHEMA public TO "isadmin";
