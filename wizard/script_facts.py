"""What WSO2's product schema scripts do when they run a second time, for the product
databases whose scripts behave unlike the kernel's (on PostgreSQL those begin by dropping
their tables; on MySQL they stop at an index that exists). The README says it at each step
(`schema._warnings`), so that an operator who ran a step twice knows what happened.

MySQL family and PostgreSQL: each script was run twice on MariaDB 10.11 and PostgreSQL 15
(tests/render/test_real_databases.py, test_business_process_and_broker_databases, checks these
sentences against what the clients print). The other engines: read from the scripts
(carbon-business-process v4.4.10 and v4.4.79 features/bpel and features/bpmn create scripts,
carbon-business-messaging v3.2.44 and v3.2.62 features/andes mb-store scripts): none has a
DROP but BPEL's mysql.sql and postgresql.sql, whose one DROP (ODE_JOB) comes after their
first CREATE TABLE.
"""

from __future__ import annotations

_NO_DROP = "it has no DROP and no existence check: a second run fails on the tables that exist"
_NONE_DROP = (
    "none has a DROP or an existence check: a second run of any fails on the tables that exist"
)
RERUN: dict[str, dict[str, str]] = {
    "BPS_DS": {
        "mysql": "a second run stops at its first statement (ERROR 1050: Table "
        "'ODE_SCHEMA_VERSION' already exists) and changes nothing. Its DROP TABLE IF EXISTS "
        "ODE_JOB comes after that line: never run it with --force (which carries on past "
        "errors) once the BPEL engine has data",
        "postgresql": 'a second run stops at its first statement (relation "ode_schema_version" '
        "already exists) and changes nothing; its DROP TABLE IF EXISTS ODE_JOB comes after",
        "mssql": _NO_DROP,
        "oracle": _NO_DROP,
        "db2": _NO_DROP,
    },
    "ACTIVITI_DB": {
        "mysql": "a second run of any of them stops at its first CREATE TABLE (ERROR 1050: "
        "Table ... already exists) and changes nothing",
        "postgresql": "a second run of any of them stops at its first CREATE TABLE (relation "
        "... already exists) and changes nothing",
        "mssql": _NONE_DROP,
        "oracle": _NONE_DROP,
        "db2": _NONE_DROP,
    },
    "WSO2_MB_STORE_DB": {
        "mysql": "it creates only missing tables (CREATE TABLE IF NOT EXISTS), but a second run "
        "stops at its first CREATE INDEX (ERROR 1061 Duplicate key name "
        "'MB_METADATA_QUEUE_ID_INDEX'); it drops nothing",
        "postgresql": 'a second run stops at its first CREATE TABLE (relation "mb_queue_mapping" '
        "already exists) and changes nothing",
        "mssql": "it creates only missing tables and has no DROP: a second run fails on the "
        "indexes that exist",
        "oracle": _NO_DROP,
    },
}
