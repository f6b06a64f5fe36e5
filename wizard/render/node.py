"""One node's files: every stock file the plan changes, patched, keyed by path under
PRODUCT_HOME (the node folder of the tree mirrors it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wizard.distribution import DistributionError, Stock
from wizard.plan import NodePlan
from wizard.render.axis2 import AXIS2_FILE, CARBON_FILE, cluster_files
from wizard.render.datasources import patch_datasources
from wizard.render.product_files import patch_product_file
from wizard.render.registry import patch_registry
from wizard.render.securevault import (
    CIPHER_TEXT,
    CIPHER_TOOL,
    SECRET_CONF,
    secure_rendered,
    vault_files,
)
from wizard.render.usermgt import patch_user_mgt

REGISTRY = "registry.xml"
USER_MGT = "user-mgt.xml"
"""Relative to the node's conf dir."""


def render_node(node: NodePlan, stock: Stock) -> dict[str, bytes]:
    """The node's patched files; raises DistributionError when a required stock file is
    missing and ValueError when a stock file cannot be patched (the message says which)."""
    files: dict[str, bytes] = {}
    path = node.conf_path(REGISTRY)
    with _patching(path):
        files[path] = patch_registry(_require(stock, path), node.registry)
    path = node.conf_path(USER_MGT)
    with _patching(path):
        files[path] = patch_user_mgt(_require(stock, path), node.realm_datasource, node.user_store)
    for file in node.datasource_files():
        path = node.conf_path(file)
        own = [ds for ds in node.datasources if ds.file == file]
        with _patching(path):
            files[path] = patch_datasources(stock.read(path), own)
    files.update(cluster_files(node, stock))
    for edits in node.file_edits:
        path = node.conf_path(edits.file)
        # carbon.xml may already carry the offset: the balancer's names go on top of it.
        base = files.get(path) or stock.read(path)
        if base is None:
            continue  # not in these stock files: the README gives the values to set by hand
        with _patching(path):
            files[path] = patch_product_file(base, edits)
    files = secure_rendered(node, files)
    files.update(vault_files(node, stock))
    if node.driver_jar:
        jar = Path(node.driver_jar).expanduser()
        try:
            files[f"{node.lib_dir}/{jar.name}"] = jar.read_bytes()
        except OSError as exc:
            raise DistributionError(
                f"cannot read the JDBC driver jar {jar}: {exc.strerror or exc}; fix "
                "cluster.driver_jar or leave it out (the README then says where to put the jar)"
            ) from exc
    return files


def stock_files(node: NodePlan, stock: Stock) -> dict[str, bytes]:
    """The stock version of every text file `render_node` writes, where the stock has one."""
    out: dict[str, bytes] = {}
    for path in render_node_paths(node):
        data = stock.read(path)
        if data is not None:
            out[path] = data
    return out


def render_node_paths(node: NodePlan) -> list[str]:
    """Paths of the stock files a node's render may change (not the driver jar)."""
    paths = [node.conf_path(REGISTRY), node.conf_path(USER_MGT)]
    paths += [node.conf_path(f) for f in node.datasource_files()]
    paths += [node.conf_path(f) for f in (AXIS2_FILE, CARBON_FILE)]
    paths += [node.conf_path(e.file) for e in node.file_edits if e.file != CARBON_FILE]
    paths += [node.conf_path(f) for f in (CIPHER_TOOL, CIPHER_TEXT, SECRET_CONF)]
    return paths


def _require(stock: Stock, path: str) -> bytes:
    data = stock.read(path)
    if data is None:
        raise DistributionError(
            f"{stock.label} has no {path}; point distribution at a complete PRODUCT_HOME or zip "
            "(or leave it out to use the built-in kernel baseline)"
        )
    return data


@contextmanager
def _patching(path: str) -> Iterator[None]:
    """A ValueError inside (a stock file the patcher cannot patch) names the file."""
    try:
        yield
    except ValueError as exc:
        raise DistributionError(f"cannot patch {path}: {exc}") from exc
