"""The Topology: every answer the operator gives, validated.

One schema serves presets, `--answers` files, sessions and the `topology.toml` written into
each tree. Field validators check single values; the `after` validators check what spans
fields, and name every field they blame.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from wizard import fields, homes
from wizard.catalog import (
    CARBON_PORTS,
    DEFAULT_MEMBER_PORT,
    ENGINES,
    MAX_OFFSET,
    PRODUCTS,
    Engine,
    EngineId,
    ProductId,
    UserStoreKind,
)
from wizard.catalog import Product as CatalogProduct
from wizard.engines import connection
from wizard.problems import Problem, Problems, join_path

Host = Annotated[str, AfterValidator(fields.check_host)]
Port = Annotated[int, AfterValidator(fields.check_port)]
Home = Annotated[str, AfterValidator(fields.check_home)]
SystemName = Annotated[str, AfterValidator(fields.check_system_name)]
Text = Annotated[str, AfterValidator(fields.check_xml_text)]
NonEmptyText = Annotated[str, AfterValidator(fields.check_non_empty_text)]

SCHEMA_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class DatabaseSpec(_Strict):
    """One database: its name, the user WSO2 logs in with, and where the password comes from."""

    name: str
    """Database name (Oracle: the service name; the user is the schema)."""
    user: str
    password: Annotated[str, AfterValidator(fields.check_password)] | None = Field(
        default=None, repr=False
    )
    """Literal password. Kept out of topology.toml and, unless asked, out of sessions."""
    password_env: Annotated[str, AfterValidator(fields.check_env_name)] | None = None
    """Environment variable that holds the password when the tree is generated."""
    host: Host | None = None
    """Server of this database when it is not the [database] host."""
    port: Port | None = None

    @model_validator(mode="after")
    def _one_password_source(self) -> DatabaseSpec:
        if self.password is None and self.password_env is None:
            raise Problems([Problem("password", "give password or password_env")])
        if self.password is not None and self.password_env is not None:
            raise Problems([Problem("password_env", "give password or password_env, not both")])
        return self


class DatabaseSection(_Strict):
    engine: EngineId
    host: Host
    port: Port | None = None
    """Defaults to the engine's port (3306, 5432, 1521, 1433, 50000)."""
    layout: Literal["shared", "split"] = "shared"
    """shared: config and governance registry in one database; split: two databases."""
    url_options: Annotated[str, AfterValidator(fields.check_url_options)] | None = None
    """JDBC URL options; defaults to the engine's (e.g. autoReconnect=true&useSSL=false)."""
    jdbc_driver: Literal["mysql", "mariadb"] | None = None
    """Engine mariadb only: "mysql" (the default, as WSO2's 4.4.x guide has it:
    com.mysql.jdbc.Driver, jdbc:mysql:// URLs) or "mariadb" (MariaDB Connector/J,
    org.mariadb.jdbc.Driver, jdbc:mariadb:// URLs)."""
    tls: bool | None = None
    """true: URLs with the engine's TLS options (encrypt, and check the server's
    certificate). Not with url_options, which replace the engine's options entirely."""
    registry: DatabaseSpec | None = None
    config: DatabaseSpec | None = None
    governance: DatabaseSpec | None = None
    user_management: DatabaseSpec

    @property
    def engine_spec(self) -> Engine:
        """The engine, reached through the chosen driver (refused by validation where the
        engine offers no such choice)."""
        return connection(ENGINES[self.engine], self.jdbc_driver, False, None)[0]

    @property
    def effective_port(self) -> int:
        return self.port or self.engine_spec.default_port

    @property
    def effective_url_options(self) -> str:
        engine = ENGINES[self.engine]
        return connection(engine, self.jdbc_driver, bool(self.tls), self.url_options)[1]

    @model_validator(mode="after")
    def _driver_and_tls(self) -> DatabaseSection:
        engine = self.engine_spec
        problems: list[Problem] = []
        if self.jdbc_driver is not None and self.jdbc_driver not in engine.jdbc_drivers:
            problems.append(
                Problem(
                    "jdbc_driver",
                    'jdbc_driver only chooses how engine "mariadb" is reached (the MySQL '
                    f"driver or MariaDB Connector/J); {engine.label} has one driver, "
                    f"{engine.driver_class}: leave jdbc_driver out",
                )
            )
        if self.tls and engine.tls_url_options is None:
            problems.append(Problem("tls", engine.tls_how))
        elif self.tls and self.url_options is not None:
            # url_options replace the engine's options: which TLS options would win is
            # nobody's guess, so the operator writes them all in one place.
            problems.append(
                Problem(
                    "tls",
                    "tls = true writes the engine's TLS options into the URLs, and "
                    "url_options replaces the engine's options: give one of the two (for TLS "
                    f"and more options, put all of them in url_options, e.g. "
                    f"'{engine.tls_url_options}&...')",
                )
            )
        if problems:
            raise Problems(problems)
        return self

    @model_validator(mode="after")
    def _layout_databases(self) -> DatabaseSection:
        problems: list[Problem] = []
        if self.layout == "shared":
            if self.registry is None:
                problems.append(
                    Problem(
                        "registry",
                        "layout 'shared' keeps config and governance in one database; "
                        "add [database.registry] with name, user and password",
                    )
                )
            for extra in ("config", "governance"):
                if getattr(self, extra) is not None:
                    problems.append(
                        Problem(
                            extra,
                            f"[database.{extra}] belongs to layout 'split'; with layout "
                            "'shared' use [database.registry] only, or set layout = \"split\"",
                        )
                    )
        else:
            # [database.config] may be left out when every product has its own config
            # database; the topology checks that once it knows the products.
            if self.governance is None:
                problems.append(
                    Problem(
                        "governance",
                        "layout 'split' keeps config and governance in two databases; "
                        "add [database.governance] with name, user and password",
                    )
                )
            if self.registry is not None:
                problems.append(
                    Problem(
                        "registry",
                        "[database.registry] belongs to layout 'shared'; with layout 'split' "
                        "use [database.config] and [database.governance]",
                    )
                )
        engine = self.engine_spec
        for role in ("registry", "config", "governance", "user_management"):
            spec = getattr(self, role)
            if spec is not None:
                problems += _identifier_problems(spec, engine, role)
                problems += _password_problems(spec, engine, role)
        if problems:
            raise Problems(problems)
        return self


