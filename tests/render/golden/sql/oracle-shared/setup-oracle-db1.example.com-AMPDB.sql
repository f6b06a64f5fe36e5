-- carbon-wizard: database setup for Oracle at db1.example.com:1521, service AMPDB.
-- Creates the WSO2 databases and users of this plan and grants each user rights on its own
-- databases only (DDL for the WSO2 schema scripts, DML for the products).
-- Run as a DBA account (system, or any user with CREATE USER and GRANT ANY PRIVILEGE), from
-- the tree's root:
--   sqlplus -L system@//db1.example.com:1521/AMPDB @db/setup-oracle-db1.example.com-AMPDB.sql
-- Safe to run again: nothing is dropped; what exists is kept, passwords are set again.
-- Oracle keeps each user's tables in a schema of that name: the users below are the WSO2
-- databases. The service must exist already: a PDB's service, not the CDB root (there CREATE
-- USER fails with ORA-65096).
-- Holds passwords: keep it private (mode 0600) and delete it from servers once run.

WHENEVER SQLERROR EXIT SQL.SQLCODE
-- & in a password must not start a substitution variable.
SET DEFINE OFF
SET SERVEROUTPUT ON

-- Schema AMADMIN: apim:WSO2AM_DB
DECLARE
    ts VARCHAR2(128);
BEGIN
    SELECT property_value INTO ts FROM database_properties
     WHERE property_name = 'DEFAULT_PERMANENT_TABLESPACE';
    BEGIN
        EXECUTE IMMEDIATE 'CREATE USER "AMADMIN" IDENTIFIED BY "am-secret"'
            || ' DEFAULT TABLESPACE "' || ts || '"'
            || ' QUOTA UNLIMITED ON "' || ts || '"';
    EXCEPTION
        WHEN OTHERS THEN
            -- ORA-01920: the user exists (a re-run): keep it, set its password.
            IF SQLCODE != -1920 THEN
                RAISE;
            END IF;
            BEGIN
                EXECUTE IMMEDIATE 'ALTER USER "AMADMIN" IDENTIFIED BY "am-secret"';
            EXCEPTION
                WHEN OTHERS THEN
                    -- ORA-28007: a profile forbids reusing the password; on a re-run
                    -- it is the one the user has already.
                    IF SQLCODE != -28007 THEN
                        RAISE;
                    END IF;
                    DBMS_OUTPUT.PUT_LINE('AMADMIN: password kept (ORA-28007: the profile forbids reusing it)');
            END;
    END;
END;
/
GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE TRIGGER TO "AMADMIN";

EXIT
