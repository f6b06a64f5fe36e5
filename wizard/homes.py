"""PRODUCT_HOME on each node: where the tree's ansible/ puts the node's files.

A product's nodes share its `home` (by default /opt/wso2/<archive prefix>-<version>, the
folder its distribution unpacks to). Two nodes on one host are two running servers, though,
and cannot share one folder: the second and later ones get `<home>-<node id>` unless they
name their own `home`. An explicit node `home` that another node on its host also gets is
refused, naming the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.catalog import PRODUCTS
from wizard.problems import Problem, join_path

if TYPE_CHECKING:
    from wizard.model import Product, Topology

DEFAULT_ROOT = "/opt/wso2"


def default_home(product_id: str, version: str) -> str:
    return f"{DEFAULT_ROOT}/{PRODUCTS[product_id].archive_prefix}-{version}"


def product_home(product: Product) -> str:
    return product.home or default_home(product.id, product.version)


def node_homes(topology: Topology) -> dict[str, str]:
    """Node id -> its PRODUCT_HOME, in the topology's node order."""
    return {node_id: home for node_id, home, _ in _resolved(topology)}


def problems(topology: Topology) -> list[Problem]:
    """Two nodes on one host in one folder: blamed on the node whose `home` says so."""
    found: list[Problem] = []
    first: dict[tuple[str, str], str] = {}
    for node_id, home, (pi, ni, host, explicit) in _resolved(topology):
        other = first.setdefault((host, home), node_id)
        if other != node_id:
            where = ("nodes", ni, "home") if explicit else ("home",)
            found.append(
                Problem(
                    join_path("products", pi, *where),
                    f"node {node_id} would share PRODUCT_HOME {home} with node {other} on "
                    f"host {host}; two servers cannot run from one folder: give {node_id} "
                    "its own home",
                )
            )
    return found


def _resolved(
    topology: Topology,
) -> list[tuple[str, str, tuple[int, int, str, bool]]]:
    """(node id, home, (product index, node index, host, home given on the node))."""
    taken: set[tuple[str, str]] = {
        (node.host, node.home) for _, _, _, node in topology.nodes() if node.home
    }
    out = []
    for pi, ni, product, node in topology.nodes():
        if node.home:
            out.append((node.id, node.home, (pi, ni, node.host, True)))
            continue
        home = product_home(product)
        if (node.host, home) in taken:
            home = f"{home}-{node.id}"
        taken.add((node.host, home))
        out.append((node.id, home, (pi, ni, node.host, False)))
    return out
