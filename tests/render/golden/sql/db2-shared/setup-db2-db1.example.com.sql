-- carbon-wizard: database setup for IBM DB2 at db1.example.com:50000.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as the DB2 instance owner (db2inst1) on the DB2 server, with this file copied there,
-- from the tree's root:
--   db2 -tvf db/setup-db2-db1.example.com.sql
-- Safe to run again: nothing is dropped; what exists is kept.
-- On a re-run the CLP reports what exists already and carries on (run it without -s): SQL1005N
-- for CREATE DATABASE, SQL0601N for the bufferpool and tablespace, SQL0556N for the REVOKE.

-- DB2 authenticates users against the operating system: the users of this plan (wso2shared,
-- umadmin, amadmin, isadmin) must exist as OS (or LDAP) users on the DB2 server, with the
-- passwords the nodes' datasources carry. This script sets no password.
-- CREATE DATABASE is a CLP command, not SQL: it has no IF NOT EXISTS form.

-- SHAREDB: registry, user_management; used by apim, is
CREATE DATABASE SHAREDB USING CODESET UTF-8 TERRITORY US;
CONNECT TO SHAREDB;
-- A new database lets PUBLIC connect and create tables: keep it to its users.
REVOKE CONNECT, CREATETAB, BINDADD, IMPLICIT_SCHEMA ON DATABASE FROM PUBLIC;
GRANT CONNECT, CREATETAB, IMPLICIT_SCHEMA ON DATABASE TO USER WSO2SHARED;
GRANT CONNECT, CREATETAB, IMPLICIT_SCHEMA ON DATABASE TO USER UMADMIN;
CONNECT RESET;

-- AMDB: apim:WSO2AM_DB; used by apim
CREATE DATABASE AMDB USING CODESET UTF-8 TERRITORY US;
CONNECT TO AMDB;
-- A new database lets PUBLIC connect and create tables: keep it to its users.
REVOKE CONNECT, CREATETAB, BINDADD, IMPLICIT_SCHEMA ON DATABASE FROM PUBLIC;
GRANT CONNECT, CREATETAB, IMPLICIT_SCHEMA ON DATABASE TO USER AMADMIN;
-- dbscripts/apimgt/db2.sql puts a table in tablespace TS32K, created here because its CREATE
-- BUFFERPOOL needs SYSCTRL, which the WSO2 user does not have.
CREATE BUFFERPOOL BP32K IMMEDIATE SIZE 250 AUTOMATIC PAGESIZE 32K;
CREATE LARGE TABLESPACE TS32K PAGESIZE 32K MANAGED BY AUTOMATIC STORAGE BUFFERPOOL BP32K;
GRANT USE OF TABLESPACE TS32K TO USER AMADMIN;
CONNECT RESET;

-- IDENTDB: is:WSO2_IDENTITY_DB; used by is
CREATE DATABASE IDENTDB USING CODESET UTF-8 TERRITORY US;
CONNECT TO IDENTDB;
-- A new database lets PUBLIC connect and create tables: keep it to its users.
REVOKE CONNECT, CREATETAB, BINDADD, IMPLICIT_SCHEMA ON DATABASE FROM PUBLIC;
GRANT CONNECT, CREATETAB, IMPLICIT_SCHEMA ON DATABASE TO USER ISADMIN;
-- dbscripts/identity/db2.sql puts a table in tablespace TS32K, created here because its CREATE
-- BUFFERPOOL needs SYSCTRL, which the WSO2 user does not have.
CREATE BUFFERPOOL BP32K IMMEDIATE SIZE 250 AUTOMATIC PAGESIZE 32K;
CREATE LARGE TABLESPACE TS32K PAGESIZE 32K MANAGED BY AUTOMATIC STORAGE BUFFERPOOL BP32K;
GRANT USE OF TABLESPACE TS32K TO USER ISADMIN;
CONNECT RESET;
