"""Topology -> Plan: which databases exist, and what every node's files must say.

A pure function of the answers (and the environment, for `password_env`). The renderers,
the rules, the preview and the writer all read the same Plan; none of them decides a name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from wizard import catalog
from wizard.catalog import ENGINES, PRODUCTS, Engine
from wizard.fields import split_load_balancer
from wizard.model import DatabaseSpec, Product, Topology, resolved_password
from wizard.problems import AnswersError, Problem, join_path
from wizard.wiring import (
    FileEdits,
    KeyManagerLink,
    LdapPlan,
    UserStorePlan,
    file_edits,
    key_manager_links,
    user_store,
)

REDACTED = "********"

# Registry roles: the datasource and JNDI names each shared database gets on every node.
_ROLE_NAMES = {
    "registry": (
        "WSO2_SHARED_REG_DB",
        "jdbc/WSO2SharedRegDB",
        "The shared config and governance registry",
    ),
    "config": ("WSO2_CONFIG_REG_DB", "jdbc/WSO2ConfigRegDB", "The shared config registry"),
    "governance": ("WSO2_GOV_REG_DB", "jdbc/WSO2GovRegDB", "The shared governance registry"),
    "user_management": ("WSO2_UM_DB", "jdbc/WSO2UMDB", "The shared user management database"),
}

_PLACEHOLDER = re.compile(r"^(<.*>|change[-_ ]?me.*|placeholder|password)$", re.IGNORECASE)


@dataclass(frozen=True)
class DatabasePlan:
    key: str
    """`registry`, `config`, `governance`, `user_management`, `config:<product>` or
    `<product>:<datasource>` (e.g. `apim:WSO2AM_DB`)."""
    answers_path: str
    """Where the answers define it (`database.registry`, `products[0].databases.WSO2AM_DB`)."""
    role: str
    """registry | config | governance | user_management | product."""
    engine: str
    host: str
    port: int
    name: str
    user: str
    password: str | None = field(repr=False)
    """The resolved password; None when its variable is unset (the plan is then a preview)."""
    password_env: str | None
    url: str
    """JDBC URL exactly as the driver reads it (escaped once, by the XML writer)."""
    datasource_name: str
    jndi_name: str
    description: str
    products: tuple[str, ...]
    """Product cluster keys that use it."""
    nodes: tuple[str, ...]
    schema_scripts: tuple[str, ...]
    """WSO2 scripts to run on it, relative to PRODUCT_HOME, in order."""
    auto_commit: bool = False

    @property
    def physical_key(self) -> tuple[str, int, str, str]:
        schema = self.user.upper() if self.engine == "oracle" else ""
        return self.host, self.port, self.name, schema

    @property
    def cache_id(self) -> str:
        """`<user>@<url>`: the documented registry cacheId for a mount from this database."""
        return f"{self.user}@{self.url}"


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


@dataclass(frozen=True)
class Plan:
    topology: Topology
    engine: Engine
    databases: tuple[DatabasePlan, ...]
    nodes: tuple[NodePlan, ...]
    notes: tuple[str, ...] = ()
    """Things the operator should read (e.g. product-specific files the tree leaves alone)."""
    key_managers: tuple[KeyManagerLink, ...] = ()

    def database(self, key: str) -> DatabasePlan:
        for db in self.databases:
            if db.key == key:
                return db
        raise KeyError(key)

    def node(self, node_id: str) -> NodePlan:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    @property
    def missing_passwords(self) -> tuple[DatabasePlan, ...]:
        return tuple(db for db in self.databases if db.password is None)

    def redacted(self) -> Plan:
        """The same plan with every password replaced, for previews and logs."""
        # The nodes of a cluster define equal datasources (one tuple, see `_product_nodes`):
        # each distinct one is copied once, and each node's tuple once.
        hidden: dict[DatasourcePlan, DatasourcePlan] = {}
        tuples: dict[int, tuple[DatasourcePlan, ...]] = {}

        def redact(d: DatasourcePlan) -> DatasourcePlan:
            if d not in hidden:
                hidden[d] = replace(d, password=REDACTED)
            return hidden[d]

        def redacted(sources: tuple[DatasourcePlan, ...]) -> tuple[DatasourcePlan, ...]:
            # By identity: `self` keeps every tuple alive meanwhile, so no id is reused.
            if id(sources) not in tuples:
                tuples[id(sources)] = tuple(map(redact, sources))
            return tuples[id(sources)]

        stores: dict[UserStorePlan, UserStorePlan] = {}

        def store(s: UserStorePlan | None) -> UserStorePlan | None:
            if s is None or s.ldap is None:
                return s
            if s not in stores:
                stores[s] = replace(s, ldap=replace(s.ldap, password=REDACTED))
            return stores[s]

        return replace(
            self,
            databases=tuple(replace(db, password=REDACTED) for db in self.databases),
            nodes=tuple(
                replace(n, datasources=redacted(n.datasources), user_store=store(n.user_store))
                for n in self.nodes
            ),
        )

    @property
    def ldap(self) -> LdapPlan | None:
        for node in self.nodes:
            if node.user_store is not None and node.user_store.ldap is not None:
                return node.user_store.ldap
        return None


def build(topology: Topology, env: Mapping[str, str] | None = None) -> Plan:
    """The plan for `topology`; passwords from `password_env` are read from `env`."""
    env = env if env is not None else {}
    engine = topology.database.engine_spec
    databases = _databases(topology, engine, env)
    by_key = {db.key: db for db in databases}
    nodes: list[NodePlan] = []
    for product in topology.products:
        nodes += _product_nodes(topology, product, by_key, env)
    links = key_manager_links(topology)
    return Plan(topology, engine, databases, tuple(nodes), _notes(topology), links)


def _product_nodes(
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
    shared = _node(
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


def require_secrets(plan: Plan) -> None:
    """Refuse to write files without real passwords: unset variables and preset placeholders."""
    # Every secret the files hold: (answers path, password, its variable, whose it is).
    secrets = [(db.answers_path, db.password, db.password_env, db.user) for db in plan.databases]
    ldap = plan.ldap
    if ldap is not None:
        secrets.append((ldap.answers_path, ldap.password, ldap.password_env, ldap.bind_dn))
    problems = []
    for path, password, variable, who in secrets:
        if password is None:
            problems.append(
                Problem(
                    join_path(path, "password_env"),
                    f"environment variable {variable} is not set; "
                    f"export {variable}='...' (the password of {who}) and run again",
                )
            )
        elif _PLACEHOLDER.match(password):
            problems.append(
                Problem(
                    join_path(path, "password"),
                    f"'{password}' is a placeholder, not {who}'s password; "
                    "set the real one (or password_env) before generating",
                )
            )
    if problems:
        raise AnswersError(problems)


def _databases(
    topology: Topology, engine: Engine, env: Mapping[str, str]
) -> tuple[DatabasePlan, ...]:
    db = topology.database
    out: list[DatabasePlan] = []

    def users_of(predicate: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
        products = [p for p in topology.products if predicate(p)]  # type: ignore[operator]
        return (
            tuple(p.key for p in products),
            tuple(n.id for p in products for n in p.nodes),
        )

    def add(
        key: str,
        path: str,
        role: str,
        spec: DatabaseSpec,
        names: tuple[str, str, str],
        used: tuple[tuple[str, ...], tuple[str, ...]],
        scripts: tuple[str, ...],
        auto_commit: bool = False,
    ) -> None:
        host, port = topology.server_of(spec)
        password = resolved_password(spec, env)
        out.append(
            DatabasePlan(
                key=key,
                answers_path=path,
                role=role,
                engine=engine.id,
                host=host,
                port=port,
                name=spec.name,
                user=spec.user,
                password=password,
                password_env=spec.password_env,
                url=engine.url(host, port, spec.name, db.effective_url_options),
                datasource_name=names[0],
                jndi_name=names[1],
                description=names[2],
                products=used[0],
                nodes=used[1],
                schema_scripts=scripts,
                auto_commit=auto_commit,
            )
        )

    everyone = users_of(lambda p: True)
    kernel = (engine.kernel_script,)
    if db.layout == "shared":
        assert db.registry is not None
        add(
            "registry",
            "database.registry",
            "registry",
            db.registry,
            _ROLE_NAMES["registry"],
            everyone,
            kernel,
        )
    else:
        assert db.governance is not None
        on_common = users_of(lambda p: p.config_database is None)
        if on_common[0] and db.config is not None:
            add(
                "config",
                "database.config",
                "config",
                db.config,
                _ROLE_NAMES["config"],
                on_common,
                kernel,
            )
        for pi, product in enumerate(topology.products):
            if product.config_database is not None:
                suffix = product.key.upper().replace("-", "_")
                names = (
                    f"WSO2_CONFIG_REG_DB_{suffix}",
                    f"jdbc/WSO2ConfigRegDB_{suffix}",
                    f"The config registry of {product.key}",
                )
                add(
                    f"config:{product.key}",
                    join_path("products", pi, "config_database"),
                    "config",
                    product.config_database,
                    names,
                    users_of(lambda p, key=product.key: p.key == key),
                    kernel,
                )
        add(
            "governance",
            "database.governance",
            "governance",
            db.governance,
            _ROLE_NAMES["governance"],
            everyone,
            kernel,
        )
    add(
        "user_management",
        "database.user_management",
        "user_management",
        db.user_management,
        _ROLE_NAMES["user_management"],
        everyone,
        kernel,
    )
    for pi, product in enumerate(topology.products):
        profile = PRODUCTS[product.id].profile(product.profile)
        for pdb in profile.databases:
            spec = product.databases.get(pdb.key)
            if spec is None:
                continue  # an optional database left out (the model refuses other gaps)
            add(
                f"{product.key}:{pdb.key}",
                join_path("products", pi, "databases", pdb.key),
                "product",
                spec,
                (pdb.key, pdb.jndi_name, pdb.description),
                # IS as Key Manager shares API Manager's WSO2AM_DB (AM260).
                users_of(
                    lambda p, key=product.key, owner=product.id, db=pdb.key: (
                        p.key == key or (owner, db) in PRODUCTS[p.id].borrows
                    )
                ),
                # Paths in the profile's own dbscripts folder (EI: wso2/<profile>/dbscripts).
                profile.scripts(pdb, engine, product.version),
                pdb.auto_commit,
            )
    return tuple(out)


def _node(
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
        db: DatabasePlan, file: str = "datasources/master-datasources.xml"
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
        )

    if topology.database.layout == "shared":
        shared = dbs["registry"]
        registry_dbs = [shared]
        db_configs = (DbConfig("sharedregistry", shared.jndi_name),)
        instances = (RemoteInstance("sharedregistry", "sharedregistry", shared.cache_id),)
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
            datasources.append(datasource(db, pdb.datasources_file))
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


def _notes(topology: Topology) -> tuple[str, ...]:
    notes = []
    for product in topology.products:
        spec = PRODUCTS[product.id]
        if spec.identity_jndi is not None and not product.distribution:
            notes.append(
                f"{spec.label} ({product.key}): no distribution was given, so identity.xml, "
                "consent-mgt-config.xml"
                + (" and api-manager.xml" if spec.id in ("apim", "is-km") else "")
                + " are not in the tree; the README lists the exact element and value to set "
                "in each, on every node."
            )
    if topology.database.engine == "postgresql" and any(
        p.id == "bps" or p.profile == "business-process" for p in topology.products
    ):
        notes.append(
            "BPS 3.6.0 / EI business-process: the shipped bpel postgresql.sql uses type "
            "ABSTIME, which PostgreSQL 12 and later removed; it loads only on PostgreSQL 11 "
            "or older."
        )
    notes += _product_database_notes(topology)
    tls = tls_note(topology)
    if tls:
        notes.append(tls)
    return tuple(notes)


def _product_database_notes(topology: Topology) -> list[str]:
    """Optional product databases the answers leave out, and product databases WSO2 ships
    no schema script of for this engine."""
    engine = topology.database.engine_spec
    notes = []
    for pi, product in enumerate(topology.products):
        spec = PRODUCTS[product.id]
        for pdb in spec.profile(product.profile).databases:
            where = f"{spec.label} ({product.key})"
            if pdb.optional and pdb.key not in product.databases:
                many = len(product.nodes) > 1
                count = f"; this cluster has {len(product.nodes)} nodes" if many else ""
                notes.append(
                    f"{where}: {pdb.key} is left out, so {pdb.left_out} (add "
                    f"[products.databases.{pdb.key}] to products[{pi}]){count}."
                )
            elif pdb.key in product.databases and engine.kind in pdb.unshipped:
                notes.append(
                    f"{where}: WSO2 ships no {engine.label} script for {pdb.key}, so the README "
                    "names none; create its tables before the first node starts (the "
                    "product's scripts for other engines show them)."
                )
    return notes


def tls_note(topology: Topology) -> str | None:
    """What the URLs leave TLS at, when that is the engine's default and not encrypted and
    checked; None when the answers chose (tls, or url_options of their own)."""
    db = topology.database
    engine = db.engine_spec
    if db.tls or db.url_options is not None:
        return None
    if engine.tls_url_options is None:
        return (
            f"{engine.label}: {engine.tls_default}. TLS takes more than URL options here: "
            "the README (Datasources: driver, TLS) says how to set it up."
        )
    return (
        f"{engine.label}: {engine.tls_default}. To encrypt and check the server's certificate, "
        f"set tls = true under [database]: the URLs then carry {engine.tls_url_options} "
        "(the README says what each node then needs)."
    )
