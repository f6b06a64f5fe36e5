"""The databases a plan creates: one DatabasePlan per shared registry, user-management and
product database, with the names every node's datasource for it gets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wizard.catalog import PRODUCTS, Engine
from wizard.model import DatabaseSpec, Product, Topology, resolved_password
from wizard.problems import join_path

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


def plan_databases(
    topology: Topology, engine: Engine, env: Mapping[str, str]
) -> tuple[DatabasePlan, ...]:
    db = topology.database
    out: list[DatabasePlan] = []

    def users_of(products: list[Product]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The keys of `products` (in the plan's order) and the ids of their nodes."""
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

    everyone = users_of(topology.products)
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
        on_common = users_of([p for p in topology.products if p.config_database is None])
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
                    users_of([p for p in topology.products if p.key == product.key]),
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
                    [
                        p
                        for p in topology.products
                        if p.key == product.key or (product.id, pdb.key) in PRODUCTS[p.id].borrows
                    ]
                ),
                # Paths in the profile's own dbscripts folder (EI: wso2/<profile>/dbscripts).
                profile.scripts(pdb, engine, product.version),
                pdb.auto_commit,
            )
    return tuple(out)
