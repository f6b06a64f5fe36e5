"""The Topology's checks that span fields: each takes the whole topology and returns the
problems it finds, every one at the field to change.

Kept apart from the Topology itself so that the table reads as its fields and queries; the
validator there runs `topology_problems`, which runs every check in a fixed order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from wizard import fields, homes
from wizard.catalog import CARBON_PORTS, MAX_OFFSET, PRODUCTS, ProductId
from wizard.model.database import identifier_problems, password_problems
from wizard.model.database_checks import split_databases, vault_passwords
from wizard.problems import Problem, join_path

if TYPE_CHECKING:
    from wizard.model.database import DatabaseSpec
    from wizard.model.products import Node, Product
    from wizard.model.topology import Topology


def topology_problems(topology: Topology) -> list[Problem]:
    """Every cross-field problem of `topology`, in the order the checks run."""
    return (
        unique_products(topology)
        + unique_nodes(topology)
        + offsets_per_host(topology)
        + product_databases(topology)
        + config_targets(topology)
        + same_user_same_password(topology)
        + vault_passwords(topology)
        + split_databases(topology)
        + cluster_members(topology)
        + shared_users(topology)
        + key_manager(topology)
        + loopback_databases(topology)
        + homes.problems(topology)
    )


def unique_products(topology: Topology) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for pi, product in enumerate(topology.products):
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


def unique_nodes(topology: Topology) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for pi, ni, product, node in topology.nodes():
        path = join_path("products", pi, "nodes", ni, "id")
        if node.id in seen:
            problems.append(
                Problem(
                    path,
                    f"node id '{node.id}' is already {seen[node.id]}'s; node ids name "
                    "folders and must be unique: give this node another",
                )
            )
        else:
            # Named as the screens show a node (its product, its place), not by its path.
            seen[node.id] = f"{PRODUCTS[product.id].label} node {ni + 1}"
    return problems


def offsets_per_host(topology: Topology) -> list[Problem]:
    """Nodes on one host must not share any Carbon port once their offsets are added."""
    placed: dict[str, list[Node]] = defaultdict(list)
    problems = []
    for pi, ni, _product, node in topology.nodes():
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


def product_databases(topology: Topology) -> list[Problem]:
    engine = topology.database.engine_spec
    problems: list[Problem] = []
    for pi, product in enumerate(topology.products):
        base = join_path("products", pi)
        split = topology.database.layout == "split"
        if split and topology.database.config is None and product.config_database is None:
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
                for p in identifier_problems(spec, engine, "") + password_problems(spec, engine, "")
            ]
        if product.config_database is not None:
            if topology.database.layout != "split":
                problems.append(
                    Problem(
                        join_path(base, "config_database"),
                        'a product\'s own config database needs layout = "split"; '
                        "with layout 'shared' config lives in [database.registry]",
                    )
                )
            problems += [
                Problem(join_path(base, "config_database", p.path), p.message)
                for p in identifier_problems(product.config_database, engine, "")
                + password_problems(product.config_database, engine, "")
            ]
    return problems


def config_targets(topology: Topology) -> list[Problem]:
    by_db: dict[tuple[str, int, str, str], list[tuple[int, Product]]] = defaultdict(list)
    for pi, product in enumerate(topology.products):
        try:
            spec = topology.config_spec(product)[1]
        except ValueError:
            continue  # reported by product_databases
        by_db[topology.physical_key(spec)].append((pi, product))
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


def same_user_same_password(topology: Topology) -> list[Problem]:
    """One user on one server cannot have two passwords."""
    seen: dict[tuple[str, int, str], tuple[str, str]] = {}
    problems = []
    for path, spec in topology.database_specs():
        if spec.password is None:
            continue
        host, port = topology.server_of(spec)
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


def cluster_members(topology: Topology) -> list[Problem]:
    if not topology.cluster.clustering:
        return []
    problems = []
    seen: dict[tuple[str, int], Node] = {}
    for pi, ni, _product, node in topology.nodes():
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
        other = seen.setdefault(key, node)
        if other is node:
            continue
        if node.member_port is None and other.member_port is None:
            continue  # one offset, so every port clashes: offsets_per_host says so, once
        # A member port left to its default (4000 + offset) is moved with the offset, the
        # one the full-screen wizard's node editor has; one given is changed where it is.
        key_name, fix = (
            ("offset", "another port offset")
            if node.member_port is None
            else ("member_port", "another member port")
        )
        problems.append(
            Problem(
                join_path(base, key_name),
                f"nodes {other.id} and {node.id} on host {node.host} both use cluster "
                f"member port {key[1]}; give {node.id} {fix}",
            )
        )
    return problems


def shared_users(topology: Topology) -> list[Problem]:
    """Every node shares the user-management database, so users live in one store."""
    problems = []
    choosers = [(pi, p) for pi, p in enumerate(topology.products) if p.effective_user_store]
    for pi, product in choosers:
        if product.effective_user_store != "embedded-ldap":
            continue
        others = [p.key for p in topology.products if p is not product]
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


def key_manager(topology: Topology) -> list[Problem]:
    """IS as Key Manager serves the plan's API Manager: it uses its WSO2AM_DB, and the two
    reach each other through load balancers when a side has more than one node."""
    by_id = {p.id: (pi, p) for pi, p in enumerate(topology.products)}
    problems: list[Problem] = []
    for pi, product in enumerate(topology.products):
        for owner, key in PRODUCTS[product.id].borrows:
            if owner not in by_id:
                problems.append(
                    Problem(
                        join_path("products", pi, "id"),
                        f"{PRODUCTS[product.id].label} keeps its data in "
                        f"{PRODUCTS[owner].label}'s {key} and validates its tokens: add "
                        f"{PRODUCTS[owner].label} to this plan (or choose "
                        f"{PRODUCTS['is'].label} instead)",
                    )
                )
    if "is-km" in by_id and "apim" in by_id:
        sides: tuple[tuple[ProductId, str], ...] = (
            ("is-km", "API Manager calls the key manager"),
            ("apim", "the key manager calls the gateway to revoke tokens"),
        )
        for pid, what in sides:
            pi, product = by_id[pid]
            if len(product.nodes) > 1 and product.load_balancer is None:
                problems.append(
                    Problem(
                        join_path("products", pi, "load_balancer"),
                        f"{what}; with {len(product.nodes)} {PRODUCTS[pid].label} nodes a "
                        "URL to one "
                        "node has no failover: name the load balancer in front of them "
                        f"(host or host:port, e.g. {pid}.example.com)",
                    )
                )
    return problems


def loopback_databases(topology: Topology) -> list[Problem]:
    """A loopback database host is each node's own machine: valid only when every node
    that uses the database runs on this machine too (reference §8 rule 38). The setup
    scripts and `carbon-wizard probe` also run here, so a single remote node does not
    make it right either."""
    away: dict[tuple[str, str], dict[str, None]] = {}
    for path, spec, nodes in _database_users(topology):
        host = spec.host or topology.database.host
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


def _database_users(topology: Topology) -> list[tuple[str, DatabaseSpec, list[Node]]]:
    """Every database spec with its answers path and the nodes that use it."""
    everyone = [n for p in topology.products for n in p.nodes]
    db = topology.database
    out = [
        (f"database.{role}", spec, everyone)
        for role in ("registry", "governance", "user_management")
        if (spec := getattr(db, role)) is not None
    ]
    if db.config is not None:
        common = [n for p in topology.products if p.config_database is None for n in p.nodes]
        out.append(("database.config", db.config, common))
    for pi, product in enumerate(topology.products):
        if product.config_database is not None:
            path = join_path("products", pi, "config_database")
            out.append((path, product.config_database, list(product.nodes)))
        for key, spec in product.databases.items():
            # IS as Key Manager uses API Manager's WSO2AM_DB (catalog `borrows`).
            users = [
                n
                for p in topology.products
                if p is product or (product.id, key) in PRODUCTS[p.id].borrows
                for n in p.nodes
            ]
            out.append((join_path("products", pi, "databases", key), spec, users))
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
