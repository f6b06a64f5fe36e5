"""What every node's files must say: its datasources, registry mounts, clustering, user
store and product-file edits (NodePlan and the records it holds), and how a product's
nodes are planned."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from wizard import catalog
from wizard.catalog import ENGINES, PRODUCTS
from wizard.fields import split_load_balancer
from wizard.model import Product, Topology
from wizard.plan.databases import DatabasePlan
from wizard.wiring import FileEdits, UserStorePlan, file_edits, key_manager_links, user_store


@dataclass(frozen=True)
class DatasourcePlan:
    """A datasource a node defines, in the datasources file that holds it."""

    file: str
    """Path relative to the node's conf dir, e.g. `datasources/master-datasources.xml`."""
    name: str
    jndi_name: str
    description: str
    url: str
    username: str
    password: str | None = field(repr=False)
    driver_class: str
    validation_query: str
    """For `auto_commit` (see `validation_query_for`)."""
    database_key: str
    auto_commit: bool = False
    """defaultAutoCommit of a datasource the stock file lacks; one the stock file defines
    keeps its own (render.datasources)."""
    engine: str | None = None
    """Engine id, so that the query can follow a stock file's defaultAutoCommit."""
    stock_pool: tuple[tuple[str, str], ...] = ()
    """The product's own pool settings beyond the kernel's, for a datasource the tree adds
    to a file without it (catalog `ProductDatabase.stock_pool`)."""

    def validation_query_for(self, auto_commit: bool) -> str:
        """The engine's validationQuery for a datasource whose defaultAutoCommit is
        `auto_commit` (PostgreSQL: `SELECT 1` with it on, `SELECT 1; COMMIT` with it off)."""
        if self.engine is None or auto_commit == self.auto_commit:
            return self.validation_query
        return ENGINES[self.engine].validation_query_for(auto_commit)


@dataclass(frozen=True)
class DbConfig:
    name: str
    datasource: str
    """JNDI name of the datasource."""


@dataclass(frozen=True)
class RemoteInstance:
    id: str
    db_config: str
    cache_id: str
    read_only: bool = False
    enable_cache: bool = True
    registry_root: str = "/"
    url: str = "https://localhost:9443/registry"
    """Not read for JDBC mounts; WSO2's examples carry it, so the file does too."""


@dataclass(frozen=True)
class Mount:
    path: str
    instance_id: str
    target_path: str
    overwrite: str = "true"


@dataclass(frozen=True)
class RegistryPlan:
    current_db_config: str
    db_configs: tuple[DbConfig, ...]
    """Shared dbConfigs only; the local one stays as the stock file has it."""
    remote_instances: tuple[RemoteInstance, ...]
    mounts: tuple[Mount, ...]


@dataclass(frozen=True)
class ClusterPlan:
    """axis2.xml clustering for one node: Hazelcast with well-known members."""

    domain: str
    """Hazelcast group: one per product cluster, so clusters never join each other."""
    local_member_host: str
    local_member_port: int
    members: tuple[tuple[str, int], ...]
    """Every node of the product cluster (this one included), as (host, member port)."""


@dataclass(frozen=True)
class NodePlan:
    id: str
    product: str
    """Product id (apim, is, ei, ...)."""
    product_key: str
    """Product cluster key (the id, plus the EI profile when not the default)."""
    product_label: str
    version: str
    profile: str
    host: str
    offset: int
    conf_dir: str
    """Conf folder relative to PRODUCT_HOME (`repository/conf`, EI: `conf`, `wso2/<p>/conf`)."""
    lib_dir: str
    distribution: str | None
    datasources: tuple[DatasourcePlan, ...]
    registry: RegistryPlan
    realm_datasource: str
    """JNDI name the realm's `dataSource` property points at (the shared UM database)."""
    config_target: str
    cluster: ClusterPlan | None = None
    """None when clustering is off."""
    write_offset: bool = True
    """Whether carbon.xml's Ports/Offset is written."""
    secure_vault: bool = False
    driver_jar: str | None = None
    """Jar on this machine to copy into the node's lib dir."""
    user_store: UserStorePlan | None = None
    """None: the stock file's primary user store is kept (its dataSource made shared)."""
    file_edits: tuple[FileEdits, ...] = ()
    """Product files (identity.xml, api-manager.xml, ...) and the values the plan sets."""
    load_balancer: tuple[str, int] | None = None
    """(host, port) of the cluster's load balancer, when one is named."""

    @property
    def https_port(self) -> int:
        return catalog.HTTPS_PORT + self.offset

    @property
    def http_port(self) -> int:
        return catalog.HTTP_PORT + self.offset

    def datasource_files(self) -> tuple[str, ...]:
        files = ["datasources/master-datasources.xml"]
        files += [d.file for d in self.datasources if d.file not in files]
        return tuple(files)

    def conf_path(self, relative: str) -> str:
        return f"{self.conf_dir}/{relative}"


