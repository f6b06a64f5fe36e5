"""Database engines of the Carbon 4.4.x family, as data: driver, URL, validation query, TLS.

Facts come from WSO2's docs and stock files (reference §4.1; the kernel dbscripts folder) and
the drivers' own documentation, cited where used. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

EngineId = Literal["mysql5.7", "mysql8", "mariadb", "postgresql", "oracle", "mssql", "db2"]


def url_host(host: str) -> str:
    """`host` as a URL or a host:port pair writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


@dataclass(frozen=True)
class Engine:
    id: str
    label: str
    driver_class: str
    default_port: int
    validation_query: str
    """validationQuery for a datasource whose defaultAutoCommit is true (or unset: every
    JDBC driver opens connections in auto-commit mode)."""
    kernel_script: str
    """Kernel script under PRODUCT_HOME/dbscripts/ that creates the REG_* and UM_* tables."""
    script_suffix: str
    """How product scripts are named for this engine (`apimgt/<suffix>.sql`)."""
    driver_jar: str
    """The driver jar an operator places in the lib folder (a hint: any recent build works)."""
    default_url_options: str
    name_max: int
    """Longest database (or Oracle service) name the engine accepts."""
    user_max: int
    kind: Literal["mysql", "postgresql", "oracle", "mssql", "db2"]
    scheme: str = ""
    """`jdbc:<scheme>:`; empty: the kind's own."""
    manual_commit_validation_query: str | None = None
    """validationQuery for a datasource with defaultAutoCommit false, where it differs."""
    tls_url_options: str | None = None
    """URL options that make the driver encrypt and check the server's certificate; None
    where TLS is not a matter of URL options (`tls_how` says what it is instead)."""
    tls_trust: str = ""
    """Where the driver looks for the certificate authority of the server under
    `tls_url_options`."""
    tls_default: str = ""
    """What `default_url_options` leave TLS at, for the preview and the README."""
    tls_how: str = ""
    """Where `tls_url_options` is None: how TLS is set up on this engine instead."""
    jdbc_drivers: tuple[str, ...] = ()
    """Drivers an answer may choose between (`[database] jdbc_driver`), the default first."""

    def url(self, host: str, port: int, database: str, options: str) -> str:
        """The JDBC URL as the driver reads it (not XML-escaped)."""
        host_part = url_host(host)
        if self.kind == "mysql":
            base = f"jdbc:{self.scheme or 'mysql'}://{host_part}:{port}/{database}"
            return f"{base}?{options}" if options else base
        if self.kind == "postgresql":
            base = f"jdbc:postgresql://{host_part}:{port}/{database}"
            return f"{base}?{options}" if options else base
        if self.kind == "oracle":
            # `database` is the service name; schemas are users on Oracle.
            return f"jdbc:oracle:thin:@//{host_part}:{port}/{database}"
        if self.kind == "mssql":
            base = f"jdbc:sqlserver://{host_part}:{port};databaseName={database}"
            return f"{base};{options}" if options else base
        base = f"jdbc:db2://{host_part}:{port}/{database}"
        return f"{base}:{options}" if options else base

    def validation_query_for(self, auto_commit: bool) -> str:
        """The validationQuery that fits a datasource's defaultAutoCommit."""
        if not auto_commit and self.manual_commit_validation_query is not None:
            return self.manual_commit_validation_query
        return self.validation_query

    def with_driver(self, name: str | None) -> Engine:
        """This engine reached through the driver `name` (None: the default one)."""
        if name is None or name == (self.jdbc_drivers or ("",))[0]:
            return self
        if name not in self.jdbc_drivers:
            raise ValueError(f"{self.label} has no JDBC driver choice '{name}'")
        return replace(self, **_DRIVER_CHOICES[(self.id, name)])


# The MySQL family: Connector/J 5.1 and 8.0 read the same legacy TLS properties (8.0 maps
# useSSL + verifyServerCertificate to sslMode VERIFY_CA while sslMode is unset): MySQL
# Connector/J 5.1 Developer Guide, "Configuration Properties" (Security); Connector/J 8.0
# Developer Guide 6.9 "Connecting Securely Using SSL". Without trustCertificateKeyStoreUrl the
# driver checks the server against the JVM's truststore.
_MYSQL_TLS = "autoReconnect=true&useSSL=true&requireSSL=true&verifyServerCertificate=true"
_JVM_TRUST = (
    "the JDBC driver checks the database server's certificate against the node's Java "
    "truststore: import the certificate of the CA that signed it into "
    "repository/resources/security/client-truststore.jks on every node (carbon.xml "
    "Security/TrustStore; keytool -importcert -keystore client-truststore.jks)"
)
_UNENCRYPTED = "traffic between the nodes and the database is not encrypted"

