-- carbon-wizard: database setup for Microsoft SQL Server at db2.example.com:1434.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as a sysadmin login (sa), from the tree's root:
--   sqlcmd -S db2.example.com,1434 -U sa -b -x -i db/setup-mssql-db2.example.com-1434.sql
-- Safe to run again: nothing is dropped; what exists is kept, passwords are set again.
-- CREATE LOGIN checks the server's password policy: a password it refuses stops the script
-- there (sqlcmd -b); choose one that meets the policy.
-- Holds passwords: keep it private (mode 0600) and delete it from servers once run.

SET NOCOUNT ON;
GO

-- Databases, created when missing.
-- WSO2AM_DB: apim:WSO2AM_DB; used by apim
IF DB_ID(N'WSO2AM_DB') IS NULL
    CREATE DATABASE [WSO2AM_DB];
GO

-- Logins, created when missing; the password is set every time.
IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'amadmin')
    CREATE LOGIN [amadmin] WITH PASSWORD = N'am-secret',
        DEFAULT_DATABASE = [WSO2AM_DB];
ELSE
    ALTER LOGIN [amadmin] WITH PASSWORD = N'am-secret';
GO

-- In each database: a user for the login, its tables in dbo, and only what the WSO2
-- scripts use (CREATE TABLE, and ALTER on dbo for indexes and constraints, REFERENCES
-- for foreign keys) plus the products' DML on dbo. No db_owner, no db_ddladmin.
USE [WSO2AM_DB];
GO
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'amadmin')
    CREATE USER [amadmin] FOR LOGIN [amadmin] WITH DEFAULT_SCHEMA = [dbo];
GRANT CREATE TABLE TO [amadmin];
GRANT ALTER, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[dbo] TO [amadmin];
GO