class LdapStore(_Strict):
    """An external LDAP or Active Directory that every node reaches: the primary user store."""

    url: Annotated[str, AfterValidator(fields.check_ldap_url)]
    """ldap://host:389 or ldaps://host:636."""
    bind_dn: NonEmptyText
    """The DN the nodes bind with (ConnectionName), e.g. uid=admin,ou=system."""
    password: Annotated[str, AfterValidator(fields.check_password)] | None = Field(
        default=None, repr=False
    )
    password_env: Annotated[str, AfterValidator(fields.check_env_name)] | None = None
    user_search_base: NonEmptyText
    """Where users live, e.g. ou=Users,dc=example,dc=com."""
    group_search_base: NonEmptyText
    """Where groups (roles) live, e.g. ou=Groups,dc=example,dc=com."""

    @model_validator(mode="after")
    def _one_password_source(self) -> LdapStore:
        if self.password is None and self.password_env is None:
            raise Problems([Problem("password", "give password or password_env")])
        if self.password is not None and self.password_env is not None:
            raise Problems([Problem("password_env", "give password or password_env, not both")])
        return self


class Node(_Strict):
    id: Annotated[str, AfterValidator(fields.check_node_id)]
    """Folder name of this node in the tree (nodes/<id>/); unique in the topology."""
    host: Host
    """Address the node is reached at; other nodes and the database see it by this name."""
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    """Carbon port offset: HTTPS 9443+offset, HTTP 9763+offset."""
    member_port: Port | None = None
    """Hazelcast localMemberPort; defaults to 4000 + offset so nodes on one host differ."""
    home: Home | None = None
    """PRODUCT_HOME on this node, when not its product's `home` (see wizard/homes.py)."""

    @property
    def effective_member_port(self) -> int:
        return self.member_port or DEFAULT_MEMBER_PORT + self.offset


