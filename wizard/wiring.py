"""What a product's nodes need beyond databases and registry mounts: the primary user store,
the product files that name the shared databases and each other (identity.xml,
consent-mgt-config.xml, api-manager.xml), and the load balancers in front of clusters.

Facts: WSO2's API Manager 2.6.0 guide "Configuring WSO2 Identity Server as a Key Manager"
(AM260), WSO2's own IS-as-KM clusters (docker-apim v2.6.0.1, kubernetes-apim v2.6.0.9
pattern-2), IS 5.7.0's user-store pages; see reference rules 32-36.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wizard import catalog
from wizard.catalog import PRODUCTS
from wizard.engines import url_host
from wizard.fields import split_load_balancer
from wizard.model import Product, Topology, resolved_password


@dataclass(frozen=True)
class LdapPlan:
    """The external LDAP every node's primary user store binds to."""

    url: str
    bind_dn: str
    password: str | None = field(repr=False)
    """Resolved bind password; None when its variable is unset (the plan is then a preview)."""
    password_env: str | None
    user_search_base: str
    group_search_base: str
    answers_path: str


@dataclass(frozen=True)
class UserStorePlan:
    """The node's primary (first active) UserStoreManager in user-mgt.xml."""

    kind: str
    """jdbc: JDBCUserStoreManager on the realm's (shared) datasource; ldap: a
    ReadWriteLDAPUserStoreManager on `ldap`; embedded-ldap: one on IS's own LDAP."""
    ldap: LdapPlan | None = None


@dataclass(frozen=True)
class ElementEdit:
    """One value the plan owns in a product file."""

    path: str
    """Element path below the root by local names, e.g. `AuthManager/ServerURL`; the last
    step may select by attribute: `Service/Connector[@port='9443']`."""
    value: str
    attribute: str | None = None
    """Set this attribute of the element instead of its text."""
    create: bool = False
    """Add the element (as the first child of its parent) when the stock file lacks it."""


@dataclass(frozen=True)
class FileEdits:
    """The values the plan sets in one product file, with why (the README lists them when
    the stock files at hand do not include the file)."""

    file: str
    """Relative to the node's conf dir, e.g. `identity/identity.xml`."""
    edits: tuple[ElementEdit, ...]
    why: str


@dataclass(frozen=True)
class KeyManagerLink:
    """Which cluster validates tokens for which, and through which URLs."""

    key_manager: str
    """Product cluster key of the key manager (is-km)."""
    api_manager: str
    key_manager_url: str
    """`https://<KM front>/services/`: API Manager's AuthManager and APIKeyValidator."""
    revoke_url: str
    """`https://<gateway front>/revoke`: the key manager clears the gateway's token cache."""
    gateway_url: str
    """`https://<gateway front>/services/`: the key manager's APIGateway environment."""


def _front(product: Product, port: int) -> tuple[str, int]:
    """Where other products reach `product`: its load balancer, else its first node at
    `port` plus that node's offset (the model refuses one node for a multi-node cluster)."""
    if product.load_balancer is not None:
        return split_load_balancer(product.load_balancer)
    first = product.nodes[0]
    return first.host, port + first.offset


def _https(host: str, port: int, path: str) -> str:
    return f"https://{url_host(host)}:{port}/{path}"


def key_manager_links(topology: Topology) -> tuple[KeyManagerLink, ...]:
    by_id = {p.id: p for p in topology.products}
    km, apim = by_id.get("is-km"), by_id.get("apim")
    if km is None or apim is None:
        return ()
    return (
        KeyManagerLink(
            key_manager=km.key,
            api_manager=apim.key,
            key_manager_url=_https(*_front(km, catalog.HTTPS_PORT), "services/"),
            revoke_url=_https(*_front(apim, catalog.HTTPS_NIO_PORT), "revoke"),
            gateway_url=_https(*_front(apim, catalog.HTTPS_PORT), "services/"),
        ),
    )