def product_nodes(
    topology: Topology,
    product: Product,
    dbs: Mapping[str, DatabasePlan],
    env: Mapping[str, str],
) -> list[NodePlan]:
    """The plans of `product`'s nodes. Only a node's id, host, offset and member address
    are its own; the rest (registry, datasources, the member list) is worked out once and
    is one object on every node of the product."""
    if not product.nodes:
        return []
    members = tuple((n.host, n.effective_member_port) for n in product.nodes)
    first = product.nodes[0]
    shared = node_plan(
        topology,
        product,
        first.id,
        first.host,
        first.offset,
        first.effective_member_port,
        dbs,
        members,
        env,
    )
    out = [shared]
    for n in product.nodes[1:]:
        cluster = shared.cluster
        if cluster is not None:
            cluster = replace(
                cluster, local_member_host=n.host, local_member_port=n.effective_member_port
            )
        out.append(replace(shared, id=n.id, host=n.host, offset=n.offset, cluster=cluster))
    return out


def node_plan(
    topology: Topology,
    product: Product,
    node_id: str,
    host: str,
    offset: int,
    member_port: int,
    dbs: Mapping[str, DatabasePlan],
    members: tuple[tuple[str, int], ...],
    env: Mapping[str, str],
) -> NodePlan:
    spec = PRODUCTS[product.id]
    profile = spec.profile(product.profile)
    engine = topology.database.engine_spec
    config_key = topology.config_spec(product)[0]

    def datasource(
        db: DatabasePlan,
        file: str = "datasources/master-datasources.xml",
        stock_pool: tuple[tuple[str, str], ...] = (),
    ) -> DatasourcePlan:
        return DatasourcePlan(
            file=file,
            name=db.datasource_name,
            jndi_name=db.jndi_name,
            description=db.description,
            url=db.url,
            username=db.user,
            password=db.password,
            driver_class=engine.driver_class,
            validation_query=engine.validation_query_for(db.auto_commit),
            database_key=db.key,
            auto_commit=db.auto_commit,
            engine=engine.id,
            stock_pool=stock_pool,
        )

    if topology.database.layout == "shared":
        shared = dbs["registry"]
        registry_dbs = [shared]
        db_configs: tuple[DbConfig, ...] = (DbConfig("sharedregistry", shared.jndi_name),)
        instances: tuple[RemoteInstance, ...] = (
            RemoteInstance("sharedregistry", "sharedregistry", shared.cache_id),
        )
        gov_instance = conf_instance = "sharedregistry"
    else:
        conf, gov = dbs[config_key], dbs["governance"]
        registry_dbs = [conf, gov]
        db_configs = (
            DbConfig("configregistry", conf.jndi_name),
            DbConfig("govregistry", gov.jndi_name),
        )
        instances = (
            RemoteInstance("configregistry", "configregistry", conf.cache_id),
            RemoteInstance("govregistry", "govregistry", gov.cache_id),
        )
        conf_instance, gov_instance = "configregistry", "govregistry"

    config_target = product.effective_config_target
    registry = RegistryPlan(
        current_db_config=catalog.LOCAL_DBCONFIG,
        db_configs=db_configs,
        remote_instances=instances,
        mounts=(
            Mount(catalog.CONFIG_PATH, conf_instance, config_target),
            Mount(catalog.GOVERNANCE_PATH, gov_instance, catalog.GOVERNANCE_PATH),
        ),
    )
    um = dbs["user_management"]
    datasources = [datasource(db) for db in registry_dbs]
    datasources.append(datasource(um))
    for pdb in profile.databases:
        db = dbs.get(f"{product.key}:{pdb.key}")
        if db is not None:  # None: an optional database left out stays as the stock has it
            datasources.append(datasource(db, pdb.datasources_file, pdb.stock_pool))
    for owner, key in spec.borrows:
        datasources.append(datasource(dbs[f"{PRODUCTS[owner].id}:{key}"]))
    cluster = None
    options = topology.cluster
    if options.clustering:
        cluster = ClusterPlan(
            domain=f"wso2.{product.key}.domain",
            local_member_host=host,
            local_member_port=member_port,
            members=members,
        )
    return NodePlan(
        id=node_id,
        product=product.id,
        product_key=product.key,
        product_label=spec.label,
        version=product.version,
        profile=profile.name,
        host=host,
        offset=offset,
        conf_dir=profile.conf_dir,
        lib_dir=profile.lib_dir,
        distribution=product.distribution,
        datasources=tuple(datasources),
        registry=registry,
        realm_datasource=um.jndi_name,
        config_target=config_target,
        cluster=cluster,
        write_offset=options.port_offsets,
        secure_vault=options.secure_vault,
        driver_jar=options.driver_jar,
        user_store=user_store(topology, product, env),
        file_edits=file_edits(product, key_manager_links(topology)),
        load_balancer=(
            split_load_balancer(product.load_balancer) if product.load_balancer else None
        ),
    )