class Cluster(_Strict):
    """Wiring beyond the databases; on by default where WSO2 recommends it."""

    clustering: bool = True
    """Hazelcast (wka) clustering in axis2.xml: registry caches stay coherent across nodes."""
    port_offsets: bool = True
    """Write each node's offset into carbon.xml (Ports/Offset)."""
    secure_vault: bool = False
    """Datasource passwords as Secure Vault aliases, encrypted on the node by ciphertool."""
    driver_jar: Annotated[str, AfterValidator(fields.check_driver_jar)] | None = None
    """The JDBC driver jar on this machine, copied into every node's lib folder."""


class Fleet(_Strict):
    """How the tree's ansible/ folder reaches the nodes ([fleet], optional)."""

    ansible: bool = True
    """Write ansible/ (inventory and playbooks) into the tree."""
    user: SystemName | None = None
    """The remote user Ansible logs in as; none: Ansible's own default (ssh config, you)."""
    owner: SystemName | None = None
    """Owner of the files pushed into PRODUCT_HOME; none: the remote user."""
    group: SystemName | None = None
    """Group of the files pushed into PRODUCT_HOME; none: the owner's."""


class Product(_Strict):
    id: ProductId
    version: str
    profile: str | None = None
    """EI 6.x only: integrator (default), business-process or broker."""
    distribution: str | None = None
    """Zip or extracted PRODUCT_HOME on this machine; its stock files are patched."""
    config_target: str | None = None
    """Where this product's config partition lives in the config database."""
    config_database: DatabaseSpec | None = None
    """Layout 'split' only: this product's own config database instead of [database.config]."""
    databases: dict[str, DatabaseSpec] = Field(default_factory=dict)
    """The product's own databases by datasource name (WSO2AM_DB, BPS_DS, ...). Every one
    its profile lists is required, but the optional ones: ACTIVITI_DB (BPMN, in Business
    Process Server and EI's business-process profile) may be left out, and BPMN data then
    stays in each node's own H2 file. That is right when no BPMN process is deployed, or on
    one node; with more than one node and BPMN in use, the nodes must share ACTIVITI_DB."""
    user_store: UserStoreKind | None = None
    """Identity Server only: the primary user store. jdbc (the default): users in the shared
    user-management database; ldap: an external LDAP every node reaches ([products.ldap]);
    embedded-ldap: IS's own LDAP, for one IS node that shares users with nobody."""
    ldap: LdapStore | None = None
    load_balancer: Annotated[str, AfterValidator(fields.check_load_balancer)] | None = None
    """`host[:port]` (443 when omitted) in front of this cluster's HTTPS port: other products
    reach the cluster through it, and carbon.xml / catalina-server.xml advertise it."""
    home: Home | None = None
    """PRODUCT_HOME on the nodes; default /opt/wso2/<archive prefix>-<version>."""
    nodes: list[Node] = Field(min_length=1)

    @property
    def effective_user_store(self) -> str | None:
        """The primary user store an Identity Server product gets; None for other products."""
        if not PRODUCTS[self.id].chooses_user_store:
            return None
        return self.user_store or "jdbc"

    @property
    def key(self) -> str:
        """Names this product cluster: the id, plus the profile when it is not the default."""
        product = PRODUCTS[self.id]
        if self.profile and self.profile != product.default_profile:
            return f"{self.id}-{self.profile}"
        return self.id

    @property
    def effective_config_target(self) -> str:
        from wizard.catalog import default_config_target

        return self.config_target or default_config_target(self.id, self.profile)

    @model_validator(mode="after")
    def _known_product(self) -> Product:
        product = PRODUCTS[self.id]
        problems: list[Problem] = []
        if self.version not in product.versions:
            known = ", ".join(product.versions)
            problems.append(
                Problem(
                    "version",
                    f"{product.label} has no Carbon 4.4.x version '{self.version}'; known: {known}",
                )
            )
        if self.profile is not None and self.profile not in product.profiles:
            if len(product.profiles) == 1:
                problems.append(
                    Problem("profile", f"{product.label} has no profiles; leave profile out")
                )
            else:
                problems.append(
                    Problem(
                        "profile",
                        f"'{self.profile}' is not a {product.label} profile; use one of "
                        + ", ".join(product.profiles),
                    )
                )
        problems += self._user_store_answers(product)
        if self.config_target is not None:
            try:
                fields.check_registry_path(self.config_target)
            except ValueError as exc:
                problems.append(Problem("config_target", str(exc)))
        if not problems:
            profile = product.profile(self.profile)
            wanted = {db.key for db in profile.databases}
            required = {db.key for db in profile.required_databases}
            for key in self.databases:
                if key not in wanted:
                    known = sorted(k if k in required else f"{k} (optional)" for k in wanted)
                    hint = f"; it needs: {', '.join(known)}" if wanted else ""
                    owner = next((o for o, b in product.borrows if b == key), None)
                    if owner is not None:
                        hint = f"; it uses {PRODUCTS[owner].label}'s {key}: remove this table"
                    problems.append(
                        Problem(
                            f"databases.{key}",
                            f"{product.label} has no product database '{key}'{hint}",
                        )
                    )
            # An optional database left out keeps its data on each node (catalog `left_out`).
            for key in sorted(required - set(self.databases)):
                problems.append(
                    Problem(
                        f"databases.{key}",
                        f"{product.label} keeps data in {key}, which its nodes must share; "
                        f"add [products.databases.{key}] with name, user and password",
                    )
                )
        if problems:
            raise Problems(problems)
        return self

    def _user_store_answers(self, product: CatalogProduct) -> list[Problem]:
        problems: list[Problem] = []
        if not product.chooses_user_store:
            if self.user_store is not None:
                problems.append(
                    Problem(
                        "user_store",
                        f"{product.label} keeps the primary user store its stock file has; "
                        "only Identity Server chooses one (an LDAP chosen there applies to "
                        "every product): leave user_store out",
                    )
                )
            if self.ldap is not None:
                problems.append(
                    Problem("ldap", f"{product.label} takes no [products.ldap]; leave it out")
                )
            return problems
        if self.effective_user_store == "ldap" and self.ldap is None:
            problems.append(
                Problem(
                    "ldap",
                    'user_store = "ldap" needs the LDAP server: add [products.ldap] with url, '
                    "bind_dn, password (or password_env), user_search_base, group_search_base",
                )
            )
        if self.effective_user_store != "ldap" and self.ldap is not None:
            problems.append(
                Problem(
                    "ldap",
                    f'[products.ldap] is only read with user_store = "ldap" (it is '
                    f'"{self.effective_user_store}"): remove it or set user_store = "ldap"',
                )
            )
        return problems


