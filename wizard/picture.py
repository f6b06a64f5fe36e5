"""The topology as a text picture: products → nodes → databases, and what is mounted where.

The preview shows it and every tree carries it as topology.txt, so it must read well in a
plain terminal and a plain file: box-drawing characters only, no colour codes.
"""

from __future__ import annotations

import textwrap

from wizard.catalog import PRODUCTS
from wizard.plan import DatabasePlan, NodePlan, Plan

MIN_WIDTH = 40
"""The narrowest picture drawn: below it the wrapped lines would be mostly gutter."""


def render(plan: Plan, width: int | None = None) -> str:
    """The picture of `plan`. With `width` (a terminal's columns), every line fits in it:
    a long one is wrapped under its own gutter, the box's rows inside the box; without,
    lines are as long as they need (the preview scrolls sideways; topology.txt)."""
    top = plan.topology
    lines: list[str] = []
    title = f"{top.name} — {plan.engine.label}, registry layout '{top.database.layout}'"
    inner = None if width is None else max(width, MIN_WIDTH) - 4
    lines += _box([title] + ([top.description] if top.description else []), inner)
    lines.append("")
    for product in top.products:
        nodes = [n for n in plan.nodes if n.product_key == product.key]
        lines += _product(plan, nodes)
        lines.append("")
    for link in plan.key_managers:
        lines += [
            f"Tokens: {link.key_manager} is the key manager of {link.api_manager}",
            f"  {link.api_manager} ──► {link.key_manager_url}  (log-in and key validation)",
            f"  {link.key_manager} ──► {link.revoke_url}  (revocations clear the gateway cache)",
            "",
        ]
    lines += _databases(plan)
    lines.append("")
    lines += _legend()
    if width is not None:
        lines = [part for line in lines for part in _fit(line, max(width, MIN_WIDTH))]
    return "\n".join(lines).rstrip() + "\n"


# A gutter's characters as the wrapped part of its line continues them: the lines down the
# left side go on, the corners and branches do not.
_GUTTER = str.maketrans({"┌": "│", "├": "│", "└": " ", "─": " ", "■": " "})


def _fit(line: str, width: int) -> list[str]:
    """`line` in lines of at most `width` columns, each part under the line's gutter."""
    if len(line) <= width:
        return [line]
    body = line.lstrip("│├└┌─■ ")
    gutter = line[: len(line) - len(body)]
    follow = gutter.translate(_GUTTER) + "  "
    return textwrap.wrap(
        body,
        width,
        initial_indent=gutter,
        subsequent_indent=follow,
        break_on_hyphens=False,
        drop_whitespace=True,
    ) or [line[:width]]


def _product(plan: Plan, nodes: list[NodePlan]) -> list[str]:
    first = nodes[0]
    head = f"{first.product_label} {first.version}"
    if first.profile not in ("default",):
        head += f" ({first.profile} profile)"
    out = [f"┌─ {head} · cluster '{first.product_key}' · {len(nodes)} node(s)"]
    if first.distribution:
        out.append(f"│  stock files: {first.distribution}")
    else:
        out.append(
            "│  stock files: built-in Carbon 4.4.x kernel baseline (no product-specific settings)"
        )
    for i, node in enumerate(nodes):
        branch = "└─" if i == len(nodes) - 1 else "├─"
        out.append(
            f"│  {branch} {node.id:<16} {node.host}  offset {node.offset} "
            f"(https {node.https_port}, http {node.http_port})"
        )
    out.append("│     every node mounts:")
    by_id = {ri.id: ri for ri in first.registry.remote_instances}
    jndi_by_config = {c.name: c.datasource for c in first.registry.db_configs}
    for mount in first.registry.mounts:
        instance = by_id[mount.instance_id]
        db = _db_for_jndi(plan, jndi_by_config[instance.db_config])
        out.append(
            f"│       {mount.path:<20} → {db.name}:{mount.target_path}  (via {db.jndi_name})"
        )
    out.append(f"│       {'/_system/local':<20} → node-local H2 (WSO2_CARBON_DB), never shared")
    um = _db_for_jndi(plan, first.realm_datasource)
    out.append(f"│     users and roles      → {_users(first, um)}")
    for ds in first.datasources:
        db = plan.database(ds.database_key)
        if db.role == "product":
            via = f"via {ds.jndi_name}" if ds.jndi_name else "by datasource name"
            out.append(f"│     {ds.name:<20} → {db.name}  ({via})")
    for key in _left_out(plan, first):
        # An optional product database the answers leave out (catalog `left_out`).
        out.append(f"│     {key:<20} → each node's own H2, as shipped: not shared")
    if first.load_balancer is not None:
        host, port = first.load_balancer
        out.append(f"│     reached through      → load balancer {host}:{port}")
    out.append("└" + "─" * 40)
    return out


