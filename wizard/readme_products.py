"""The README's product step: the primary user store, the product files that name the shared
databases and each other (identity.xml, consent-mgt-config.xml, api-manager.xml), the load
balancers, and what the operator still does by hand. Values come from the plan; where the
stock files at hand lack a file, the exact element and value to set are listed instead."""

from __future__ import annotations

from collections.abc import Callable

from wizard.plan import NodePlan, Plan
from wizard.wiring import FileEdits

STORE_TEXT = {
    "jdbc": "`JDBCUserStoreManager` on the realm's datasource (`{um}`): users and roles live "
    "in the shared user-management database, so every node sees them",
    "ldap": "`ReadWriteLDAPUserStoreManager` on `{url}` (bind DN `{bind}`): every node "
    "reads and writes the same directory",
    "embedded-ldap": "`ReadWriteLDAPUserStoreManager` on the node's own embedded LDAP, as "
    "Identity Server ships it (one node, sharing users with nobody)",
}


def section(plan: Plan, number: int, has_file: Callable[[NodePlan, str], bool]) -> list[str]:
    """Step `number`, or nothing when the plan wires no product file and no user store.
    `has_file(node, path)` says whether the tree holds that node file (patched)."""
    clusters = _clusters(plan)
    if not any(n.file_edits or n.user_store for n in clusters):
        return []
    out = [f"### {number}. Users, identity data, key manager and load balancers", ""]
    for first in clusters:
        out += _cluster(plan, first, has_file)
    out += _load_balancers(plan, clusters)
    out += _by_hand(plan)
    return out


def _clusters(plan: Plan) -> list[NodePlan]:
    seen: dict[str, NodePlan] = {}
    for node in plan.nodes:
        seen.setdefault(node.product_key, node)
    return list(seen.values())


def _cluster(plan: Plan, first: NodePlan, has_file: Callable[[NodePlan, str], bool]) -> list[str]:
    nodes = [n.id for n in plan.nodes if n.product_key == first.product_key]
    out = [
        f"**{first.product_label} {first.version}** (`{first.product_key}`: {', '.join(nodes)})",
        "",
    ]
    if first.user_store is not None:
        um = plan.database("user_management")
        ldap = first.user_store.ldap
        text = STORE_TEXT[first.user_store.kind].format(
            um=um.jndi_name,
            url=ldap.url if ldap else "",
            bind=ldap.bind_dn if ldap else "",
        )
        out.append(f"- Primary user store in `{first.conf_dir}/user-mgt.xml`: {text}.")
    for edits in first.file_edits:
        path = first.conf_path(edits.file)
        if has_file(first, path):
            out.append(f"- `{path}` is in the node folders, patched: {edits.why}.")
        else:
            out += _by_element(path, edits)
    out.append("")
    return out


def _by_element(path: str, edits: FileEdits) -> list[str]:
    out = [
        f"- **Set by hand** in `<PRODUCT_HOME>/{path}` on every node (these stock files do not "
        f"include it): {edits.why}."
    ]
    for edit in edits.edits:
        target = (
            f"attribute `{edit.attribute}` of `{edit.path}`" if edit.attribute else f"`{edit.path}`"
        )
        add = " (add the element if it is commented out)" if edit.create else ""
        out.append(f"  - {target} = `{edit.value}`{add}")
    return out


def _load_balancers(plan: Plan, clusters: list[NodePlan]) -> list[str]:
    fronted = [n for n in clusters if n.load_balancer is not None]
    if not fronted:
        return []
    out = ["**Load balancers** (set them up before the first start):", ""]
    for first in fronted:
        assert first.load_balancer is not None
        host, port = first.load_balancer
        members = ", ".join(
            f"{n.host}:{n.https_port}" for n in plan.nodes if n.product_key == first.product_key
        )
        out.append(
            f"- `{host}:{port}` → {first.product_key} ({members}), HTTPS with sticky sessions "
            f"for the management console; the nodes advertise `{host}` (carbon.xml "
            "`HostName`/`MgtHostName`) and Tomcat's connectors its ports (`proxyPort`)."
        )
    for link in plan.key_managers:
        out.append(
            f"- The key manager calls `{link.revoke_url}` on revocation and "
            f"`{link.gateway_url}` for the gateways: route `/revoke` to the gateways' HTTPS "
            "pass-through port (8243 + offset) and `/services/` to their 9443 + offset."
        )
    out.append("")
    return out


def _by_hand(plan: Plan) -> list[str]:
    out: list[str] = []
    for link in plan.key_managers:
        out += [
            "**Still by hand** (WSO2's API Manager 2.6.0 guide, “Configuring WSO2 Identity "
            "Server as a Key Manager”):",
            "",
            f"- Import each {link.key_manager} node's public certificate into every "
            f"{link.api_manager} node's `repository/resources/security/client-truststore.jks` "
            "(and the other way round when the host names are your own), or API Manager logs "
            "PKIX errors when it calls the key manager.",
            f"- When {link.key_manager} starts, ERRORs about missing "
            "`repository/resources/customsequences/{in,out,fault}` are harmless.",
            "",
        ]
    ldap = plan.ldap
    if ldap is not None:
        out += [
            f"**LDAP**: `{ldap.url}` must be up before the first start, with "
            f"`{ldap.user_search_base}` and `{ldap.group_search_base}`, and `{ldap.bind_dn}` "
            "allowed to read and write both (the store is read-write). Every node binds to "
            "it, so each must reach it.",
            "",
        ]
    return out