class Topology(_Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: Annotated[str, AfterValidator(fields.check_node_id)]
    """Short name of the plan (a session and file name), e.g. apim-prod."""
    description: Text = ""
    database: DatabaseSection
    cluster: Cluster = Field(default_factory=Cluster)
    products: list[Product] = Field(min_length=1)
    fleet: Fleet | None = None
    """[fleet]: Ansible in the tree; None means the defaults (ansible/ written)."""
    confirm: list[Annotated[str, AfterValidator(fields.check_answer_path)]] = Field(
        default_factory=list
    )
    """Answers a preset marks as site-specific (hosts, users): the wizard writes nothing until
    each is confirmed or changed. `generate` writes anyway, and names them."""

    def nodes(self) -> list[tuple[int, int, Product, Node]]:
        return [
            (pi, ni, product, node)
            for pi, product in enumerate(self.products)
            for ni, node in enumerate(product.nodes)
        ]

    def config_spec(self, product: Product) -> tuple[str, DatabaseSpec]:
        """The plan key and spec of the database that holds `product`'s config partition."""
        db = self.database
        if db.layout == "split" and product.config_database is not None:
            return f"config:{product.key}", product.config_database
        spec = db.registry if db.layout == "shared" else db.config
        if spec is None:
            raise ValueError(f"no config database for {product.key}")  # refused by validation
        return ("registry" if db.layout == "shared" else "config"), spec

    def server_of(self, spec: DatabaseSpec) -> tuple[str, int]:
        db = self.database
        return spec.host or db.host, spec.port or db.effective_port

    def physical_key(self, spec: DatabaseSpec) -> tuple[str, int, str, str]:
        """Two specs with one key are one database (on Oracle a schema is the database)."""
        host, port = self.server_of(spec)
        schema = spec.user.upper() if self.database.engine == "oracle" else ""
        return host, port, spec.name, schema

    @model_validator(mode="after")
    def _cross_checks(self) -> Topology:
        problems = (
            self._unique_products()
            + self._unique_nodes()
            + self._offsets_per_host()
            + self._product_databases()
            + self._config_targets()
            + self._same_user_same_password()
            + self._cluster_members()
            + self._shared_users()
            + self._key_manager()
            + self._loopback_databases()
            + homes.problems(self)
        )
        if problems:
            raise Problems(problems)
        return self

    def _unique_products(self) -> list[Problem]:
        seen: dict[str, int] = {}
        problems = []
        for pi, product in enumerate(self.products):
            if product.key in seen:
                problems.append(
                    Problem(
                        join_path("products", pi, "id"),
                        f"products[{seen[product.key]}] is already the {product.key} cluster; "
                        "put all its nodes in one [[products]] entry",
                    )
                )
            seen.setdefault(product.key, pi)
        return problems

    def _unique_nodes(self) -> list[Problem]:
        seen: dict[str, str] = {}
        problems = []
        for pi, ni, _product, node in self.nodes():
            path = join_path("products", pi, "nodes", ni, "id")
            if node.id in seen:
                problems.append(
                    Problem(
                        path,
                        f"node id '{node.id}' is already used at {seen[node.id]}; "
                        "node ids name folders and must be unique",
                    )
                )
            else:
                seen[node.id] = path
        return problems

    def _offsets_per_host(self) -> list[Problem]:
        """Nodes on one host must not share any Carbon port once their offsets are added."""
        placed: dict[str, list[Node]] = defaultdict(list)
        problems = []
        for pi, ni, _product, node in self.nodes():
            for other in placed[node.host]:
                clash = _port_clash(other, node)
                if clash is None:
                    continue
                used = {n.offset for n in placed[node.host]}
                free = next(
                    o
                    for o in range(MAX_OFFSET + 1)
                    if o not in used
                    and all(
                        _port_clash(n, node.model_copy(update={"offset": o})) is None
                        for n in placed[node.host]
                    )
                )
                problems.append(
                    Problem(
                        join_path("products", pi, "nodes", ni, "offset"),
                        f"nodes {other.id} (offset {other.offset}) and {node.id} (offset "
                        f"{node.offset}) are both on host {node.host} and {clash}; give "
                        f"{node.id} another offset (e.g. {free})",
                    )
                )
                break
            placed[node.host].append(node)
        return problems

    def _product_databases(self) -> list[Problem]:
        engine = self.database.engine_spec
        problems: list[Problem] = []
        for pi, product in enumerate(self.products):
            base = join_path("products", pi)
            split = self.database.layout == "split"
            if split and self.database.config is None and product.config_database is None:
                problems.append(
                    Problem(
                        "database.config",
                        f"layout 'split' needs a config database for {product.key}: add "
                        "[database.config] (shared by products without their own), or give "
                        f"products[{pi}] a [products.config_database]",
                    )
                )
            for key, spec in product.databases.items():
                problems += [
                    Problem(join_path(base, "databases", key, p.path), p.message)
                    for p in _identifier_problems(spec, engine, "")
                    + _password_problems(spec, engine, "")
                ]
            if product.config_database is not None:
                if self.database.layout != "split":
                    problems.append(
                        Problem(
                            join_path(base, "config_database"),
                            'a product\'s own config database needs layout = "split"; '
                            "with layout 'shared' config lives in [database.registry]",
                        )
                    )
                problems += [
                    Problem(join_path(base, "config_database", p.path), p.message)
                    for p in _identifier_problems(product.config_database, engine, "")
                    + _password_problems(product.config_database, engine, "")
                ]
        return problems

    def _config_targets(self) -> list[Problem]:
        by_db: dict[tuple[str, int, str, str], list[tuple[int, Product]]] = defaultdict(list)
        for pi, product in enumerate(self.products):
            try:
                spec = self.config_spec(product)[1]
            except ValueError:
                continue  # reported by _product_databases
            by_db[self.physical_key(spec)].append((pi, product))
        problems = []
        for sharing in by_db.values():
            for i, (pi, product) in enumerate(sharing):
                target = product.effective_config_target
                for pj, other in sharing[:i]:
                    other_target = other.effective_config_target
                    if target == other_target:
                        reason = "the same config target"
                    elif _nested(target, other_target):
                        reason = "nested config targets"
                    else:
                        continue
                    problems.append(
                        Problem(
                            join_path("products", pi, "config_target"),
                            f"{product.key} and {other.key} (products[{pj}]) share one config "
                            f"database with {reason} ({target} and {other_target}); each "
                            f"product needs its own partition, e.g. "
                            f"/_system/{product.key}config",
                        )
                    )
        return problems

    def _same_user_same_password(self) -> list[Problem]:
        """One user on one server cannot have two passwords."""
        seen: dict[tuple[str, int, str], tuple[str, str]] = {}
        problems = []
        for path, spec in self.database_specs():
            if spec.password is None:
                continue
            host, port = self.server_of(spec)
            key = (host, port, spec.user)
            if key in seen and seen[key][1] != spec.password:
                problems.append(
                    Problem(
                        join_path(path, "password"),
                        f"user {spec.user} on {host}:{port} already has another password at "
                        f"{seen[key][0]}; one user has one password: make them equal or "
                        "use another user",
                    )
                )
            seen.setdefault(key, (join_path(path, "password"), spec.password))
        return problems

    def _cluster_members(self) -> list[Problem]:
        if not self.cluster.clustering:
            return []
        problems = []
        seen: dict[tuple[str, int], str] = {}
        for pi, ni, _product, node in self.nodes():
            base = join_path("products", pi, "nodes", ni)
            if fields.is_loopback(node.host):
                problems.append(
                    Problem(
                        join_path(base, "host"),
                        f"{node.host} is a loopback address, which other cluster members "
                        "cannot reach; give the node's real address (or set "
                        "cluster.clustering = false)",
                    )
                )
            key = (node.host, node.effective_member_port)
            if key in seen:
                problems.append(
                    Problem(
                        join_path(base, "member_port"),
                        f"nodes {seen[key]} and {node.id} on host {node.host} both use "
                        f"cluster member port {key[1]}; give {node.id} another member_port",
                    )
                )
            seen.setdefault(key, node.id)
        return problems

    def _shared_users(self) -> list[Problem]:
        """Every node shares the user-management database, so users live in one store."""
        problems = []
        choosers = [(pi, p) for pi, p in enumerate(self.products) if p.effective_user_store]
        for pi, product in choosers:
            if product.effective_user_store != "embedded-ldap":
                continue
            others = [p.key for p in self.products if p is not product]
            if len(product.nodes) > 1 or others:
                who = (
                    f"its {len(product.nodes)} nodes would each keep their own users"
                    if len(product.nodes) > 1
                    else f"{', '.join(others)} would not see its users"
                )
                problems.append(
                    Problem(
                        join_path("products", pi, "user_store"),
                        f"embedded-ldap keeps users in the IS node's own LDAP: {who}. "
                        'Choose "jdbc" (users in the shared user-management database) or '
                        '"ldap" (an LDAP server every node reaches)',
                    )
                )
        stores = {(p.effective_user_store, p.ldap) for _, p in choosers}
        if len(stores) > 1:
            pi, product = choosers[-1]
            problems.append(
                Problem(
                    join_path("products", pi, "user_store"),
                    f"{product.key} and {choosers[0][1].key} share users but name different "
                    "user stores; give them the same user_store (and [products.ldap])",
                )
            )
        return problems

    def ldap(self) -> tuple[str, LdapStore] | None:
        """The external LDAP every node uses, with its answers path, when one is chosen."""
        for pi, product in enumerate(self.products):
            if product.effective_user_store == "ldap" and product.ldap is not None:
                return join_path("products", pi, "ldap"), product.ldap
        return None

    def _key_manager(self) -> list[Problem]:
        """IS as Key Manager serves the plan's API Manager: it uses its WSO2AM_DB, and the two
        reach each other through load balancers when a side has more than one node."""
        by_id = {p.id: (pi, p) for pi, p in enumerate(self.products)}
        problems: list[Problem] = []
        for pi, product in enumerate(self.products):
            for owner, key in PRODUCTS[product.id].borrows:
                if owner not in by_id:
                    problems.append(
                        Problem(
                            join_path("products", pi, "id"),
                            f"{PRODUCTS[product.id].label} keeps its data in "
                            f"{PRODUCTS[owner].label}'s {key} and validates its tokens: add "
                            f'the {owner} product to this plan (or use id = "is")',
                        )
                    )
        if "is-km" in by_id and "apim" in by_id:
            for pid, what in (
                ("is-km", "API Manager calls the key manager"),
                ("apim", "the key manager calls the gateway to revoke tokens"),
            ):
                pi, product = by_id[pid]
                if len(product.nodes) > 1 and product.load_balancer is None:
                    problems.append(
                        Problem(
                            join_path("products", pi, "load_balancer"),
                            f"{what}; with {len(product.nodes)} {pid} nodes a URL to one "
                            "node has no failover: name the load balancer in front of them "
                            f"(host or host:port, e.g. {pid}.example.com)",
                        )
                    )
        return problems

    def _loopback_databases(self) -> list[Problem]:
        """A loopback database host is each node's own machine: valid only when every node
        that uses the database runs on this machine too (reference §8 rule 38). The setup
        scripts and `carbon-wizard probe` also run here, so a single remote node does not
        make it right either."""
        away: dict[tuple[str, str], dict[str, None]] = {}
        for path, spec, nodes in self._database_users():
            host = spec.host or self.database.host
            if fields.is_loopback(host):
                field = join_path(path, "host") if spec.host else "database.host"
                remote = (n.host for n in nodes if not fields.is_loopback(n.host))
                away.setdefault((field, host), {}).update(dict.fromkeys(remote))
        problems = []
        for (field, host), hosts in away.items():
            if not hosts:
                continue
            listed = list(hosts)
            more = f" and {len(listed) - 3} more" if len(listed) > 3 else ""
            problems.append(
                Problem(
                    field,
                    f"{host} is a loopback address: each node would look for the database on "
                    f"its own machine, but the nodes that use it run on "
                    f"{', '.join(listed[:3])}{more}. Give the database server's host name or "
                    "IP address as the nodes reach it (e.g. db.example.com)",
                )
            )
        return problems

    def _database_users(self) -> list[tuple[str, DatabaseSpec, list[Node]]]:
        """Every database spec with its answers path and the nodes that use it."""
        everyone = [n for p in self.products for n in p.nodes]
        db = self.database
        out = [
            (f"database.{role}", spec, everyone)
            for role in ("registry", "governance", "user_management")
            if (spec := getattr(db, role)) is not None
        ]
        if db.config is not None:
            common = [n for p in self.products if p.config_database is None for n in p.nodes]
            out.append(("database.config", db.config, common))
        for pi, product in enumerate(self.products):
            if product.config_database is not None:
                path = join_path("products", pi, "config_database")
                out.append((path, product.config_database, list(product.nodes)))
            for key, spec in product.databases.items():
                # IS as Key Manager uses API Manager's WSO2AM_DB (catalog `borrows`).
                users = [
                    n
                    for p in self.products
                    if p is product or (product.id, key) in PRODUCTS[p.id].borrows
                    for n in p.nodes
                ]
                out.append((join_path("products", pi, "databases", key), spec, users))
        return out

    def database_specs(self) -> list[tuple[str, DatabaseSpec]]:
        """Every database spec with its path in the answers."""
        out: list[tuple[str, DatabaseSpec]] = []
        for role in ("registry", "config", "governance", "user_management"):
            spec = getattr(self.database, role)
            if spec is not None:
                out.append((f"database.{role}", spec))
        for pi, product in enumerate(self.products):
            if product.config_database is not None:
                out.append((join_path("products", pi, "config_database"), product.config_database))
            for key, spec in product.databases.items():
                out.append((join_path("products", pi, "databases", key), spec))
        return out


def _port_clash(a: Node, b: Node) -> str | None:
    """How two nodes on one host would collide on a Carbon port, or None."""
    if a.offset == b.offset:
        return f"share port offset {a.offset}, so every port clashes"
    for name_a, port_a in CARBON_PORTS.items():
        for name_b, port_b in CARBON_PORTS.items():
            if port_a + a.offset == port_b + b.offset:
                return f"{b.id}'s {name_b} port {port_b + b.offset} is {a.id}'s {name_a} port"
    return None


def _nested(a: str, b: str) -> bool:
    return a.startswith(b + "/") or b.startswith(a + "/")


def _identifier_problems(spec: DatabaseSpec, engine: Engine, prefix: str) -> list[Problem]:
    problems = []
    for what in ("name", "user"):
        message = fields.check_identifier(getattr(spec, what), engine, what)
        if message:
            problems.append(Problem(join_path(prefix, what), message))
    return problems


def _password_problems(spec: DatabaseSpec, engine: Engine, prefix: str) -> list[Problem]:
    if engine.kind != "oracle" or spec.password is None:
        return []
    path = join_path(prefix, "password")
    # Oracle quotes passwords with double quotes and has no escape for one inside.
    if '"' in spec.password:
        return [
            Problem(
                path, 'Oracle passwords cannot hold a double quote ("); choose another password'
            )
        ]
    if len(spec.password.encode("utf-8")) > ORACLE_PASSWORD_MAX:
        return [
            Problem(
                path,
                f"Oracle passwords are at most {ORACLE_PASSWORD_MAX} bytes; choose a shorter one",
            )
        ]
    return []


ORACLE_PASSWORD_MAX = 30


def resolved_password(spec: DatabaseSpec | LdapStore, env: Mapping[str, str]) -> str | None:
    """The password given, else the one its `password_env` names in `env` (None when unset:
    the plan is then a preview)."""
    if spec.password is not None:
        return spec.password
    return env.get(spec.password_env or "")
