"""Products and database engines of the Carbon 4.4.x family, as data.

Facts come from the WSO2 distributions and docs (product poms, stock
master-datasources.xml files, the kernel dbscripts folder). Nothing here does I/O.

One module, past the usual size, because it is one table: each product entry sits next to
the database records and constants it shares with the others, each with the source its
facts come from; split, an entry would be read away from what it refers to.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

# Engines live in wizard.engines; these names stay importable from here.
from wizard.engines import ENGINES as ENGINES
from wizard.engines import Engine as Engine
from wizard.engines import EngineId as EngineId

ProductId = Literal["apim", "is", "is-km", "ei", "esb", "dss", "as", "bps", "mb", "das", "greg"]
UserStoreKind = Literal["jdbc", "ldap", "embedded-ldap"]


@dataclass(frozen=True)
class ProductDatabase:
    """A database a product needs shared by its nodes, beyond registry and user management."""

    key: str
    """The datasource name in the stock file (and the key in the answers file)."""
    jndi_name: str
    """The JNDI name the product looks the datasource up by; "" where it looks it up by its
    datasource name and the stock file gives it no jndiConfig (DAS's analytics stores)."""
    description: str
    datasources_file: str
    """File under the conf dir that defines the datasource (stock location)."""
    default_name: str
    default_user: str
    scripts: tuple[str, ...]
    """Schema scripts relative to the profile's dbscripts folder (`Profile.dbscripts_root`),
    in the order to run them; `{suffix}` is the engine's script suffix."""
    auto_commit: bool = False
    script_suffixes: dict[str, str] = field(default_factory=dict)
    """Per-engine overrides of the script suffix where a product names files its own way."""
    script_since: dict[str, str] = field(default_factory=dict)
    """Script template -> the first product version that ships it."""
    optional: bool = False
    """The answers may leave it out: the product then keeps this data in each node's own
    stock datasource (embedded H2), which is right only where `left_out` says."""
    optional_alone: bool = False
    """Optional for a cluster of one node only; its nodes must share it once there are two
    (Identity Server's BPS_DS: no doc of WSO2 lets a cluster keep it on each node)."""
    left_out: str = ""
    """For an optional database: what leaving it out means, and when that is right (for the
    preview and the README)."""
    shared_by_default: bool = True
    """For an optional database: whether both front ends offer it shared (the BPMN database)
    or local (IS as Key Manager's workflow database, as WSO2's own deployment keeps it)."""
    unshipped: tuple[str, ...] = ()
    """Engine kinds WSO2 ships no schema script of this database for: the plan names none
    and says so (the operator creates the tables another way)."""
    creates_tables: str = ""
    """Where the product creates its own tables and ships no script: how, for the README
    (`scripts` is then empty for every engine)."""
    stock_pool: tuple[tuple[str, str], ...] = ()
    """Pool settings of the product's stock datasource beyond the kernel's, given to a
    datasource the tree adds to a file without it (no distribution: no stock file to keep)."""

    def optional_for(self, nodes: int) -> bool:
        """Whether the answers may leave it out for a product cluster of `nodes` nodes."""
        return self.optional or (self.optional_alone and nodes < 2)

    def scripts_for(self, engine: Engine, version: str | None = None) -> tuple[str, ...]:
        """`{suffix}` takes the product's own name for the engine, `{engine}` the engine's.
        With `version`, scripts the product only ships from a later version are left out.
        Paths are relative to the dbscripts folder: `Profile.scripts` roots them."""
        suffix = self.script_suffixes.get(engine.id, engine.script_suffix)
        return tuple(
            s.format(suffix=suffix, engine=engine.script_suffix)
            for s in self.scripts
            if version is None
            or _version_key(version) >= _version_key(self.script_since.get(s, "0"))
        )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


@dataclass(frozen=True)
class Profile:
    """Where one runnable profile of a product keeps its files."""

    name: str
    conf_dir: str
    lib_dir: str
    databases: tuple[ProductDatabase, ...] = ()
    default_offset: int = 0
    dbscripts_root: str = "dbscripts"
    """The folder under PRODUCT_HOME that holds this profile's product scripts. EI 6.x packs
    each profile's own under wso2/<profile>/dbscripts (product-ei v6.4.0
    distribution/src/assembly/bin.xml, lines 508-577 and 824-846); the kernel scripts
    (`Engine.kernel_script`) are at PRODUCT_HOME/dbscripts in every product and EI profile
    (the same bin.xml copies the kernel zip, dbscripts included, to the root, lines 49-87)."""

    def scripts(
        self, db: ProductDatabase, engine: Engine, version: str | None = None
    ) -> tuple[str, ...]:
        """`db`'s schema scripts for `engine` as paths under PRODUCT_HOME, in order; none
        where WSO2 ships none for the engine."""
        if engine.kind in db.unshipped:
            return ()
        return tuple(f"{self.dbscripts_root}/{s}" for s in db.scripts_for(engine, version))

    @property
    def required_databases(self) -> tuple[ProductDatabase, ...]:
        """The databases every cluster of this profile needs, whatever its size."""
        return tuple(db for db in self.databases if not (db.optional or db.optional_alone))

    def required_for(self, nodes: int) -> tuple[ProductDatabase, ...]:
        """The databases a cluster of `nodes` nodes of this profile needs."""
        return tuple(db for db in self.databases if not db.optional_for(nodes))


@dataclass(frozen=True)
class Product:
    id: str
    label: str
    archive_prefix: str
    """Distribution zips and folders are named `<prefix>-<version>`."""
    versions: dict[str, str]
    """Product version -> Carbon kernel version."""
    profiles: dict[str, Profile]
    default_profile: str
    identity_jndi: str | None = None
    """JNDI name identity.xml (JDBCPersistenceManager) and consent-mgt-config.xml must name
    so that OAuth tokens, sessions and consents are shared; None for products without them."""
    borrows: tuple[tuple[str, str], ...] = ()
    """(product id, database key) pairs this product shares with another product of the plan
    instead of asking for its own (IS as Key Manager uses API Manager's WSO2AM_DB)."""
    chooses_user_store: bool = False
    """Identity Server family: the primary user store is an answer (jdbc, ldap, embedded-ldap)."""
    cluster_by_hand: str = ""
    """What a cluster of two or more nodes of this product still needs that the tree does not
    set (for the preview and the README); "" when the tree sets all of it."""

    def profile(self, name: str | None) -> Profile:
        return self.profiles[name or self.default_profile]


_REPO_CONF = "repository/conf"
_REPO_LIB = "repository/components/lib"

_APIM_DB = ProductDatabase(
    key="WSO2AM_DB",
    jndi_name="jdbc/WSO2AM_DB",
    description="The datasource used for API Manager database",
    datasources_file="datasources/master-datasources.xml",
    default_name="WSO2AM_DB",
    default_user="apimadmin",
    scripts=("apimgt/{suffix}.sql",),
    auto_commit=True,
)
_IDENTITY_DB = ProductDatabase(
    key="WSO2_IDENTITY_DB",
    jndi_name="jdbc/WSO2IdentityDS",
    description="The datasource used for identity, UMA and consent data",
    datasources_file="datasources/master-datasources.xml",
    default_name="WSO2_IDENTITY_DB",
    default_user="isadmin",
    scripts=(
        "identity/{suffix}.sql",
        # The UMA scripts follow the kernel's names (mysql5.7.sql), not identity's.
        "identity/uma/{engine}.sql",
        "consent/{suffix}.sql",
    ),
    auto_commit=True,
    # Identity Server names its MySQL 5.7 scripts with a dash (consent: same).
    script_suffixes={"mysql5.7": "mysql-5.7", "mysql8": "mysql-5.7"},
    # Consent management came with IS 5.5.0 (GDPR), UMA with 5.7.0.
    script_since={
        "consent/{suffix}.sql": "5.5.0",
        "identity/uma/{engine}.sql": "5.7.0",
    },
)
# BPEL, HumanTask and attachments (Apache ODE): one create script per engine, which the BPEL
# server feature's p2.inf copies to dbscripts/bps/bpel/ (carbon-business-process v4.4.10;
# ../shared/upstream/bps-3.6.0/SOURCES.md). The stock bps-datasources.xml defines BPS_DS.
_BPS_DB = ProductDatabase(
    key="BPS_DS",
    jndi_name="bpsds",
    description="The datasource used for the BPEL engine",
    datasources_file="datasources/bps-datasources.xml",
    default_name="WSO2_BPS_DB",
    default_user="bpsadmin",
    scripts=("bps/bpel/create/{suffix}.sql",),
    # defaultAutoCommit true, as every stock bps-datasources.xml has it (product-bps v3.6.0
    # modules/distribution/conf/datasources, product-ei v6.4.0 business-process, IS 5.7.0):
    # used where the tree adds BPS_DS to a file without it (the kernel baseline).
    auto_commit=True,
    script_suffixes={"mysql5.7": "mysql", "mysql8": "mysql", "mariadb": "mysql"},
)
# Identity Server's workflow engine (approvals for user and role operations) is the same BPEL
# and HumanTask engine: every IS 4.4.x version installs the bpel, humantask and attachment-mgt
# server features (product-is v5.1.0-v5.8.0 modules/p2-profile-gen/pom.xml; v5.7.0 lines
# 382-390 pin carbon-business-process 4.4.39), whose p2.inf files copy bps-datasources.xml
# to repository/conf/datasources/ and their create scripts (one blob per engine, the same as
# BPS 3.6.0's) to dbscripts/bps/bpel/; bin.xml packs dbscripts/bps (v5.7.0 lines 460-463).
# Stock file: ../shared/upstream/is-5.7.0/repository/conf/datasources/bps-datasources.xml.
# WSO2 lists BPS_DB, in bps-datasources.xml, among the databases of an IS cluster (IS570
# "Setting Up Separate Databases for Clustering",
# https://wso2docs.atlassian.net/wiki/spaces/IS570/pages/38175125) and shares it in its own
# IS 5.7.0 cluster (kubernetes-is v5.7.0.1 is/confs/datasources/bps-datasources.xml:
# WSO2IS_BPS_DB); no WSO2 page read here lets a cluster keep it on each node: a lone node may.
_IS_BPS_DB = replace(
    _BPS_DB,
    description="The datasource used for the workflow engine",
    default_name="WSO2IS_BPS_DB",
    default_user="isbpsadmin",
    optional_alone=True,
    left_out=(
        "workflow (BPEL and human task) data stays in the node's own H2 file "
        "(repository/database/jpadb): right for one node only; two or more nodes must share it"
    ),
)
# IS as Key Manager 5.7.0 is the IS 5.7.0 pack with API Manager features added (product-apim
# modules/is-km; ../shared/upstream/is-km-5.7.0/SOURCES.md), so it ships the same
# bps-datasources.xml and dbscripts/bps. WSO2's own IS-as-Key-Manager deployment leaves BPS_DS
# on each node's H2 (ansible-apim v2.6.0.7 dev/group_vars/apim-is-as-km.yml, lines 88-92).
_IS_KM_BPS_DB = replace(
    _BPS_DB,
    description="The datasource used for the workflow engine",
    default_name="WSO2ISKM_BPS_DB",
    default_user="iskmbpsadmin",
    optional=True,
    shared_by_default=False,
    left_out=(
        "workflow (BPEL and human task) data stays in each node's own H2 file "
        "(repository/database/jpadb), as WSO2's own key manager deployments keep it: right "
        "while no Identity Server workflow is engaged on the key manager"
    ),
)
# BPMN (Activiti 5.21): ACTIVITI_DB, JNDI jdbc/ActivitiDB, H2 repository/database/activiti in
# the stock activiti-datasources.xml (product-bps v3.6.0 modules/distribution/conf/datasources;
# product-ei v6.4.0 distribution/src/business-process/conf/datasources). The BPMN server
# feature's p2.inf copies its dbscripts/ to dbscripts/bps/bpmn/ (carbon-business-process v4.4.10
# and v4.4.79, features/bpmn/org.wso2.carbon.bpmn.server.feature): per engine
# activiti.<db>.create.{engine,history,identity,substitute}.sql, <db> being Activiti's name
# (mysql, postgres, oracle, mssql, db2). Activiti creates engine, then history, then identity
# (Activiti 5.x DbSqlSession.dbSchemaCreate); substitute is WSO2's ACT_BPS_SUBSTITUTES table,
# on its own. The mysql55 variants are for MySQL before 5.6 (no fractional seconds).
_ACTIVITI_DB = ProductDatabase(
    key="ACTIVITI_DB",
    jndi_name="jdbc/ActivitiDB",
    description="The datasource used for activiti engine",
    datasources_file="datasources/activiti-datasources.xml",
    # WSO2's BPS clustering guide names it BPMN_DB (CLUSTER420 "Clustering Business Process
    # Server").
    default_name="WSO2_BPMN_DB",
    default_user="bpmnadmin",
    scripts=tuple(
        f"bps/bpmn/create/activiti.{{suffix}}.create.{part}.sql"
        for part in ("engine", "history", "identity", "substitute")
    ),
    script_suffixes={
        "mysql5.7": "mysql",
        "mysql8": "mysql",
        "mariadb": "mysql",
        "postgresql": "postgres",
    },
    # The stock activiti-datasources.xml sets no defaultAutoCommit, so its pool hands out
    # connections in the driver's default auto-commit mode (on); a datasource the tree adds
    # to a file without it behaves the same.
    auto_commit=True,
    # The substitute script (user substitution, carbon-business-process v4.4.10) first ships
    # in BPS 3.6.0; BPS 3.5.x (v4.4.4, v4.4.7) has the other three. Every EI 6.x version is
    # later (product-ei v6.0.0 pins v4.4.12, v6.4.0 v4.4.79).
    script_since={"bps/bpmn/create/activiti.{suffix}.create.substitute.sql": "3.6.0"},
    optional=True,
    left_out=(
        "BPMN (Activiti) data stays in each node's own H2 file (repository/database/activiti): "
        "right when no BPMN process is deployed, or on one node; with more than one node and "
        "BPMN in use, the nodes must share it"
    ),
)
# The message broker store (Andes): dbscripts/mb-store/<db>-mb.sql, copied there by the Andes
# server feature's p2.inf (carbon-business-messaging v3.2.44 for API Manager 2.6.0, v3.2.62 for
# EI 6.4.0, same scripts). No DB2 script ships in either.
_MB_DB = ProductDatabase(
    key="WSO2_MB_STORE_DB",
    jndi_name="WSO2MBStoreDB",
    description="The datasource used for the message broker store",
    datasources_file="datasources/master-datasources.xml",
    default_name="WSO2_MB_DB",
    default_user="mbadmin",
    scripts=("mb-store/{suffix}-mb.sql",),
    script_suffixes={"mysql5.7": "mysql", "mysql8": "mysql", "mariadb": "mysql"},
    # The feature ships h2, mssql, mysql, oracle, oracle-rac and postgresql (its p2.inf,
    # features/andes/org.wso2.carbon.andes.server.feature/resources/p2.inf at both tags).
    unshipped=("db2",),
)

# Data Analytics Server 3.x keeps its analytics records in two datasources of
# repository/conf/datasources/analytics-datasources.xml, without jndiConfig:
# analytics-config.xml names them by datasource name (EVENT_STORE and EVENT_STORE_WO in
# WSO2_ANALYTICS_EVENT_STORE_DB, PROCESSED_DATA_STORE in ..._PROCESSED_DATA_STORE_DB).
# carbon-analytics v1.0.5 / v1.2.7 / v1.3.25 (DAS 3.0.1 / 3.1.0 / 3.2.0, product-das pom.xml),
# features/analytics-data-connectors/org.wso2.carbon.analytics.datasource.rdbms.server.feature/
# src/main/resources/conf/{datasources/analytics-datasources.xml,analytics/analytics-config.xml}.
# No script ships: RDBMSAnalyticsRecordStore creates its tables when first used, with the
# queries of conf/analytics/rdbms-config.xml for the database product name the driver reports
# (RDBMSUtils.lookupCurrentQueryConfigurationEntry). Every node of a DAS cluster points both
# at the same databases (CLUSTER44x "Minimum High Availability Deployment for WSO2 DAS 3.1.0",
# https://wso2docs.atlassian.net/wiki/spaces/CLUSTER44x/pages/9732857); DAS 3.0.1 dropped
# 3.0.0's WSO2_ANALYTICS_FS_DB (index data went to each node's file system).
_DAS_CREATES = (
    "DAS creates its tables itself when it first stores a record, with the queries of "
    "repository/conf/analytics/rdbms-config.xml for the database the driver reports: the "
    "database and its user need only exist"
)
# The stock pool beyond the kernel's: DAS validates idle connections instead of each borrow,
# and 3.1.0+ reads committed data (v1.2.7 added defaultTransactionIsolation; harmless on 3.0.1,
# whose kernel 4.4.3 reads the same setting).
_DAS_POOL = (
    ("initialSize", "0"),
    ("testWhileIdle", "true"),
    ("minEvictableIdleTimeMillis", "4000"),
    ("defaultTransactionIsolation", "READ_COMMITTED"),
)
_DAS_EVENT_DB = ProductDatabase(
    key="WSO2_ANALYTICS_EVENT_STORE_DB",
    jndi_name="",
    description="The datasource used for analytics record store",
    datasources_file="datasources/analytics-datasources.xml",
    # Short enough for every engine's identifier limit (Oracle 11g: 30).
    default_name="WSO2_DAS_EVENT_STORE_DB",
    default_user="daseventadmin",
    scripts=(),
    creates_tables=_DAS_CREATES,
    stock_pool=_DAS_POOL,
)
_DAS_PROCESSED_DB = replace(
    _DAS_EVENT_DB,
    key="WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB",
    # The stock file describes both as the "record store"; the picture tells them apart.
    description="The datasource used for analytics processed data store",
    default_name="WSO2_DAS_PROCESSED_DB",
    default_user="dasprocadmin",
)


def _carbon(databases: tuple[ProductDatabase, ...] = ()) -> dict[str, Profile]:
    return {"default": Profile("default", _REPO_CONF, _REPO_LIB, databases)}


PRODUCTS: dict[str, Product] = {
    p.id: p
    for p in (
        Product(
            id="apim",
            label="API Manager",
            archive_prefix="wso2am",
            versions={
                "2.0.0": "4.4.7",
                "2.1.0": "4.4.11",
                "2.2.0": "4.4.26",
                "2.5.0": "4.4.32",
                "2.6.0": "4.4.35",
            },
            profiles=_carbon((_APIM_DB,)),
            default_profile="default",
            # API Manager's build moves identity.xml and consent-mgt-config.xml to WSO2AM_DB
            # (apim-2.6.0 SOURCES.md; AM260 "Configuring WSO2 IS as a Key Manager").
            identity_jndi=_APIM_DB.jndi_name,
        ),
        Product(
            id="is",
            label="Identity Server",
            archive_prefix="wso2is",
            versions={
                "5.1.0": "4.4.3",
                "5.2.0": "4.4.9",
                "5.3.0": "4.4.11",
                "5.4.0": "4.4.20",
                "5.5.0": "4.4.26",
                "5.6.0": "4.4.32",
                "5.7.0": "4.4.35",
                "5.8.0": "4.4.40",
            },
            profiles=_carbon((_IDENTITY_DB, _IS_BPS_DB)),
            default_profile="default",
            identity_jndi=_IDENTITY_DB.jndi_name,
            chooses_user_store=True,
        ),
        Product(
            # WSO2's pre-packaged IS as Key Manager for API Manager 2.6.0: built from IS 5.7.0
            # with the key-manager features (product-apim modules/is-km). It keeps its OAuth
            # (IDN_*) and API (AM_*) data in API Manager's WSO2AM_DB, whose tables the apimgt
            # script creates; identity.xml already names jdbc/WSO2AM_DB in the pack.
            id="is-km",
            label="Identity Server as Key Manager",
            archive_prefix="wso2is-km",
            versions={"5.7.0": "4.4.35"},
            profiles=_carbon((_IS_KM_BPS_DB,)),
            default_profile="default",
            identity_jndi=_APIM_DB.jndi_name,
            borrows=(("apim", _APIM_DB.key),),
            chooses_user_store=True,
        ),
        Product(
            id="ei",
            label="Enterprise Integrator",
            archive_prefix="wso2ei",
            versions={
                "6.0.0": "4.4.14",
                "6.1.0": "4.4.16",
                "6.1.1": "4.4.16",
                "6.2.0": "4.4.26",
                "6.3.0": "4.4.32",
                "6.4.0": "4.4.36",
                "6.5.0": "4.4.40",
            },
            profiles={
                "integrator": Profile("integrator", "conf", "lib"),
                "business-process": Profile(
                    "business-process",
                    "wso2/business-process/conf",
                    "lib",
                    (_BPS_DB, _ACTIVITI_DB),
                    2,
                    "wso2/business-process/dbscripts",
                ),
                "broker": Profile(
                    "broker", "wso2/broker/conf", "lib", (_MB_DB,), 3, "wso2/broker/dbscripts"
                ),
            },
            default_profile="integrator",
        ),
        Product(
            id="esb",
            label="Enterprise Service Bus",
            archive_prefix="wso2esb",
            versions={"4.9.0": "4.4.1", "5.0.0": "4.4.8"},
            profiles=_carbon(),
            default_profile="default",
        ),
        Product(
            id="dss",
            label="Data Services Server",
            archive_prefix="wso2dss",
            versions={"3.5.0": "4.4.2", "3.5.1": "4.4.9"},
            profiles=_carbon(),
            default_profile="default",
        ),
        Product(
            id="as",
            label="Application Server",
            archive_prefix="wso2as",
            versions={"5.3.0": "4.4.1"},
            profiles=_carbon(),
            default_profile="default",
        ),
        Product(
            id="bps",
            label="Business Process Server",
            archive_prefix="wso2bps",
            versions={"3.5.0": "4.4.1", "3.5.1": "4.4.4", "3.6.0": "4.4.8"},
            profiles=_carbon((_BPS_DB, _ACTIVITI_DB)),
            default_profile="default",
        ),
        Product(
            id="mb",
            label="Message Broker",
            archive_prefix="wso2mb",
            versions={"3.0.0": "4.4.2", "3.1.0": "4.4.3", "3.2.0": "4.4.16"},
            profiles=_carbon((_MB_DB,)),
            default_profile="default",
        ),
        Product(
            id="das",
            label="Data Analytics Server",
            archive_prefix="wso2das",
            versions={"3.0.1": "4.4.3", "3.1.0": "4.4.9", "3.2.0": "4.4.26"},
            profiles=_carbon((_DAS_EVENT_DB, _DAS_PROCESSED_DB)),
            default_profile="default",
            # CLUSTER44x "Minimum High Availability Deployment for WSO2 DAS 3.1.0"; the stock
            # spark-defaults.conf has carbon.spark.master.count 1 (carbon-analytics v1.3.25
            # features/analytics-processors/org.wso2.carbon.analytics.spark.server.feature).
            cluster_by_hand=(
                "the tree shares its analytics stores, registry and users, but DAS's "
                "active/passive processing is set by hand on every node, as WSO2's minimum "
                "high-availability guide for DAS does it: the HA mode in "
                "repository/conf/event-processor.xml (each node's own host under it, the "
                "Distributed mode off) and carbon.spark.master.count 2 in "
                "repository/conf/analytics/spark/spark-defaults.conf"
            ),
        ),
        Product(
            id="greg",
            label="Governance Registry",
            archive_prefix="wso2greg",
            versions={
                "5.0.0": "4.4.1",
                "5.1.0": "4.4.1",
                "5.2.0": "4.4.5",
                "5.3.0": "4.4.7",
                "5.4.0": "4.4.14",
            },
            profiles=_carbon(),
            default_profile="default",
        ),
    )
}

# The node-local registry and the files every Carbon node keeps it in.
LOCAL_DATASOURCE = "WSO2_CARBON_DB"
LOCAL_JNDI = "jdbc/WSO2CarbonDB"
LOCAL_DBCONFIG = "wso2registry"
GOVERNANCE_PATH = "/_system/governance"
CONFIG_PATH = "/_system/config"

# Port layout of every 4.4.x product before the offset is applied.
HTTPS_PORT = 9443
HTTP_PORT = 9763
# API Manager's gateway (HTTPS pass-through transport in axis2.xml, shifted by the offset):
# the key manager's RevokeAPIURL names it (AM260 "Configuring WSO2 IS as a Key Manager").
HTTPS_NIO_PORT = 8243
DEFAULT_LB_PORT = 443
# Identity Server's embedded LDAP, as IS 5.7.0's user-mgt.xml names it.
EMBEDDED_LDAP_URL = "ldap://localhost:${Ports.EmbeddedLDAP.LDAPServerPort}"
# Ports every 4.4.x product opens, all shifted by the offset (carbon.xml, catalina-server.xml).
CARBON_PORTS = {"HTTPS": 9443, "HTTP": 9763, "JMX RMI registry": 9999, "JMX RMI server": 11111}
HIGHEST_DEFAULT_PORT = 11111  # RMIServerPort in carbon.xml; the offset must keep it <= 65535
MAX_OFFSET = 65535 - HIGHEST_DEFAULT_PORT
DEFAULT_MEMBER_PORT = 4000  # Hazelcast localMemberPort; Carbon does not shift it by the offset


def default_config_target(product_id: str, profile: str | None) -> str:
    """Each product cluster gets its own config partition, stable as products are added."""
    product = PRODUCTS[product_id]
    if profile and profile != product.default_profile:
        return f"/_system/{product_id}-{profile}-config"
    return f"/_system/{product_id}config"
