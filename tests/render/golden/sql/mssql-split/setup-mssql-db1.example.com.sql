-- carbon-wizard: database setup for Microsoft SQL Server at db1.example.com:1433.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as a sysadmin login (sa), from the tree's root:
--   sqlcmd -S db1.example.com,1433 -U sa -b -x -i db/setup-mssql-db1.example.com.sql
-- Safe to run again: nothing is dropped; what exists is kept, passwords are set again.
-- CREATE LOGIN checks the server's password policy: a password it refuses stops the script
-- there (sqlcmd -b); choose one that meets the policy.
-- Holds passwords: keep it private (mode 0600) and delete it from servers once run.

SET NOCOUNT ON;
GO

-- Databases, created when missing.
-- WSO2_CONFIG_DB: config; used by apim, is
IF DB_ID(N'WSO2_CONFIG_DB') IS NULL
    CREATE DATABASE [WSO2_CONFIG_DB];
GO
-- WSO2_GOV_DB: governance; used by apim, is
IF DB_ID(N'WSO2_GOV_DB') IS NULL
    CREATE DATABASE [WSO2_GOV_DB];
GO
-- WSO2_UM_DB: user_management; used by apim, is
IF DB_ID(N'WSO2_UM_DB') IS NULL
    CREATE DATABASE [WSO2_UM_DB];
GO
-- WSO2_IDENTITY_DB: is:WSO2_IDENTITY_DB; used by is
IF DB_ID(N'WSO2_IDENTITY_DB') IS NULL
    CREATE DATABASE [WSO2_IDENTITY_DB];
GO

-- Logins, created when missing; the password is set every time.
IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'regadmin')
    CREATE LOGIN [regadmin] WITH PASSWORD = N'p&<>"''\$%x',
        DEFAULT_DATABASE = [WSO2_CONFIG_DB];
ELSE
    ALTER LOGIN [regadmin] WITH PASSWORD = N'p&<>"''\$%x';
GO
IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'umadmin')
    CREATE LOGIN [umadmin] WITH PASSWORD = N'um-secret',
        DEFAULT_DATABASE = [WSO2_UM_DB];
ELSE
    ALTER LOGIN [umadmin] WITH PASSWORD = N'um-secret';
GO
IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'isadmin')
    CREATE LOGIN [isadmin] WITH PASSWORD = N'is-secret',
        DEFAULT_DATABASE = [WSO2_IDENTITY_DB];
ELSE
    ALTER LOGIN [isadmin] WITH PASSWORD = N'is-secret';
GO

-- In each database: a user for the login, its tables in dbo, and only what the WSO2
-- scripts use (CREATE TABLE, and ALTER on dbo for indexes and constraints, REFERENCES
-- for foreign keys) plus the products' DML on dbo. No db_owner, no db_ddladmin.
USE [WSO2_CONFIG_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'regadmin')
    CREATE USER [regadmin] FOR LOGIN [regadmin] WITH DEFAULT_SCHEMA = [dbo];
GRANT CREATE TABLE TO [regadmin];
GRANT ALTER, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[dbo] TO [regadmin];
GO
USE [WSO2_GOV_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'regadmin')
    CREATE USER [regadmin] FOR LOGIN [regadmin] WITH DEFAULT_SCHEMA = [dbo];
GRANT CREATE TABLE TO [regadmin];
GRANT ALTER, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[dbo] TO [regadmin];
GO
USE [WSO2_UM_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'umadmin')
    CREATE USER [umadmin] FOR LOGIN [umadmin] WITH DEFAULT_SCHEMA = [dbo];
GRANT CREATE TABLE TO [umadmin];
GRANT ALTER, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[dbo] TO [umadmin];
GO
USE [WSO2_IDENTITY_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'isadmin')
    CREATE USER [isadmin] FOR LOGIN [isadmin] WITH DEFAULT_SCHEMA = [dbo];
GRANT CREATE TABLE TO [isadmin];
GRANT ALTER, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[dbo] TO [isadmin];
GO
