"""A product cluster's answers: the product, its nodes, its own databases and, for Identity
Server, the primary user store (an external LDAP among them).

Checks that need only the product's catalog entry live here (versions, profiles, which
product databases it takes); what spans products is the topology's (wizard.model.checks).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from wizard import fields
from wizard.catalog import DEFAULT_MEMBER_PORT, MAX_OFFSET, PRODUCTS, ProductId, UserStoreKind
from wizard.catalog import Product as CatalogProduct
from wizard.model.base import Home, Host, NonEmptyText, Port, Strict
from wizard.model.database import NO_PASSWORD, TWO_PASSWORDS, DatabaseSpec
from wizard.problems import Problem, Problems


class LdapStore(Strict):
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
            raise Problems([Problem("password", NO_PASSWORD)])
        if self.password is not None and self.password_env is not None:
            raise Problems([Problem("password_env", TWO_PASSWORDS)])
        return self


class Node(Strict):
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


class Product(Strict):
    id: ProductId
    version: str
    profile: str | None = None
    """EI 6.x only: integrator (default), business-process or broker."""
    distribution: Annotated[str, AfterValidator(fields.check_local_path)] | None = None
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
    one node; with more than one node and BPMN in use, the nodes must share ACTIVITI_DB.
    Identity Server's BPS_DS (its workflow engine) may be left out on one node only; IS as
    Key Manager's, always (catalog `ProductDatabase.optional_for`)."""
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
            required = {db.key for db in profile.required_for(len(self.nodes))}
            for key in self.databases:
                if key not in wanted:
                    needed = sorted(k if k in required else f"{k} (optional)" for k in wanted)
                    hint = f"; it needs: {', '.join(needed)}" if wanted else ""
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
