"""The WSO2 rules over trees held in memory and on disk.

Two small, correct trees are built here from XML templates: a shared-layout MySQL tree (APIM
on two nodes, IS on one, with clustering, port offsets and driver jars) and a split-layout
PostgreSQL tree (APIM on two nodes, EI on one, with Secure Vault). Each mutation below breaks
exactly one rule, and the finding must say which rule, node, file and element.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from wizard.rules import RULE_TITLES, Finding, check_files, check_tree

Files = dict[str, bytes]

UPSTREAM = Path(__file__).resolve().parents[2].parent / "shared" / "upstream"
KA_APIM = UPSTREAM / "cluster-examples/kubernetes-apim-v2.6.0.9/advanced/pattern-1/confs/apim-1"

R = "repository/conf"
REGISTRY = f"{R}/registry.xml"
USER_MGT = f"{R}/user-mgt.xml"
MASTER = f"{R}/datasources/master-datasources.xml"
CARBON = f"{R}/carbon.xml"
AXIS2 = f"{R}/axis2/axis2.xml"
MYSQL_JAR = "repository/components/lib/mysql-connector-java-5.1.49.jar"
SVNS = "http://org.wso2.securevault/configuration"


# ============================================================================================
# Templates
# ============================================================================================


@dataclass(frozen=True)
class DS:
    name: str
    jndi: str
    url: str
    user: str
    driver: str = "com.mysql.jdbc.Driver"
    query: str = "SELECT 1"
    password: str = "s3cret&<pw>"
    vault: bool = False

    @property
    def alias(self) -> str:
        return f"Datasources.{self.name}.Configuration.Password"

    @property
    def cache_id(self) -> str:
        return f"{self.user}@{self.url}"


LOCAL = DS(
    "WSO2_CARBON_DB",
    "jdbc/WSO2CarbonDB",
    "jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000",
    "wso2carbon",
    driver="org.h2.Driver",
    password="wso2carbon",
)


def mysql(name: str) -> str:
    return f"jdbc:mysql://db.example.com:3306/{name}?autoReconnect=true&useSSL=false"


def postgresql(name: str) -> str:
    return f"jdbc:postgresql://pg.example.com:5432/{name}"


def datasource_xml(ds: DS) -> str:
    if ds.vault:
        password = f'<password svns:secretAlias="{ds.alias}">password</password>'
    else:
        password = f"<password>{escape(ds.password)}</password>"
    return f"""
        <datasource>
            <name>{ds.name}</name>
            <description>The datasource {ds.name}</description>
            <jndiConfig>
                <name>{ds.jndi}</name>
            </jndiConfig>
            <definition type="RDBMS">
                <configuration>
                    <url>{escape(ds.url)}</url>
                    <username>{escape(ds.user)}</username>
                    {password}
                    <driverClassName>{ds.driver}</driverClassName>
                    <maxActive>50</maxActive>
                    <maxWait>60000</maxWait>
                    <testOnBorrow>true</testOnBorrow>
                    <validationQuery>{ds.query}</validationQuery>
                    <validationInterval>30000</validationInterval>
                    <defaultAutoCommit>false</defaultAutoCommit>
                </configuration>
            </definition>
        </datasource>"""


def master_xml(datasources: Iterable[DS]) -> bytes:
    body = "".join(datasource_xml(ds) for ds in datasources)
    return f"""<datasources-configuration xmlns:svns="{SVNS}">
    <providers>
        <provider>org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader</provider>
    </providers>
    <datasources>{body}
        <!-- For an explanation of the properties, see the Tomcat JDBC pool docs -->
    </datasources>
</datasources-configuration>
""".encode()


@dataclass(frozen=True)
class Remote:
    id: str
    ds: DS


def registry_xml(remotes: list[Remote], config: tuple[str, str], governance: str) -> bytes:
    """`config` is (remoteInstance id, targetPath); `governance` the remoteInstance id."""
    db_configs = "".join(
        f"""
    <dbConfig name="{r.id}">
        <dataSource>{r.ds.jndi}</dataSource>
    </dbConfig>"""
        for r in remotes
    )
    instances = "".join(
        f"""
    <remoteInstance url="https://localhost:9443/registry">
        <id>{r.id}</id>
        <cacheId>{escape(r.ds.cache_id)}</cacheId>
        <dbConfig>{r.id}</dbConfig>
        <readOnly>false</readOnly>
        <enableCache>true</enableCache>
        <registryRoot>/</registryRoot>
    </remoteInstance>"""
        for r in remotes
    )
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!-- registry.xml of a Carbon 4.4.x node -->
<wso2registry>
    <currentDBConfig>wso2registry</currentDBConfig>
    <readOnly>false</readOnly>
    <enableCache>true</enableCache>
    <registryRoot>/</registryRoot>
    <dbConfig name="wso2registry">
        <dataSource>jdbc/WSO2CarbonDB</dataSource>
    </dbConfig>{db_configs}{instances}
    <mount path="/_system/config" overwrite="true">
        <instanceId>{config[0]}</instanceId>
        <targetPath>{config[1]}</targetPath>
    </mount>
    <mount path="/_system/governance" overwrite="true">
        <instanceId>{governance}</instanceId>
        <targetPath>/_system/governance</targetPath>
    </mount>
    <handler class="org.wso2.carbon.registry.extensions.handlers.ExtensionsSymLinkHandler">
        <filter class="org.wso2.carbon.registry.core.jdbc.handlers.filters.URLMatcher">
            <property name="pattern">.*</property>
        </filter>
    </handler>
    <versionResourcesOnChange>false</versionResourcesOnChange>
    <staticConfiguration>
        <versioningProperties>true</versioningProperties>
    </staticConfiguration>
</wso2registry>
""".encode("iso-8859-1")