def _left_out(plan: Plan, first: NodePlan) -> list[str]:
    """Keys of the optional product databases `first`'s cluster keeps on each node."""
    product = next(p for p in plan.topology.products if p.key == first.product_key)
    profile = PRODUCTS[product.id].profile(product.profile)
    nodes = len(product.nodes)
    return [
        db.key
        for db in profile.databases
        if db.optional_for(nodes) and db.key not in product.databases
    ]


def _users(node: NodePlan, um: DatabasePlan) -> str:
    store = node.user_store
    if store is not None and store.ldap is not None:
        return f"LDAP {store.ldap.url}; permissions in {um.name}"
    if store is not None and store.kind == "embedded-ldap":
        return f"the node's own embedded LDAP; permissions in {um.name}"
    jdbc = "; JDBC user store" if store is not None else ""
    return f"{um.name}  (via {um.jndi_name}{jdbc})"


def _databases(plan: Plan) -> list[str]:
    out = [f"Databases on {plan.engine.label}:"]
    for db in plan.databases:
        out.append(f"  ■ {db.name:<18} {db.host}:{db.port}  user {db.user}")
        out.append(f"      holds: {_holds(plan, db)}")
        out.append(f"      used by: {', '.join(db.products)} ({len(db.nodes)} node(s))")
    return out


def _holds(plan: Plan, db: DatabasePlan) -> str:
    if db.role == "registry":
        return "config partitions " + ", ".join(_targets(plan, db)) + " and /_system/governance"
    if db.role == "config":
        return "config partitions " + ", ".join(_targets(plan, db))
    if db.role == "governance":
        return "/_system/governance (shared by every product)"
    if db.role == "user_management":
        return "users, roles and permissions (shared by every node)"
    # WSO2's own description ("The datasource used for ..."), after "holds:" mid-line.
    return db.description[:1].lower() + db.description[1:]


def _targets(plan: Plan, db: DatabasePlan) -> list[str]:
    seen: dict[str, None] = {}
    for node in plan.nodes:
        if node.product_key in db.products:
            seen.setdefault(f"{node.config_target} ({node.product_key})")
    return list(seen)


def _db_for_jndi(plan: Plan, jndi: str) -> DatabasePlan:
    for db in plan.databases:
        if db.jndi_name == jndi:
            return db
    raise KeyError(jndi)


def _box(rows: list[str], inner: int | None = None) -> list[str]:
    """`rows` in a double-line box; with `inner`, rows wrapped to fit that many columns."""
    if inner is not None:
        rows = [part for row in rows for part in (textwrap.wrap(row, inner) or [""])]
    width = max(len(r) for r in rows)
    return (
        ["╔" + "═" * (width + 2) + "╗"]
        + [f"║ {r:<{width}} ║" for r in rows]
        + ["╚" + "═" * (width + 2) + "╝"]
    )


def _legend() -> list[str]:
    return [
        "Partitions: /_system/local stays on each node; /_system/config is shared by the",
        "nodes of one product (each product has its own target path); /_system/governance",
        "is shared by every product.",
    ]