# AM260 "Configuring WSO2 Identity Server as a Key Manager": API Manager's side.
def _api_manager_edits(link: KeyManagerLink) -> FileEdits:
    return FileEdits(
        "api-manager.xml",
        (
            ElementEdit("AuthManager/ServerURL", link.key_manager_url),
            ElementEdit("APIKeyValidator/ServerURL", link.key_manager_url),
            # Thrift is the stock default; WSO2 recommends the web-service client for HA.
            ElementEdit("APIKeyValidator/KeyValidatorClientType", "WSClient"),
            ElementEdit("APIKeyValidator/EnableThriftServer", "false"),
        ),
        f"API Manager validates keys and logs users in through the key manager "
        f"({link.key_manager})",
    )


# The key manager's side: the same page, plus what WSO2's own IS-as-KM clusters turn off
# (docker-apim v2.6.0.1 and kubernetes-apim v2.6.0.9 pattern-2 api-manager.xml): no gateway
# of its own, no throttling publishers or policy deployers.
def _key_manager_edits(link: KeyManagerLink) -> FileEdits:
    off = [
        ElementEdit(f"ThrottlingConfigurations/{part}/Enabled", "false")
        for part in ("DataPublisher", "PolicyDeployer", "BlockCondition", "JMSConnectionDetails")
    ]
    return FileEdits(
        "api-manager.xml",
        (
            ElementEdit("GatewayType", "None"),
            ElementEdit("APIGateway/Environments/Environment/ServerURL", link.gateway_url),
            ElementEdit("OAuthConfigurations/RevokeAPIURL", link.revoke_url),
            *off,
        ),
        f"the key manager clears the gateway's token cache on revocation ({link.api_manager})",
    )


def _load_balancer_edits(host: str, port: int) -> tuple[FileEdits, ...]:
    # WSO2's clustering guide: the nodes advertise the balancer's name, and Tomcat's
    # connectors its ports (the HTTP connector's proxyPort is 80).
    return (
        FileEdits(
            "carbon.xml",
            (
                # Each is added as the root's first child when missing: MgtHostName first
                # leaves HostName above it.
                ElementEdit("MgtHostName", host, create=True),
                ElementEdit("HostName", host, create=True),
            ),
            "the nodes advertise the load balancer's host name",
        ),
        FileEdits(
            "tomcat/catalina-server.xml",
            (
                ElementEdit("Service/Connector[@port='9443']", str(port), attribute="proxyPort"),
                ElementEdit("Service/Connector[@port='9763']", "80", attribute="proxyPort"),
            ),
            "Tomcat builds its URLs with the load balancer's ports",
        ),
    )


def _identity_edits(jndi: str) -> tuple[FileEdits, ...]:
    return (
        FileEdits(
            "identity/identity.xml",
            (ElementEdit("JDBCPersistenceManager/DataSource/Name", jndi),),
            "OAuth tokens, sessions and the other identity data are shared by every node",
        ),
        FileEdits(
            "consent-mgt-config.xml",
            (ElementEdit("DataSource/Name", jndi),),
            "consents (the CM_* tables) are shared by every node",
        ),
    )


def file_edits(product: Product, links: tuple[KeyManagerLink, ...]) -> tuple[FileEdits, ...]:
    """The product files every node of `product` gets the plan's values in."""
    spec = PRODUCTS[product.id]
    edits: list[FileEdits] = []
    if spec.identity_jndi is not None:
        edits += _identity_edits(spec.identity_jndi)
    for link in links:
        if link.api_manager == product.key:
            edits.append(_api_manager_edits(link))
        if link.key_manager == product.key:
            edits.append(_key_manager_edits(link))
    if product.load_balancer is not None:
        edits += _load_balancer_edits(*split_load_balancer(product.load_balancer))
    return tuple(edits)


def user_store(
    topology: Topology, product: Product, env: Mapping[str, str]
) -> UserStorePlan | None:
    """Identity Server products get the store they chose. With an external LDAP every
    product uses it too: all nodes share one user-management database, so users must live
    in one store (AM260: the user store must be the same on API Manager and the KM)."""
    chosen = topology.ldap()
    if chosen is not None:
        path, ldap = chosen
        password = resolved_password(ldap, env)
        return UserStorePlan(
            "ldap",
            LdapPlan(
                url=ldap.url,
                bind_dn=ldap.bind_dn,
                password=password,
                password_env=ldap.password_env,
                user_search_base=ldap.user_search_base,
                group_search_base=ldap.group_search_base,
                answers_path=path,
            ),
        )
    kind = product.effective_user_store
    return UserStorePlan(kind) if kind is not None else None