def user_mgt_xml(realm_jndi: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<UserManager>
    <Realm>
        <Configuration>
            <AddAdmin>true</AddAdmin>
            <AdminRole>admin</AdminRole>
            <AdminUser>
                <UserName>admin</UserName>
                <Password>admin</Password>
            </AdminUser>
            <EveryOneRoleName>everyone</EveryOneRoleName>
            <Property name="isCascadeDeleteEnabled">true</Property>
            <Property name="dataSource">{realm_jndi}</Property>
        </Configuration>
        <UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">
            <Property name="TenantManager"
                >org.wso2.carbon.user.core.tenant.JDBCTenantManager</Property>
            <Property name="ReadOnly">false</Property>
            <Property name="UsernameJavaRegEx">^[\\S]{{3,30}}$</Property>
        </UserStoreManager>
        <AuthorizationManager
            class="org.wso2.carbon.user.core.authorization.JDBCAuthorizationManager">
            <Property name="AdminRoleManagementPermissions">/permission</Property>
        </AuthorizationManager>
    </Realm>
</UserManager>
""".encode()


def carbon_xml(offset: int) -> bytes:
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <Name>WSO2 Carbon</Name>
    <Ports>
        <!-- Ports offset: 9443 becomes 9443 + Offset -->
        <Offset>{offset}</Offset>
        <JMX>
            <RMIRegistryPort>9999</RMIRegistryPort>
        </JMX>
    </Ports>
</Server>
""".encode("iso-8859-1")


def axis2_xml(domain: str, host: str, port: int, members: list[tuple[str, int]]) -> bytes:
    listed = "".join(
        f"""
            <member>
                <hostName>{h}</hostName>
                <port>{p}</port>
            </member>"""
        for h, p in members
    )
    return f"""<axisconfig name="AxisJava2.0">
    <parameter name="hotdeployment">true</parameter>
    <clustering class="org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent"
                enable="true">
        <parameter name="AvoidInitiation">true</parameter>
        <parameter name="membershipScheme">wka</parameter>
        <parameter name="domain">{domain}</parameter>
        <parameter name="mcastPort">45564</parameter>
        <parameter name="localMemberHost">{host}</parameter>
        <parameter name="localMemberPort">{port}</parameter>
        <members>{listed}
        </members>
        <groupManagement enable="false"/>
    </clustering>
</axisconfig>
""".encode()


def jar(*classes: str) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        for cls in classes:
            z.writestr(cls.replace(".", "/") + ".class", b"\xca\xfe\xba\xbe")
    return data.getvalue()


def vault_files(conf_dir: str, datasources: Iterable[DS]) -> Files:
    aliased = [ds for ds in datasources if ds.vault]
    tool = "".join(
        f"{ds.alias}={conf_dir}/datasources/master-datasources.xml//datasources-configuration/"
        f"datasources/datasource[name='{ds.name}']/definition[@type='RDBMS']/configuration/"
        "password,false\n"
        for ds in aliased
    )
    text = "".join(f"{ds.alias}=[{ds.password}]\n" for ds in aliased)
    conf = (
        "carbon.secretProvider=org.wso2.securevault.secret.handler."
        "SecretManagerSecretCallbackHandler\n"
        "secretRepositories=file\n"
        "secretRepositories.file.provider=org.wso2.securevault.secret.repository."
        "FileBaseSecretRepositoryProvider\n"
        f"secretRepositories.file.location={conf_dir}/security/cipher-text.properties\n"
        "keystore.identity.location=repository/resources/security/wso2carbon.jks\n"
    )
    return {
        f"{conf_dir}/security/cipher-tool.properties": ("# aliases\n" + tool).encode("latin-1"),
        f"{conf_dir}/security/cipher-text.properties": text.encode("latin-1"),
        f"{conf_dir}/security/secret-conf.properties": conf.encode("latin-1"),
    }


# ============================================================================================
# Trees
# ============================================================================================


@dataclass(frozen=True)
class Node:
    id: str
    product: str
    host: str
    offset: int
    conf_dir: str = R
    lib_dir: str = "repository/components/lib"
    profile: str = "default"

    @property
    def config_target(self) -> str:
        return f"/_system/{self.product}config"


def assemble(
    nodes: list[Node],
    node_files: dict[str, Files],
    *,
    engine: str,
    layout: str,
    secure_vault: bool = False,
    driver_jars: Iterable[str] = (),
) -> Files:
    files: Files = {}
    entries = []
    for node in nodes:
        own = node_files[node.id]
        entries.append(
            {
                "id": node.id,
                "product": node.product,
                "product_key": node.product,
                "version": {"apim": "2.6.0", "is": "5.7.0", "ei": "6.4.0"}[node.product],
                "profile": node.profile,
                "host": node.host,
                "offset": node.offset,
                "conf_dir": node.conf_dir,
                "lib_dir": node.lib_dir,
                "driver_jars": node.id in driver_jars,
                "files": [
                    {"path": p, "sha256": hashlib.sha256(c).hexdigest()}
                    for p, c in sorted(own.items())
                    if not p.endswith(".jar")
                ],
            }
        )
        files.update({f"nodes/{node.id}/{p}": c for p, c in own.items()})
    manifest = {
        "schema_version": 1,
        "name": "fixture",
        "engine": engine,
        "layout": layout,
        "clustering": False,
        "secure_vault": secure_vault,
        "nodes": entries,
        "databases": [],
    }
    files["manifest.json"] = json.dumps(manifest, indent=2).encode()
    files["README.md"] = b"# fixture\n"
    return files


SHARED_NODES = [
    Node("apim-1", "apim", "10.0.1.11", 0),
    Node("apim-2", "apim", "10.0.1.12", 0),
    Node("is-1", "is", "10.0.1.11", 1),
]
REG = DS("WSO2_SHARED_REG_DB", "jdbc/WSO2SharedRegDB", mysql("WSO2_REG_DB"), "regadmin")
UM = DS("WSO2_UM_DB", "jdbc/WSO2UMDB", mysql("WSO2_UM_DB"), "umadmin")
PRODUCT_DB = {
    "apim": DS("WSO2AM_DB", "jdbc/WSO2AM_DB", mysql("WSO2AM_DB"), "apimadmin"),
    "is": DS("WSO2_IDENTITY_DB", "jdbc/WSO2IdentityDS", mysql("WSO2_IDENTITY_DB"), "isadmin"),
}


def shared_tree() -> Files:
    """MySQL 5.7, one registry database; APIM x2 and IS x1, clustered, IS beside apim-1."""
    node_files: dict[str, Files] = {}
    for node in SHARED_NODES:
        peers = [n for n in SHARED_NODES if n.product == node.product]
        own: Files = {
            MASTER: master_xml([LOCAL, REG, UM, PRODUCT_DB[node.product]]),
            REGISTRY: registry_xml(
                [Remote("sharedregistry", REG)],
                ("sharedregistry", node.config_target),
                "sharedregistry",
            ),
            USER_MGT: user_mgt_xml(UM.jndi),
            CARBON: carbon_xml(node.offset),
            AXIS2: axis2_xml(
                f"wso2.{node.product}.domain",
                node.host,
                4000 + node.offset,
                [(p.host, 4000 + p.offset) for p in peers],
            ),
        }
        if node.product == "apim":
            own[MYSQL_JAR] = jar("com.mysql.jdbc.Driver", "com.mysql.jdbc.Connection")
        node_files[node.id] = own
    return assemble(
        SHARED_NODES,
        node_files,
        engine="mysql5.7",
        layout="shared",
        driver_jars={"apim-1", "apim-2"},
    )


SPLIT_NODES = [
    Node("apim-1", "apim", "10.0.2.11", 0),
    Node("apim-2", "apim", "10.0.2.12", 0),
    Node("ei-1", "ei", "10.0.2.13", 0, conf_dir="conf", lib_dir="lib", profile="integrator"),
]


def pg(name: str, jndi: str, database: str, user: str) -> DS:
    """A PostgreSQL datasource whose password is a Secure Vault alias."""
    url = postgresql(database)
    return DS(name, jndi, url, user, "org.postgresql.Driver", "SELECT 1; COMMIT", vault=True)


CONF_DB = pg("WSO2_CONFIG_REG_DB", "jdbc/WSO2ConfigRegDB", "reg_config", "confadm")
GOV_DB = pg("WSO2_GOV_REG_DB", "jdbc/WSO2GovRegDB", "reg_gov", "govadm")
UM_PG = pg("WSO2_UM_DB", "jdbc/WSO2UMDB", "wso2_um", "umadm")
AM_PG = pg("WSO2AM_DB", "jdbc/WSO2AM_DB", "wso2am", "amadm")


def split_tree() -> Files:
    """PostgreSQL, config and governance in two databases, Secure Vault; APIM x2 and EI x1."""
    node_files: dict[str, Files] = {}
    for node in SPLIT_NODES:
        datasources = [LOCAL, CONF_DB, GOV_DB, UM_PG] + ([AM_PG] if node.product == "apim" else [])
        c = node.conf_dir
        own: Files = {
            f"{c}/datasources/master-datasources.xml": master_xml(datasources),
            f"{c}/registry.xml": registry_xml(
                [Remote("configregistry", CONF_DB), Remote("govregistry", GOV_DB)],
                ("configregistry", node.config_target),
                "govregistry",
            ),
            f"{c}/user-mgt.xml": user_mgt_xml(UM_PG.jndi),
            **vault_files(c, datasources),
        }
        node_files[node.id] = own
    return assemble(SPLIT_NODES, node_files, engine="postgresql", layout="split", secure_vault=True)


# ============================================================================================
# Mutations
# ============================================================================================

Mutation = Callable[[Files], Files]


def edit(path: str, old: str, new: str, *, count: int = 1) -> Mutation:
    """Replace `old` (which must be there) in one tree file."""

    def apply(files: Files) -> Files:
        text = files[path].decode("iso-8859-1")
        assert old in text, f"{old!r} not in {path}"
        out = dict(files)
        out[path] = text.replace(old, new, count).encode("iso-8859-1")
        return out

    return apply


def on(node_ids: Iterable[str], relative: str, old: str, new: str, *, count: int = 1) -> Mutation:
    """The same edit on several nodes: per-node rules break, cross-node comparisons do not."""
    edits = [edit(f"nodes/{n}/{relative}", old, new, count=count) for n in node_ids]
    return chain(*edits)


def in_datasource(node: str, relative: str, name: str, old: str, new: str) -> Mutation:
    """Replace `old` inside one `<datasource>` block only."""

    def apply(files: Files) -> Files:
        path = f"nodes/{node}/{relative}"
        text = files[path].decode()
        pattern = re.compile(
            rf"<datasource>\s*<name>{re.escape(name)}</name>.*?</datasource>", re.S
        )
        block = pattern.search(text)
        assert block and old in block.group(0), f"{old!r} not in datasource {name}"
        changed = block.group(0).replace(old, new, 1)
        return {**files, path: (text[: block.start()] + changed + text[block.end() :]).encode()}

    return apply


def chain(*steps: Mutation) -> Mutation:
    def apply(files: Files) -> Files:
        for step in steps:
            files = step(files)
        return files

    return apply


def drop(*paths: str) -> Mutation:
    def apply(files: Files) -> Files:
        out = {
            p: c
            for p, c in files.items()
            if not any(p == x or p.startswith(x + "/") for x in paths)
        }
        assert len(out) < len(files), paths
        return out

    return apply


def add(path: str, content: bytes) -> Mutation:
    return lambda files: {**files, path: content}


def manifest_edit(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def apply(files: Files) -> Files:
        data = json.loads(files["manifest.json"])
        change(data)
        return {**files, "manifest.json": json.dumps(data).encode()}

    return apply


def _drop_node_entry(node_id: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["nodes"] = [n for n in data["nodes"] if n["id"] != node_id]

    return change


APIM = ["apim-1", "apim-2"]
CIPHER_TOOL = f"{R}/security/cipher-tool.properties"
SECRET_CONF = f"{R}/security/secret-conf.properties"
AM_CONF = "datasource[name='WSO2AM_DB']/definition/configuration"
CONFIG_MOUNT = "mount[@path='/_system/config']"
GOV_MOUNT = "mount[@path='/_system/governance']"
SHARED_REMOTE = "remoteInstance[id='sharedregistry']"


@dataclass(frozen=True)
class Case:
    id: str
    tree: Callable[[], Files]
    mutate: Mutation
    rule: int
    node: str
    file: str
    element: str
    also: frozenset[int] = frozenset()
    """Further rules the same mutation legitimately breaks (asserted too)."""


CASES = [
    # ---- rule 0: the tree --------------------------------------------------------------------
    Case("missing-manifest", shared_tree, drop("manifest.json"), 0, "", "manifest.json", ""),
    Case(
        "manifest-not-json",
        shared_tree,
        add("manifest.json", b"{nodes: ["),
        0,
        "",
        "manifest.json",
        "",
    ),
    Case(
        "folder-missing-from-manifest",
        shared_tree,
        manifest_edit(_drop_node_entry("apim-2")),
        0,
        "apim-2",
        "",
        "",
    ),
    Case("manifest-node-without-folder", shared_tree, drop("nodes/is-1"), 0, "is-1", "", ""),
    Case(
        "missing-registry-xml",
        shared_tree,
        drop(f"nodes/apim-1/{REGISTRY}"),
        0,
        "apim-1",
        REGISTRY,
        "",
    ),
    # ---- rules 1-8: datasources --------------------------------------------------------------
    Case(
        "unparseable-registry",
        shared_tree,
        add(f"nodes/apim-1/{REGISTRY}", b"<wso2registry><dbConfig name='x'></wso2registry>"),
        1,
        "apim-1",
        REGISTRY,
        "",
    ),
    Case(
        "datasources-wrong-root",
        shared_tree,
        on(["is-1"], MASTER, "datasources-configuration", "datasources-config", count=2),
        1,
        "is-1",
        MASTER,
        "",
    ),
    Case(
        "svns-declared-below-the-root",
        split_tree,
        chain(
            on(["apim-2"], MASTER, f' xmlns:svns="{SVNS}"', ""),
            on(["apim-2"], MASTER, "<datasources>", f'<datasources xmlns:svns="{SVNS}">'),
        ),
        1,
        "apim-2",
        MASTER,
        "datasources-configuration/@xmlns:svns",
    ),
    Case(
        "provider-removed",
        shared_tree,
        on(["apim-1"], MASTER, "rdbms.RDBMSDataSourceReader", "rdbms.OtherReader"),
        2,
        "apim-1",
        MASTER,
        "providers/provider",
    ),
    Case(
        "duplicate-datasource-name",
        shared_tree,
        on(["apim-1"], MASTER, "<name>WSO2AM_DB</name>", "<name>WSO2_UM_DB</name>"),
        3,
        "apim-1",
        MASTER,
        "datasource[name='WSO2_UM_DB']/name",
    ),
    Case(
        "duplicate-jndi",
        shared_tree,
        on(
            ["apim-1"],
            MASTER,
            "\n    </datasources>",
            datasource_xml(replace(PRODUCT_DB["apim"], name="WSO2AM_DB_COPY"))
            + "\n    </datasources>",
        ),
        4,
        "apim-1",
        MASTER,
        "datasource[name='WSO2AM_DB_COPY']/jndiConfig/name",
    ),
    Case(
        "misspelt-setting",
        shared_tree,
        in_datasource(
            "apim-1", MASTER, "WSO2AM_DB", "<maxActive>50</maxActive>", "<maxActiv>50</maxActiv>"
        ),
        5,
        "apim-1",
        MASTER,
        f"{AM_CONF}/maxActiv",
    ),
    Case(
        "non-integer-setting",
        shared_tree,
        in_datasource("apim-1", MASTER, "WSO2AM_DB", "<maxWait>60000<", "<maxWait>1 min<"),
        5,
        "apim-1",
        MASTER,
        f"{AM_CONF}/maxWait",
    ),
    Case(
        "missing-driver",
        shared_tree,
        in_datasource(
            "is-1",
            MASTER,
            "WSO2_IDENTITY_DB",
            "<driverClassName>com.mysql.jdbc.Driver</driverClassName>",
            "",
        ),
        5,
        "is-1",
        MASTER,
        "datasource[name='WSO2_IDENTITY_DB']/definition/configuration/driverClassName",
    ),
    Case(
        "driver-does-not-take-the-url",
        shared_tree,
        in_datasource(
            "is-1", MASTER, "WSO2_IDENTITY_DB", "com.mysql.jdbc.Driver", "org.mariadb.jdbc.Driver"
        ),
        6,
        "is-1",
        MASTER,
        "datasource[name='WSO2_IDENTITY_DB']/definition/configuration/driverClassName",
    ),
    Case(
        "oracle-validation-query-on-mysql",
        shared_tree,
        in_datasource("apim-1", MASTER, "WSO2AM_DB", ">SELECT 1<", ">SELECT 1 FROM DUAL<"),
        7,
        "apim-1",
        MASTER,
        f"{AM_CONF}/validationQuery",
    ),
    Case(
        "postgresql-without-commit",
        split_tree,
        in_datasource("apim-2", MASTER, "WSO2AM_DB", "SELECT 1; COMMIT", "SELECT 1"),
        7,
        "apim-2",
        MASTER,
        f"{AM_CONF}/validationQuery",
    ),
    Case(
        # PostgreSQL with auto-commit on: the COMMIT finds no transaction and the server logs
        # "there is no transaction in progress" on every validation.
        "postgresql-commit-with-autocommit-on",
        split_tree,
        in_datasource(
            "apim-2", MASTER, "WSO2AM_DB", "<defaultAutoCommit>false", "<defaultAutoCommit>true"
        ),
        7,
        "apim-2",
        MASTER,
        f"{AM_CONF}/validationQuery",
    ),
    Case(
        "test-on-borrow-off",
        shared_tree,
        in_datasource("apim-1", MASTER, "WSO2AM_DB", "<testOnBorrow>true", "<testOnBorrow>false"),
        7,
        "apim-1",
        MASTER,
        f"{AM_CONF}/testOnBorrow",
    ),
    Case(
        "double-escaped-ampersand",
        shared_tree,
        in_datasource("apim-1", MASTER, "WSO2AM_DB", "&amp;useSSL", "&amp;amp;useSSL"),
        8,
        "apim-1",
        MASTER,
        f"{AM_CONF}/url",
    ),
    # ---- rules 9-11: local database, drivers, vault -----------------------------------------
    Case(
        "local-db-outside-the-node",
        shared_tree,
        in_datasource("apim-2", MASTER, "WSO2_CARBON_DB", "./repository/database/", "/var/shared/"),
        9,
        "apim-2",
        MASTER,
        "datasource[name='WSO2_CARBON_DB']/definition/configuration/url",
    ),
    Case(
        "jar-without-the-driver",
        shared_tree,
        add(f"nodes/apim-1/{MYSQL_JAR}", jar("org.postgresql.Driver")),
        10,
        "apim-1",
        MASTER,
        "datasource[name='WSO2_SHARED_REG_DB']/definition/configuration/driverClassName",
    ),
    Case(
        "driver-jars-promised-but-absent",
        shared_tree,
        drop(f"nodes/apim-2/{MYSQL_JAR}"),
        10,
        "apim-2",
        MASTER,
        "datasource[name='WSO2_SHARED_REG_DB']/definition/configuration/driverClassName",
    ),
    Case(
        "alias-without-cipher-tool-line",
        split_tree,
        edit(
            f"nodes/apim-1/{CIPHER_TOOL}",
            "Datasources.WSO2_UM_DB.Configuration.Password=",
            "# removed=",
        ),
        11,
        "apim-1",
        MASTER,
        "datasource[name='WSO2_UM_DB']/definition/configuration/password",
    ),
    Case(
        "alias-without-cipher-text-line",
        split_tree,
        edit("nodes/ei-1/conf/security/cipher-text.properties", "Datasources.WSO2_GOV", "X"),
        11,
        "ei-1",
        "conf/datasources/master-datasources.xml",
        "datasource[name='WSO2_GOV_REG_DB']/definition/configuration/password",
    ),
    Case(
        "secret-conf-without-repository",
        split_tree,
        edit(f"nodes/apim-2/{SECRET_CONF}", "secretRepositories.file.location", "# gone"),
        11,
        "apim-2",
        SECRET_CONF,
        "secretRepositories.file.location",
    ),
    # ---- rules 12-17: registry.xml on each node ---------------------------------------------
    Case(
        "local-dbconfig-on-the-shared-db",
        shared_tree,
        on(APIM, REGISTRY, "jdbc/WSO2CarbonDB</dataSource>", "jdbc/WSO2SharedRegDB</dataSource>"),
        12,
        "apim-1",
        REGISTRY,
        "dbConfig[@name='wso2registry']/dataSource",
    ),
    Case(
        "current-dbconfig-is-the-shared-one",
        shared_tree,
        on(
            ["is-1"],
            REGISTRY,
            ">wso2registry</currentDBConfig>",
            ">sharedregistry</currentDBConfig>",
        ),
        12,
        "is-1",
        REGISTRY,
        "currentDBConfig",
        also=frozenset({14}),
    ),
    Case(
        "dbconfig-datasource-undefined",
        shared_tree,
        on(APIM, REGISTRY, ">jdbc/WSO2SharedRegDB<", ">jdbc/WSO2RegDB<"),
        13,
        "apim-2",
        REGISTRY,
        "dbConfig[@name='sharedregistry']/dataSource",
    ),
    Case(
        "remote-instance-with-credentials",
        shared_tree,
        on(
            APIM,
            REGISTRY,
            "<id>sharedregistry</id>",
            "<id>sharedregistry</id><username>admin</username><password>admin</password>",
        ),
        14,
        "apim-1",
        REGISTRY,
        f"{SHARED_REMOTE}/username",
    ),
    Case(
        "remote-instance-cache-off",
        shared_tree,
        on(
            APIM,
            REGISTRY,
            "<enableCache>true</enableCache>\n        <registryRoot>",
            "<enableCache>false</enableCache>\n        <registryRoot>",
        ),
        15,
        "apim-2",
        REGISTRY,
        f"{SHARED_REMOTE}/enableCache",
    ),
    Case(
        "wrong-cache-id",
        shared_tree,
        on(APIM, REGISTRY, "<cacheId>regadmin@", "<cacheId>wso2carbon@"),
        16,
        "apim-1",
        REGISTRY,
        f"{SHARED_REMOTE}/cacheId",
    ),
    Case(
        "mount-of-system-local",
        shared_tree,
        on(
            APIM,
            REGISTRY,
            "    <handler",
            '    <mount path="/_system/local" overwrite="true"><instanceId>sharedregistry'
            "</instanceId><targetPath>/_system/local</targetPath></mount>\n    <handler",
        ),
        17,
        "apim-1",
        REGISTRY,
        "mount[@path='/_system/local']/@path",
    ),
    Case(
        "mount-without-overwrite",
        shared_tree,
        on(["is-1"], REGISTRY, '"/_system/governance" overwrite="true"', '"/_system/governance"'),
        17,
        "is-1",
        REGISTRY,
        f"{GOV_MOUNT}/@overwrite",
    ),
    # ---- rules 18-20, 22: partitions across nodes -------------------------------------------
    Case(
        "governance-elsewhere",
        shared_tree,
        on(APIM, REGISTRY, "<targetPath>/_system/governance<", "<targetPath>/_system/gov<"),
        18,
        "apim-2",
        REGISTRY,
        f"{GOV_MOUNT}/targetPath",
    ),
    Case(
        "governance-db-differs-on-one-node",
        split_tree,
        chain(
            in_datasource("apim-2", MASTER, "WSO2_GOV_REG_DB", "/reg_gov<", "/reg_gov2<"),
            on(["apim-2"], REGISTRY, "/reg_gov</cacheId>", "/reg_gov2</cacheId>"),
        ),
        18,
        "apim-2",
        MASTER,
        "datasource[name='WSO2_GOV_REG_DB']/definition/configuration/url",
    ),
    Case(
        "config-target-differs-within-product",
        shared_tree,
        on(["apim-2"], REGISTRY, "/_system/apimconfig", "/_system/other"),
        19,
        "apim-2",
        REGISTRY,
        f"{CONFIG_MOUNT}/targetPath",
    ),
    Case(
        "two-products-one-config-target",
        shared_tree,
        on(["is-1"], REGISTRY, "/_system/isconfig", "/_system/apimconfig"),
        19,
        "is-1",
        REGISTRY,
        f"{CONFIG_MOUNT}/targetPath",
    ),
    Case(
        "nested-config-targets",
        split_tree,
        on(["ei-1"], "conf/registry.xml", "/_system/eiconfig", "/_system/apimconfig/ei"),
        19,
        "apim-1",
        REGISTRY,
        f"{CONFIG_MOUNT}/targetPath",
    ),
    Case(
        "config-target-on-governance",
        shared_tree,
        on(["is-1"], REGISTRY, "/_system/isconfig", "/_system/governance"),
        19,
        "is-1",
        REGISTRY,
        f"{CONFIG_MOUNT}/targetPath",
    ),
    Case(
        "config-db-differs-on-one-node",
        split_tree,
        chain(
            in_datasource("apim-2", MASTER, "WSO2_CONFIG_REG_DB", "/reg_config<", "/reg_config2<"),
            on(["apim-2"], REGISTRY, "/reg_config</cacheId>", "/reg_config2</cacheId>"),
        ),
        19,
        "apim-2",
        MASTER,
        "datasource[name='WSO2_CONFIG_REG_DB']/definition/configuration/url",
    ),
    Case(
        "split-config-mounted-from-governance",
        split_tree,
        on(
            APIM,
            REGISTRY,
            "<instanceId>configregistry</instanceId>",
            "<instanceId>govregistry</instanceId>",
        ),
        20,
        "apim-1",
        REGISTRY,
        f"{CONFIG_MOUNT}/instanceId",
    ),
    Case(
        "mount-block-differs-within-product",
        shared_tree,
        chain(
            on(
                ["apim-2"],
                REGISTRY,
                '<dbConfig name="sharedregistry">',
                '<dbConfig name="shared2">',
            ),
            on(["apim-2"], REGISTRY, "<dbConfig>sharedregistry<", "<dbConfig>shared2<"),
        ),
        22,
        "apim-2",
        REGISTRY,
        f"{SHARED_REMOTE}/dbConfig",
    ),
    # ---- rules 23-26: users and product files -----------------------------------------------
    Case(
        "user-db-differs-on-one-node",
        shared_tree,
        in_datasource("apim-2", MASTER, "WSO2_UM_DB", "/WSO2_UM_DB?", "/WSO2_UM2_DB?"),
        23,
        "apim-2",
        MASTER,
        "datasource[name='WSO2_UM_DB']/definition/configuration/url",
    ),
    Case(
        "realm-datasource-undefined",
        shared_tree,
        on(["is-1"], USER_MGT, ">jdbc/WSO2UMDB<", ">jdbc/WSO2UserDB<"),
        23,
        "is-1",
        USER_MGT,
        "Realm/Configuration/Property[@name='dataSource']",
    ),
    Case(
        "realm-on-the-local-db",
        split_tree,
        on(["ei-1"], "conf/user-mgt.xml", ">jdbc/WSO2UMDB<", ">jdbc/WSO2CarbonDB<"),
        23,
        "ei-1",
        "conf/user-mgt.xml",
        "Realm/Configuration/Property[@name='dataSource']",
    ),
    Case(
        "user-store-datasource-undefined",
        shared_tree,
        on(
            ["apim-1"],
            USER_MGT,
            '<Property name="ReadOnly">',
            '<Property name="dataSource">jdbc/Missing</Property><Property name="ReadOnly">',
        ),
        24,
        "apim-1",
        USER_MGT,
        "Realm/UserStoreManager[1]/Property[@name='dataSource']",
    ),
    Case(
        "missing-tenant-manager",
        shared_tree,
        on(["apim-1"], USER_MGT, 'name="TenantManager"', 'name="TenantMgr"'),
        25,
        "apim-1",
        USER_MGT,
        "Realm/UserStoreManager[1]/Property[@name='TenantManager']",
    ),
    Case(
        "missing-add-admin",
        shared_tree,
        on(["is-1"], USER_MGT, "<AddAdmin>true</AddAdmin>", "<AddAdmin/>"),
        25,
        "is-1",
        USER_MGT,
        "Realm/Configuration/AddAdmin",
    ),
    Case(
        "api-manager-names-an-undefined-datasource",
        shared_tree,
        add(
            f"nodes/apim-1/{R}/api-manager.xml",
            b"<APIManager><DataSourceName>jdbc/WSO2AM_DB_X</DataSourceName></APIManager>",
        ),
        26,
        "apim-1",
        f"{R}/api-manager.xml",
        "DataSourceName",
    ),
    # ---- rules 29-31: ports, clustering, EI layout ------------------------------------------
    Case(
        "offset-clash-on-one-host",
        shared_tree,
        on(["is-1"], CARBON, "<Offset>1</Offset>", "<Offset>0</Offset>"),
        29,
        "is-1",
        CARBON,
        "Ports/Offset",
    ),
    Case(
        "https-of-one-is-http-of-another",
        shared_tree,
        on(["is-1"], CARBON, "<Offset>1</Offset>", "<Offset>320</Offset>"),
        29,
        "is-1",
        CARBON,
        "Ports/Offset",
    ),
    Case(
        "negative-offset",
        shared_tree,
        on(["apim-2"], CARBON, "<Offset>0</Offset>", "<Offset>-1</Offset>"),
        29,
        "apim-2",
        CARBON,
        "Ports/Offset",
    ),
    Case(
        "loopback-member-host",
        shared_tree,
        on(["apim-2"], AXIS2, '"localMemberHost">10.0.1.12<', '"localMemberHost">127.0.0.1<'),
        30,
        "apim-2",
        AXIS2,
        "clustering/parameter[@name='localMemberHost']",
    ),
    Case(
        "member-list-does-not-match-nodes",
        shared_tree,
        on(["apim-1"], AXIS2, "<hostName>10.0.1.12</hostName>", "<hostName>10.0.1.99</hostName>"),
        30,
        "apim-1",
        AXIS2,
        "clustering/members/member[2]",
    ),
    Case(
        "clustering-off-with-cache-on",
        shared_tree,
        on(["is-1"], AXIS2, 'enable="true"', 'enable="false"'),
        30,
        "is-1",
        AXIS2,
        "clustering/@enable",
    ),
    Case(
        "one-domain-for-two-products",
        shared_tree,
        on(["is-1"], AXIS2, "wso2.is.domain", "wso2.apim.domain"),
        30,
        "apim-1",
        AXIS2,
        "clustering/parameter[@name='domain']",
    ),
    Case(
        "two-domains-in-one-product",
        shared_tree,
        on(["apim-2"], AXIS2, "wso2.apim.domain", "wso2.apim2.domain"),
        30,
        "apim-2",
        AXIS2,
        "clustering/parameter[@name='domain']",
    ),
    # ---- rule 38: a loopback database host -----------------------------------------------
    Case(
        "loopback-database-for-nodes-on-two-hosts",
        shared_tree,
        on(APIM, MASTER, "db.example.com:3306/WSO2AM_DB", "127.0.0.1:3306/WSO2AM_DB"),
        38,
        "apim-1",
        MASTER,
        f"{AM_CONF}/url",
    ),
    Case(
        "ei-file-under-repository-conf",
        split_tree,
        lambda files: {
            **files,
            f"nodes/ei-1/{REGISTRY}": files["nodes/ei-1/conf/registry.xml"],
        },
        31,
        "ei-1",
        REGISTRY,
        "",
    ),
]


def show(findings: Iterable[Finding]) -> str:
    return "\n".join(str(f) for f in findings) or "(no findings)"


# ============================================================================================
# Tests
# ============================================================================================


@pytest.mark.parametrize("tree", [shared_tree, split_tree], ids=["shared", "split"])
def test_a_correct_tree_has_no_findings(tree: Callable[[], Files]) -> None:
    findings = check_files(tree())
    assert findings == [], show(findings)


def mutation_findings(case: Case) -> list[Finding]:
    """The findings of `case`'s broken tree, asserted to be exactly its rules, one of them at
    the case's node, file and element."""
    findings = check_files(case.mutate(case.tree()))
    assert {f.rule for f in findings} == {case.rule} | case.also, show(findings)
    wanted = (case.rule, case.node, case.file, case.element)
    assert any((f.rule, f.node, f.file, f.element) == wanted for f in findings), show(findings)
    return findings


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_mutation_breaks_its_rule(case: Case) -> None:
    findings = mutation_findings(case)
    for finding in findings:
        assert finding.rule in RULE_TITLES
        assert finding.message and str(finding).startswith(f"rule {finding.rule} · ")


def test_every_checked_rule_has_a_mutation_test() -> None:
    tested = {c.rule for c in CASES} | {r for c in CASES for r in c.also}
    # The product-level rules (wizard/rules/products.py, fronts.py) are tested in
    # test_product_rules.py, rule 37 (wizard/rules/databases.py) in test_product_databases.py,
    # rule 39 (the README's order, wizard/rules/readme.py) in test_readme_order.py, rule 28
    # (scripts against a distribution, wizard/rules/scripts.py) in test_distribution_scripts.py.
    assert set(RULE_TITLES) - set(range(32, 38)) - {28, 39} == tested


def test_cache_id_finding_reads_as_documented() -> None:
    files = on(APIM, REGISTRY, "<cacheId>regadmin@", "<cacheId>x@")(shared_tree())
    finding = next(f for f in check_files(files) if f.node == "apim-1")
    assert str(finding) == (
        "rule 16 · apim-1 · repository/conf/registry.xml · "
        "remoteInstance[id='sharedregistry']/cacheId: cacheId "
        f"'x@{REG.url}' is not <user>@<url> of jdbc/WSO2SharedRegDB ('{REG.cache_id}')"
    )


def test_tree_wide_findings_print_as_tree() -> None:
    finding = check_files({})[0]
    assert str(finding).startswith("rule 0 · tree · manifest.json: no manifest.json")


def test_findings_are_sorted_by_node_file_rule() -> None:
    files = chain(
        on(["is-1"], CARBON, "<Offset>1</Offset>", "<Offset>0</Offset>"),
        on(APIM, REGISTRY, "<cacheId>regadmin@", "<cacheId>x@"),
        drop("manifest.json"),
    )(shared_tree())
    findings = check_files(files)
    keys = [(f.node, f.file, f.rule) for f in findings]
    assert keys == sorted(keys)
    assert {f.rule for f in findings} == {0, 16}  # without a manifest, hosts are unknown


def test_the_checker_never_raises_on_garbage() -> None:
    trees: list[Files] = [
        {"manifest.json": b"[]"},
        {"manifest.json": b'{"schema_version": 1, "nodes": "apim-1"}'},
        {"manifest.json": b'{"schema_version": 1, "nodes": [{"id": "../x"}, 3, {"id": "a"}]}'},
        {"manifest.json": b"\xff\xfe", "nodes/a": b"x"},
        {
            f"nodes/a/{REGISTRY}": b"\x00\x01",
            f"nodes/a/{MASTER}": b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
        },
        {
            **shared_tree(),
            f"nodes/apim-1/{CARBON}": b"<Server><Ports><Offset>0</Offset></Ports></Server>",
        },
        {**shared_tree(), f"nodes/apim-1/{AXIS2}": b"<axisconfig/>"},
        {**shared_tree(), f"nodes/apim-1/{MYSQL_JAR}": b"not a zip"},
    ]
    for files in trees:
        findings = check_files(files)
        assert findings, files.keys()
        assert all(f.rule in RULE_TITLES for f in findings)


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("jdbc/LEAKED")
    files = add(
        f"nodes/apim-1/{R}/api-manager.xml",
        f'<!DOCTYPE a [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
        "<APIManager><DataSourceName>&e;</DataSourceName></APIManager>".encode(),
    )(shared_tree())
    # Resolved, the name would be jdbc/LEAKED, which no datasource defines (a rule-26
    # finding); unresolved, it stays empty: nothing is read from outside the tree.
    assert check_files(files) == []


def write(files: Files, root: Path) -> Path:
    """`files` on disk with the modes the writer gives them (files 0600, scripts and
    folders 0700), which `check_tree` verifies."""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        target.chmod(0o700 if path.endswith(".sh") else 0o600)
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        folder.chmod(0o700)
    return root


@pytest.mark.parametrize(
    "files",
    [shared_tree(), split_tree(), CASES[0].mutate(shared_tree()), CASES[-1].mutate(split_tree())],
    ids=["shared", "split", "no-manifest", "ei-misplaced"],
)
def test_check_tree_equals_check_files(files: Files, tmp_path: Path) -> None:
    assert check_tree(write(files, tmp_path / "tree")) == check_files(files)


def test_check_tree_does_not_follow_links_out_of_the_tree(tmp_path: Path) -> None:
    files = shared_tree()
    root = write(files, tmp_path / "tree")
    outside = tmp_path / "outside.xml"
    outside.write_bytes(b"<not-closed>")
    os.symlink(outside, root / "nodes/apim-1/repository/conf/extra.xml")
    os.symlink(tmp_path, root / "nodes/apim-1/escape")
    os.symlink(root / "README.md", root / "nodes/apim-1/readme-link.md")
    os.symlink(root / "nodes/apim-1/loop", root / "nodes/apim-1/loop")
    assert check_tree(root) == []


# ---- WSO2's own cluster files -----------------------------------------------------------------


def test_wso2_kubernetes_apim_example_has_the_known_cache_id_quirk(tmp_path: Path) -> None:
    if not KA_APIM.is_dir():
        pytest.skip(f"WSO2 cluster examples not found at {KA_APIM} (../shared/upstream is absent)")
    node_files = {
        REGISTRY: (KA_APIM / "registry.xml").read_bytes(),
        USER_MGT: (KA_APIM / "user-mgt.xml").read_bytes(),
        MASTER: (KA_APIM / "datasources/master-datasources.xml").read_bytes(),
    }
    files = assemble(
        [Node("apim-1", "apim", "10.0.1.11", 0)],
        {"apim-1": node_files},
        engine="mysql5.7",
        layout="shared",
    )
    findings = check_tree(write(files, tmp_path / "ka-tree"))
    quirk = [f for f in findings if f.rule == 16]
    assert [(f.node, f.file, f.element) for f in quirk] == [
        ("apim-1", REGISTRY, "remoteInstance[id='gov']/cacheId")
    ], show(findings)
    assert "?autoReconnect=true&useSSL=false" in quirk[0].message
    # Nothing else in WSO2's working example breaks a rule.
    assert {f.rule for f in findings} == {16}, show(findings)