# `[database] jdbc_driver` for engine mariadb. WSO2's 4.4.x guide reaches MariaDB with the
# MySQL driver and jdbc:mysql:// URLs (ADMIN44x "Setting up MariaDB" / "Changing to MariaDB":
# com.mysql.jdbc.Driver, mysql-connector-java-5.1.x; reference §4.1); kernel 4.6 names
# MariaDB Connector/J instead (carbon-kernel-4.6.x infer.json), so that is the choice.
_DRIVER_CHOICES: dict[tuple[str, str], dict[str, Any]] = {
    ("mariadb", "mariadb"): {
        "driver_class": "org.mariadb.jdbc.Driver",
        "scheme": "mariadb",
        "driver_jar": "mariadb-java-client-2.7.12.jar",
        "default_url_options": "",
        # MariaDB Connector/J 2.x "Using TLS/SSL": useSsl turns TLS on; the server's
        # certificate is checked (against the JVM truststore) unless trustServerCertificate.
        "tls_url_options": "useSsl=true&trustServerCertificate=false",
        "tls_default": "MariaDB Connector/J uses no TLS unless asked (useSsl): " + _UNENCRYPTED,
    },
}


ENGINES: dict[str, Engine] = {
    e.id: e
    for e in (
        Engine(
            id="mysql5.7",
            label="MySQL 5.7",
            driver_class="com.mysql.jdbc.Driver",
            default_port=3306,
            validation_query="SELECT 1",
            kernel_script="dbscripts/mysql5.7.sql",
            script_suffix="mysql5.7",
            driver_jar="mysql-connector-java-5.1.49.jar",
            default_url_options="autoReconnect=true&useSSL=false",
            name_max=64,
            user_max=32,
            kind="mysql",
            tls_url_options=_MYSQL_TLS,
            tls_trust=_JVM_TRUST,
            tls_default="the URLs say useSSL=false (as WSO2's own MySQL URLs do): " + _UNENCRYPTED,
        ),
        Engine(
            id="mysql8",
            label="MySQL 8",
            driver_class="com.mysql.cj.jdbc.Driver",
            default_port=3306,
            validation_query="SELECT 1",
            # mysql.sql's TIMESTAMP DEFAULT 0 is refused by 5.7+ strict mode.
            kernel_script="dbscripts/mysql5.7.sql",
            script_suffix="mysql5.7",
            driver_jar="mysql-connector-java-8.0.33.jar",
            # caching_sha2_password without TLS needs the key retrieval flag.
            default_url_options="autoReconnect=true&useSSL=false&allowPublicKeyRetrieval=true",
            name_max=64,
            user_max=32,
            kind="mysql",
            # Over TLS caching_sha2_password sends the password on the encrypted channel: no
            # public key retrieval (Connector/J 8.0, "Connecting Using Pluggable Authentication").
            tls_url_options=_MYSQL_TLS,
            tls_trust=_JVM_TRUST,
            tls_default=(
                "the URLs say useSSL=false: "
                + _UNENCRYPTED
                + "; allowPublicKeyRetrieval=true lets the driver take the server's RSA key "
                "for caching_sha2_password over that connection without checking whose it is"
            ),
        ),
        Engine(
            id="mariadb",
            label="MariaDB",
            # WSO2's 4.4.x guide (see _DRIVER_CHOICES): the MySQL driver, URLs and scripts.
            driver_class="com.mysql.jdbc.Driver",
            default_port=3306,
            validation_query="SELECT 1",
            kernel_script="dbscripts/mysql.sql",
            script_suffix="mysql",
            driver_jar="mysql-connector-java-5.1.49.jar",
            default_url_options="autoReconnect=true&useSSL=false",
            name_max=64,
            user_max=80,
            kind="mysql",
            tls_url_options=_MYSQL_TLS,
            tls_trust=_JVM_TRUST,
            tls_default="the URLs say useSSL=false (as WSO2's own MySQL URLs do): " + _UNENCRYPTED,
            jdbc_drivers=("mysql", "mariadb"),
        ),
        Engine(
            id="postgresql",
            label="PostgreSQL",
            driver_class="org.postgresql.Driver",
            default_port=5432,
            # With autocommit on, the COMMIT of WSO2's `SELECT 1; COMMIT` finds no transaction
            # and the server logs "there is no transaction in progress" on every validation;
            # with it off, the COMMIT ends the transaction the SELECT opened (ADMIN44x
            # "Changing to PostgreSQL", reference §4.1).
            validation_query="SELECT 1",
            manual_commit_validation_query="SELECT 1; COMMIT",
            kernel_script="dbscripts/postgresql.sql",
            script_suffix="postgresql",
            driver_jar="postgresql-42.7.4.jar",
            default_url_options="",
            name_max=63,
            user_max=63,
            kind="postgresql",
            # pgjdbc "Using SSL" / connection parameters: verify-full checks the chain and the
            # host name; the default factory (LibPQFactory) reads the CA from sslrootcert.
            tls_url_options="ssl=true&sslmode=verify-full",
            tls_trust=(
                "pgjdbc reads the certificate of the CA that signed the server's from "
                "sslrootcert, by default ~/.postgresql/root.crt of the user that runs the "
                "node (not from the Java truststore): put it there on every node, and make "
                "the server's certificate name the host the URLs use"
            ),
            tls_default=(
                "pgjdbc's default sslmode=prefer uses TLS when the server offers it but "
                "never checks the server's certificate, and falls back to no TLS"
            ),
        ),
        Engine(
            id="oracle",
            label="Oracle",
            driver_class="oracle.jdbc.OracleDriver",
            default_port=1521,
            validation_query="SELECT 1 FROM DUAL",
            kernel_script="dbscripts/oracle.sql",
            script_suffix="oracle",
            driver_jar="ojdbc8.jar",
            default_url_options="",
            name_max=30,
            user_max=30,
            kind="oracle",
            tls_default="the URLs use the plain TCP listener: " + _UNENCRYPTED,
            # Oracle JDBC Developer's Guide, "Support for SSL": TLS is a TCPS listener and a
            # DESCRIPTION URL, trust from a wallet or the JVM truststore.
            tls_how=(
                "Oracle takes TLS on a TCPS listener (often port 2484), with URLs of the form "
                "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=<host>)"
                "(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=<service>))) and the server's CA in "
                "a wallet (oracle.net.wallet_location) or the node's Java truststore; the "
                "tree writes the plain //host:port/service form, so leave tls out and change "
                "the url of each shared datasource by hand"
            ),
        ),
        Engine(
            id="mssql",
            label="Microsoft SQL Server",
            driver_class="com.microsoft.sqlserver.jdbc.SQLServerDriver",
            default_port=1433,
            validation_query="SELECT 1",
            kernel_script="dbscripts/mssql.sql",
            script_suffix="mssql",
            driver_jar="mssql-jdbc-9.4.1.jre8.jar",
            default_url_options="SendStringParametersAsUnicode=false",
            name_max=128,
            user_max=128,
            kind="mssql",
            # Microsoft JDBC Driver "Connecting with encryption": encrypt=true with
            # trustServerCertificate=false checks the certificate (JVM truststore) and that it
            # names the server (hostNameInCertificate defaults to the URL's host).
            tls_url_options="SendStringParametersAsUnicode=false;encrypt=true;"
            "trustServerCertificate=false",
            tls_trust=_JVM_TRUST,
            tls_default=(
                "mssql-jdbc 9.4 encrypts only the login (encrypt=false by default): the "
                "queries and their results are not encrypted"
            ),
        ),
        Engine(
            id="db2",
            label="IBM DB2",
            driver_class="com.ibm.db2.jcc.DB2Driver",
            default_port=50000,
            validation_query="SELECT 1 FROM SYSIBM.SYSDUMMY1",
            kernel_script="dbscripts/db2.sql",
            script_suffix="db2",
            driver_jar="db2jcc4.jar",
            default_url_options="",
            name_max=8,
            user_max=30,
            kind="db2",
            tls_default="the URLs use the plain TCP port: " + _UNENCRYPTED,
            # IBM Data Server Driver for JDBC, "Configuring connections to use SSL": the
            # sslConnection property, on the port the server's SSL_SVCENAME names.
            tls_how=(
                "DB2 takes TLS on its own SSL port (the server's SSL_SVCENAME) with the "
                "driver property sslConnection=true: leave tls out, set [database] port = "
                '<that port> and url_options = "sslConnection=true;", and import the '
                "server's CA into repository/resources/security/client-truststore.jks on "
                "every node"
            ),
        ),
    )
}


def connection(
    engine: Engine, jdbc_driver: str | None, tls: bool, url_options: str | None
) -> tuple[Engine, str]:
    """The engine as reached through the chosen driver, and the URL options every datasource
    gets: the operator's own, else the TLS ones when TLS is on, else the engine's default.
    The model and the screens' URL previews read the same answers through this."""
    if jdbc_driver in engine.jdbc_drivers:
        engine = engine.with_driver(jdbc_driver)
    if url_options is not None:
        return engine, url_options
    if tls and engine.tls_url_options is not None:
        return engine, engine.tls_url_options
    return engine, engine.default_url_options
