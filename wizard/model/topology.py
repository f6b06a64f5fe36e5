"""The Topology: the whole answers file, and the Cluster and Fleet options beside it.

Its queries (nodes, which database holds a product's config, which server a database is
on) are used by the plan as well as the checks; the checks themselves, which span fields
and name every field they blame, are wizard.model.checks.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, Field, ModelWrapValidatorHandler, model_validator

from wizard import fields
from wizard.model import checks
from wizard.model.base import Strict, SystemName, Text
from wizard.model.database import DatabaseSection, DatabaseSpec, engine_of
from wizard.model.products import LdapStore, Node, Product
from wizard.problems import Problems, join_path

SCHEMA_VERSION: Final = 1


class Cluster(Strict):
    """Wiring beyond the databases; on by default where WSO2 recommends it."""

    clustering: bool = True
    """Hazelcast (wka) clustering in axis2.xml: registry caches stay coherent across nodes."""
    port_offsets: bool = True
    """Write each node's offset into carbon.xml (Ports/Offset)."""
    secure_vault: bool = False
    """Datasource passwords as Secure Vault aliases, encrypted on the node by ciphertool."""
    driver_jar: Annotated[str, AfterValidator(fields.check_driver_jar)] | None = None
    """The JDBC driver jar on this machine, copied into every node's lib folder."""


class Fleet(Strict):
    """How the tree's ansible/ folder reaches the nodes ([fleet], optional)."""

    ansible: bool = True
    """Write ansible/ (inventory and playbooks) into the tree."""
    user: SystemName | None = None
    """The remote user Ansible logs in as; none: Ansible's own default (ssh config, you)."""
    owner: SystemName | None = None
    """Owner of the files pushed into PRODUCT_HOME; none: the remote user."""
    group: SystemName | None = None
    """Group of the files pushed into PRODUCT_HOME; none: the owner's."""


class Topology(Strict):
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

    @model_validator(mode="wrap")
    @classmethod
    def _engine_known(cls, data: Any, handler: ModelWrapValidatorHandler[Topology]) -> Topology:
        # A database's empty name is said in the engine's words (wizard.model.database).
        with engine_of(data):
            return handler(data)

    @model_validator(mode="after")
    def _cross_checks(self) -> Topology:
        problems = checks.topology_problems(self)
        if problems:
            raise Problems(problems)
        return self

    def ldap(self) -> tuple[str, LdapStore] | None:
        """The external LDAP every node uses, with its answers path, when one is chosen."""
        for pi, product in enumerate(self.products):
            if product.effective_user_store == "ldap" and product.ldap is not None:
                return join_path("products", pi, "ldap"), product.ldap
        return None

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
