"""Per node, per file: stock -> planned -> deployed, for `carbon-wizard check --deployed`.

Planned is the tree's `nodes/<node>/` file; deployed is what `collect` fetched into
`deployed/<node>/`; stock is the product's own file, read again from the distribution the
answers name (or the built-in kernel baseline). What a node has that neither the stock nor the
plan has was changed by hand there; the difference from the plan is shown as a diff with every
password masked (`wizard.redact`).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wizard import answers, output
from wizard.distribution import Stock, open_stock
from wizard.fleet import read_files
from wizard.plan import build
from wizard.redact import holds_secret, redact, secret_values, text_of
from wizard.render.node import stock_files

_INDENT = "      "


@dataclass(frozen=True)
class FileView:
    node: str
    path: str
    """Relative to the node folder (= PRODUCT_HOME)."""
    planned: bytes
    deployed: bytes | None
    """None: not on the node."""
    stock: bytes | None
    """None: the stock has no such file, or (`stock_known` false) the stock is unknown."""
    stock_known: bool

    @property
    def as_planned(self) -> bool:
        return self.deployed == self.planned

    def stock_to_planned(self) -> str:
        if not self.stock_known:
            return "stock unknown"
        if self.stock is None:
            return "new file"
        return "as stock" if self.stock == self.planned else "patched"

    def planned_to_deployed(self) -> str:
        if self.deployed is None:
            return "missing on the node"
        if self.as_planned:
            return "as planned"
        if self.stock is not None and self.deployed == self.stock:
            return "still the stock file (not pushed)"
        return "changed on the node"

    def diff(self) -> str:
        """planned -> deployed, passwords masked; "" when they are equal."""
        if self.deployed is None or self.as_planned:
            return ""
        if self.path.endswith(".jar"):
            sizes = f"{len(self.planned)} bytes planned, {len(self.deployed)} deployed"
            return f"{_INDENT}(binary: {sizes})\n"
        planned, deployed = text_of(self.planned), text_of(self.deployed)
        # A password the plan set may be pasted anywhere on the node: masked wherever it is.
        known = secret_values(planned)
        lines = difflib.unified_diff(
            redact(planned, known).splitlines(keepends=True),
            redact(deployed, known).splitlines(keepends=True),
            f"planned: nodes/{self.node}/{self.path}",
            f"deployed: {output.DEPLOYED}/{self.node}/{self.path}",
        )
        text = "".join(
            _INDENT + line if line.endswith("\n") else f"{_INDENT}{line}\n" for line in lines
        )
        if not text:
            return f"{_INDENT}(differs only in a secret value, not shown)\n"
        return text


def views(tree: Path) -> tuple[list[FileView], list[str]]:
    """Every file of every node folder of the tree, and notes on what could not be read."""
    tree = Path(tree)
    notes: list[str] = []
    stocks = _stock_files(tree, notes)
    deployed_root = tree / output.DEPLOYED
    out: list[FileView] = []
    nodes_dir = tree / "nodes"
    for node in sorted(p.name for p in nodes_dir.iterdir() if p.is_dir()):
        planned = read_files(nodes_dir / node)
        deployed = read_files(deployed_root / node) if (deployed_root / node).is_dir() else {}
        if not deployed:
            notes.append(f"{node}: nothing was collected (not in the last collect's --limit?)")
        node_stock = stocks.get(node)
        for path in sorted(planned):
            out.append(
                FileView(
                    node,
                    path,
                    planned[path],
                    deployed.get(path),
                    node_stock.get(path) if node_stock is not None else None,
                    node_stock is not None,
                )
            )
    return out, notes


def _stock_files(tree: Path, notes: list[str]) -> dict[str, Mapping[str, bytes]]:
    """Node id -> its stock files, from the answers in topology.toml; a node whose stock
    cannot be read is left out, with a note."""
    try:
        topology = answers.load(tree / "topology.toml")
        plan = build(topology, os.environ)  # passwords are not needed for the stock files
    except Exception as exc:  # an unreadable topology.toml: the view goes on without stock
        notes.append(f"stock files unknown: topology.toml does not load ({exc})")
        return {}
    out: dict[str, Mapping[str, bytes]] = {}
    opened: dict[str, Stock] = {}
    for product in topology.products:
        try:
            opened[product.key] = open_stock(product.distribution)
        except Exception as exc:  # DistributionError, OSError: a moved zip
            notes.append(f"{product.key}: stock files unknown: {exc}")
    for node in plan.nodes:
        stock = opened.get(node.product_key)
        if stock is not None:
            out[node.id] = stock_files(node, stock)
    return out


def report(found: list[FileView], notes: list[str]) -> str:
    """The three-way view as text: one line per file, a masked diff under each file a node
    has changed."""
    lines: list[str] = []
    node = None
    for view in found:
        if view.node != node:
            node = view.node
            drifted = sum(1 for v in found if v.node == node and not v.as_planned)
            state = f"{drifted} file(s) differ from the tree" if drifted else "as planned"
            lines.append(f"{node}: {state}")
        secret = " (holds passwords)" if holds_secret(view.planned, view.path) else ""
        lines.append(
            f"  {view.path}{secret}: stock -> planned: {view.stock_to_planned()}; "
            f"planned -> deployed: {view.planned_to_deployed()}"
        )
        diff = view.diff()
        if diff:
            lines.append(diff.rstrip("\n"))
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines) + "\n" if lines else ""
