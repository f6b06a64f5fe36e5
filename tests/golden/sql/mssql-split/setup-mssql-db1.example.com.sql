-- carbon-wizard: database setup for Microsoft SQL Server at db1.example.com:1433.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as a sysadmin login (sa), from the tree's root:
--   sqlcmd -S db1.example.com,1433 -U sa -b -x -i db/setup-mssql-db1.example.com.sql
-- Safe to run again: nothing is dropped; what exists is kept, passwords are set again.
-- Needs SQL Server 2012 or later (ALTER ROLE ... ADD MEMBER).
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

-- In each database: a user for the login, tables in dbo, and roles narrower than
-- db_owner: db_ddladmin (the WSO2 scripts), db_datareader and db_datawriter (the
-- products), EXECUTE for stored procedures.
USE [WSO2_CONFIG_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'regadmin')
    CREATE USER [regadmin] FOR LOGIN [regadmin] WITH DEFAULT_SCHEMA = [dbo];
ALTER ROLE [db_ddladmin] ADD MEMBER [regadmin];
ALTER ROLE [db_datareader] ADD MEMBER [regadmin];
ALTER ROLE [db_datawriter] ADD MEMBER [regadmin];
GRANT EXECUTE TO [regadmin];
GO
USE [WSO2_GOV_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'regadmin')
    CREATE USER [regadmin] FOR LOGIN [regadmin] WITH DEFAULT_SCHEMA = [dbo];
ALTER ROLE [db_ddladmin] ADD MEMBER [regadmin];
ALTER ROLE [db_datareader] ADD MEMBER [regadmin];
ALTER ROLE [db_datawriter] ADD MEMBER [regadmin];
GRANT EXECUTE TO [regadmin];
GO
USE [WSO2_UM_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'umadmin')
    CREATE USER [umadmin] FOR LOGIN [umadmin] WITH DEFAULT_SCHEMA = [dbo];
ALTER ROLE [db_ddladmin] ADD MEMBER [umadmin];
ALTER ROLE [db_datareader] ADD MEMBER [umadmin];
ALTER ROLE [db_datawriter] ADD MEMBER [umadmin];
GRANT EXECUTE TO [umadmin];
GO
USE [WSO2_IDENTITY_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'isadmin')
    CREATE USER [isadmin] FOR LOGIN [isadmin] WITH DEFAULT_SCHEMA = [dbo];
ALTER ROLE [db_ddladmin] ADD MEMBER [isadmin];
ALTER ROLE [db_datareader] ADD MEMBER [isadmin];
ALTER ROLE [db_datawriter] ADD MEMBER [isadmin];
GRANT EXECUTE TO [isadmin];
GO
