-- carbon-wizard: database setup for Oracle at db1.example.com:1521, service WSO2PDB.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as a DBA account (system, or any user with CREATE USER and GRANT ANY PRIVILEGE), from
-- the tree's root:
--   sqlplus -L system@//db1.example.com:1521/WSO2PDB @db/setup-oracle-db1.example.com.sql
-- Safe to run again: nothing is dropped; what exists is kept, passwords are set again.
-- Oracle keeps each user's tables in a schema of that name: the users below are the WSO2
-- databases. The service must exist already: a PDB's service, not the CDB root (there CREATE
-- USER fails with ORA-65096).
-- Holds passwords: keep it private (mode 0600) and delete it from servers once run.

WHENEVER SQLERROR EXIT SQL.SQLCODE
-- & in a password must not start a substitution variable.
SET DEFINE OFF
SET SERVEROUTPUT ON

-- Schema REGADMIN: config
DECLARE
    ts VARCHAR2(128);
BEGIN
    SELECT property_value INTO ts FROM database_properties
     WHERE property_name = 'DEFAULT_PERMANENT_TABLESPACE';
    BEGIN
        EXECUTE IMMEDIATE 'CREATE USER "REGADMIN" IDENTIFIED BY "p&<>''\$%x"'
            || ' DEFAULT TABLESPACE "' || ts || '"'
            || ' QUOTA UNLIMITED ON "' || ts || '"';
    EXCEPTION
        WHEN OTHERS THEN
            -- ORA-01920: the user exists (a re-run): keep it, set its password.
            IF SQLCODE != -1920 THEN
                RAISE;
            END IF;
            BEGIN
                EXECUTE IMMEDIATE 'ALTER USER "REGADMIN" IDENTIFIED BY "p&<>''\$%x"';
            EXCEPTION
                WHEN OTHERS THEN
                    -- ORA-28007: a profile forbids reusing the password; on a re-run
                    -- it is the one the user has already.
                    IF SQLCODE != -28007 THEN
                        RAISE;
                    END IF;
                    DBMS_OUTPUT.PUT_LINE('REGADMIN: password kept (ORA-28007: the profile forbids reusing it)');
            END;
    END;
END;
/
GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE TRIGGER TO "REGADMIN";

-- Schema GOVADMIN: governance
DECLARE
    ts VARCHAR2(128);
BEGIN
    SELECT property_value INTO ts FROM database_properties
     WHERE property_name = 'DEFAULT_PERMANENT_TABLESPACE';
    BEGIN
        EXECUTE IMMEDIATE 'CREATE USER "GOVADMIN" IDENTIFIED BY "p&<>''\$%x"'
            || ' DEFAULT TABLESPACE "' || ts || '"'
            || ' QUOTA UNLIMITED ON "' || ts || '"';
    EXCEPTION
        WHEN OTHERS THEN
            -- ORA-01920: the user exists (a re-run): keep it, set its password.
            IF SQLCODE != -1920 THEN
                RAISE;
            END IF;
            BEGIN
                EXECUTE IMMEDIATE 'ALTER USER "GOVADMIN" IDENTIFIED BY "p&<>''\$%x"';
            EXCEPTION
                WHEN OTHERS THEN
                    -- ORA-28007: a profile forbids reusing the password; on a re-run
                    -- it is the one the user has already.
                    IF SQLCODE != -28007 THEN
                        RAISE;
                    END IF;
                    DBMS_OUTPUT.PUT_LINE('GOVADMIN: password kept (ORA-28007: the profile forbids reusing it)');
            END;
    END;
END;
/
GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE TRIGGER TO "GOVADMIN";

-- Schema UMADMIN: user_management
DECLARE
    ts VARCHAR2(128);
BEGIN
    SELECT property_value INTO ts FROM database_properties
     WHERE property_name = 'DEFAULT_PERMANENT_TABLESPACE';
    BEGIN
        EXECUTE IMMEDIATE 'CREATE USER "UMADMIN" IDENTIFIED BY "um-secret"'
            || ' DEFAULT TABLESPACE "' || ts || '"'
            || ' QUOTA UNLIMITED ON "' || ts || '"';
    EXCEPTION
        WHEN OTHERS THEN
            -- ORA-01920: the user exists (a re-run): keep it, set its password.
            IF SQLCODE != -1920 THEN
                RAISE;
            END IF;
            BEGIN
                EXECUTE IMMEDIATE 'ALTER USER "UMADMIN" IDENTIFIED BY "um-secret"';
            EXCEPTION
                WHEN OTHERS THEN
                    -- ORA-28007: a profile forbids reusing the password; on a re-run
                    -- it is the one the user has already.
                    IF SQLCODE != -28007 THEN
                        RAISE;
                    END IF;
                    DBMS_OUTPUT.PUT_LINE('UMADMIN: password kept (ORA-28007: the profile forbids reusing it)');
            END;
    END;
END;
/
GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE TRIGGER TO "UMADMIN";

-- Schema ISADMIN: is:WSO2_IDENTITY_DB
DECLARE
    ts VARCHAR2(128);
BEGIN
    SELECT property_value INTO ts FROM database_properties
     WHERE property_name = 'DEFAULT_PERMANENT_TABLESPACE';
    BEGIN
        EXECUTE IMMEDIATE 'CREATE USER "ISADMIN" IDENTIFIED BY "is-secret"'
            || ' DEFAULT TABLESPACE "' || ts || '"'
            || ' QUOTA UNLIMITED ON "' || ts || '"';
    EXCEPTION
        WHEN OTHERS THEN
            -- ORA-01920: the user exists (a re-run): keep it, set its password.
            IF SQLCODE != -1920 THEN
                RAISE;
            END IF;
            BEGIN
                EXECUTE IMMEDIATE 'ALTER USER "ISADMIN" IDENTIFIED BY "is-secret"';
            EXCEPTION
                WHEN OTHERS THEN
                    -- ORA-28007: a profile forbids reusing the password; on a re-run
                    -- it is the one the user has already.
                    IF SQLCODE != -28007 THEN
                        RAISE;
                    END IF;
                    DBMS_OUTPUT.PUT_LINE('ISADMIN: password kept (ORA-28007: the profile forbids reusing it)');
            END;
    END;
END;
/
GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE TRIGGER TO "ISADMIN";

EXIT
