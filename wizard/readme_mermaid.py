"""The topology as a Mermaid flowchart for the tree's README: products and their nodes, the
databases, which registry partition each product mounts from where, and which cluster
validates tokens for which. The Git hosts operators keep runbooks in draw it as a picture;
`topology.txt` holds the same facts as text."""

from __future__ import annotations

import re

from wizard.plan import DatabasePlan, NodePlan, Plan

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def diagram(plan: Plan) -> list[str]:
    """The README lines of a ```mermaid block (with the fences)."""
    lines = ["```mermaid", "flowchart LR"]
    firsts: dict[str, NodePlan] = {}
    for node in plan.nodes:
        firsts.setdefault(node.product_key, node)
    for key, first in firsts.items():
        title = f"{first.product_label} {first.version} ({key})"
        lines.append(f'  subgraph {_id("p", key)}["{_label(title)}"]')
        for node in plan.nodes:
            if node.product_key == key:
                text = f"{node.id}<br/>{node.host}:{node.https_port}"
                lines.append(f'    {_id("n", node.id)}["{_label(text)}"]')
        lines.append("  end")
    for db in plan.databases:
        text = f"{db.name}<br/>{db.host}:{db.port}"
        lines.append(f'  {_id("d", db.key)}[("{_label(text)}")]')
    for key, first in firsts.items():
        for label, db in _uses(plan, first):
            lines.append(f'  {_id("p", key)} -- "{_label(label)}" --> {_id("d", db.key)}')
    for link in plan.key_managers:
        lines.append(
            f"  {_id('p', link.api_manager)} -. "
            f'"{_label("keys and tokens: " + link.key_manager_url)}" .-> '
            f"{_id('p', link.key_manager)}"
        )
    lines.append("```")
    return lines


def _uses(plan: Plan, node: NodePlan) -> list[tuple[str, DatabasePlan]]:
    """(edge label, database) for what every node of `node`'s product uses."""
    by_jndi = {db.jndi_name: db for db in plan.databases if db.jndi_name}
    config = {c.name: c.datasource for c in node.registry.db_configs}
    instances = {r.id: r.db_config for r in node.registry.remote_instances}
    out: list[tuple[str, DatabasePlan]] = []
    for mount in node.registry.mounts:
        db = by_jndi[config[instances[mount.instance_id]]]
        out.append((f"{mount.path} → {mount.target_path}", db))
    out.append(("users and permissions", by_jndi[node.realm_datasource]))
    for ds in node.datasources:
        db = plan.database(ds.database_key)
        if db.role == "product":
            out.append((ds.name, db))
    return out


def _id(kind: str, name: str) -> str:
    return f"{kind}_{_UNSAFE.sub('_', name)}"


def _label(text: str) -> str:
    # Inside a quoted Mermaid label a double quote ends it; Mermaid's entity code stands in.
    return text.replace('"', "#quot;")
