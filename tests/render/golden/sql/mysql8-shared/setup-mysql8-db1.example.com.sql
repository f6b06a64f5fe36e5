-- carbon-wizard: database setup for MySQL 8 at db1.example.com:3306.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as an account with CREATE USER and GRANT OPTION (root), from the tree's root:
--   mysql -h db1.example.com -P 3306 -u root -p < db/setup-mysql8-db1.example.com.sql
-- Safe to run again: nothing is dropped; what exists is kept, passwords are set again.
-- Needs MySQL 5.7.6+ or MariaDB 10.2+ (CREATE USER IF NOT EXISTS, ALTER USER).
-- Holds passwords: keep it private (mode 0600) and delete it from servers once run.

-- Password literals below escape backslash; clear NO_BACKSLASH_ESCAPES for this
-- session so they read the same whatever the server's sql_mode.
SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','),
    ',NO_BACKSLASH_ESCAPES,', ','));

-- Databases. One that receives apimgt/mysql5.7.sql or identity/mysql-5.7.sql is
-- latin1: in utf8mb4 those scripts stop with ERROR 1071 (an index on
-- IDN_SCIM_GROUP.ATTR_NAME VARCHAR(1024) is longer than InnoDB's 3072-byte limit).
-- The others are utf8mb4. An existing database keeps its character set.
-- WSO2_SHARED_DB: registry, user_management; used by apim, is
CREATE DATABASE IF NOT EXISTS `WSO2_SHARED_DB` CHARACTER SET utf8mb4;
-- WSO2AM_DB: apim:WSO2AM_DB; used by apim
--   latin1 for dbscripts/apimgt/mysql5.7.sql
CREATE DATABASE IF NOT EXISTS `WSO2AM_DB` CHARACTER SET latin1;
-- WSO2_IDENTITY_DB: is:WSO2_IDENTITY_DB; used by is
--   latin1 for dbscripts/identity/mysql-5.7.sql
CREATE DATABASE IF NOT EXISTS `WSO2_IDENTITY_DB` CHARACTER SET latin1;

-- Users. '%' lets the nodes and the machine that runs the schema scripts log in; narrow
-- it to their addresses if your policy asks for that.
CREATE USER IF NOT EXISTS 'wso2shared'@'%' IDENTIFIED BY 'p&<>"''\\$%x';
ALTER USER 'wso2shared'@'%' IDENTIFIED BY 'p&<>"''\\$%x';
CREATE USER IF NOT EXISTS 'umadmin'@'%' IDENTIFIED BY 'p&<>"''\\$%x';
ALTER USER 'umadmin'@'%' IDENTIFIED BY 'p&<>"''\\$%x';
CREATE USER IF NOT EXISTS 'amadmin'@'%' IDENTIFIED BY 'am-secret';
ALTER USER 'amadmin'@'%' IDENTIFIED BY 'am-secret';
CREATE USER IF NOT EXISTS 'isadmin'@'%' IDENTIFIED BY 'is-secret';
ALTER USER 'isadmin'@'%' IDENTIFIED BY 'is-secret';

-- Grants: each user on its own databases only (`_` is escaped: it is a wildcard in
-- GRANT ... ON). What the WSO2 scripts use: CREATE (tables), INDEX, ALTER (constraints),
-- REFERENCES (foreign keys, checked since MySQL 8.0.22), DROP (BPS drops ODE_JOB
-- first); and the products' DML. No routines, views, triggers or locks are used.
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, ALTER, REFERENCES, DROP
   ON `WSO2\_SHARED\_DB`.* TO 'wso2shared'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, ALTER, REFERENCES, DROP
   ON `WSO2\_SHARED\_DB`.* TO 'umadmin'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, ALTER, REFERENCES, DROP
   ON `WSO2AM\_DB`.* TO 'amadmin'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, ALTER, REFERENCES, DROP
   ON `WSO2\_IDENTITY\_DB`.* TO 'isadmin'@'%';
