"""Rule 28 against a distribution (`carbon-wizard check DIR --distribution PATH`): every schema
script manifest.json tells the operator to run from a product's PRODUCT_HOME is in that
product's distribution (zip or PRODUCT_HOME), so that the README's commands find their files.

Reference §8 rule 28 asks that each product database get its product's scripts; the tree
cannot show what a database holds, but it can show that the scripts it names exist where the
README says to run them. The manifest's `scripts_from` names the product clusters whose
PRODUCT_HOME holds a database's scripts (the README's "From the PRODUCT_HOME of ..."); a
distribution is matched to the tree's clusters of its product (an Enterprise Integrator
distribution serves each of its profiles' clusters: one zip holds them all) and must be the
version the tree's nodes run. Only the manifest and the distribution are read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wizard import catalog
from wizard.distribution import DistributionError, Stock, detect, missing_scripts, open_stock
from wizard.rules.findings import Finding, Report
from wizard.rules.reading import MANIFEST
from wizard.rules.tree import manifest_data

RULE = 28


@dataclass(frozen=True)
class Distribution:
    """A distribution named on the command line, opened and identified."""

    path: str
    stock: Stock
    product: str
    version: str | None


def open_distribution(path: str) -> Distribution:
    """The distribution at `path`; DistributionError says why it cannot be read or whose it is
    not known (its name and bin/version.txt say no product)."""
    stock = open_stock(path)
    found = detect(path, stock)
    if found.product is None:
        raise DistributionError(
            f"{path}: which product it is cannot be told ({found.source}); give the product's "
            "own .zip or PRODUCT_HOME, named as WSO2 names it (e.g. wso2is-5.7.0)"
        )
    return Distribution(path, stock, found.product, found.version)


def check(files: Mapping[str, bytes], distributions: Sequence[Distribution]) -> list[Finding]:
    """Rule 28 findings: a script the manifest names that a distribution lacks. A distribution
    of no product (or version) of the tree raises DistributionError: the command was given
    the wrong file, and no finding about the tree would say so."""
    out = Report()
    raw = files.get(MANIFEST)
    try:
        data = manifest_data(raw) if raw is not None else {}
    except ValueError:
        return []  # rule 0 reports it
    if not isinstance(data, Mapping):
        return []  # rule 0 reports it
    nodes = _entries(data, "nodes")
    databases = {str(e.get("key")): e for e in _entries(data, "databases")}
    for dist in distributions:
        clusters = _clusters_of(dist, nodes)
        # (database key, script) -> the clusters whose PRODUCT_HOME should hold it; the same
        # reading of the manifest as the one `generate` makes for its README.
        lacking: dict[tuple[str, str], dict[str, list[str]]] = {}
        for cluster, ids in clusters.items():
            for key, scripts in missing_scripts(data, cluster, dist.stock).items():
                for script in scripts:
                    lacking.setdefault((key, script), {})[cluster] = ids
        for (key, script), served in lacking.items():
            message = _message(dist, script, databases.get(key, {"key": key}), served)
            out.add(RULE, "", MANIFEST, _where(key), message)
    return out.findings


def _clusters_of(dist: Distribution, nodes: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The tree's product clusters `dist` is the distribution of: key -> node ids."""
    label = catalog.PRODUCTS[dist.product].label
    clusters: dict[str, list[str]] = {}
    versions: dict[str, str] = {}
    for node in nodes:
        if node.get("product") != dist.product:
            continue
        key = str(node.get("product_key") or dist.product)
        clusters.setdefault(key, []).append(str(node.get("id")))
        if isinstance(node.get("version"), str):
            versions.setdefault(key, node["version"])
    if not clusters:
        present = sorted({str(n.get("product")) for n in nodes})
        named = ", ".join(catalog.PRODUCTS[p].label for p in present if p in catalog.PRODUCTS)
        raise DistributionError(
            f"{dist.path} is {label}, which no node of this tree runs (it has {named or 'none'}); "
            "give the distribution of a product of the tree"
        )
    wrong = {k: v for k, v in versions.items() if dist.version and v != dist.version}
    if wrong:
        runs = ", ".join(f"{k} runs {v}" for k, v in wrong.items())
        raise DistributionError(
            f"{dist.path} is {label} {dist.version}, but in this tree {runs}; give the "
            "distribution of the version the nodes run"
        )
    return clusters


def _message(
    dist: Distribution, script: str, entry: Mapping[str, Any], served: Mapping[str, list[str]]
) -> str:
    product = catalog.PRODUCTS[dist.product].label
    version = f" {dist.version}" if dist.version else ""
    where = f"{entry.get('name')} on {entry.get('host')}:{entry.get('port')}"
    homes = " and ".join(f"{key} ({', '.join(ids)})" for key, ids in served.items())
    return (
        f"{script} is not in {dist.path} ({product}{version}), yet README.md runs it from the "
        f"PRODUCT_HOME of {homes} to create the tables of {entry.get('key')} ({where}); check "
        "that this is the distribution those nodes run, or create the tables from one that "
        "holds the script"
    )


def _where(key: str) -> str:
    return f"databases[key='{key}']/schema_scripts"


def _entries(data: Any, name: str) -> list[Mapping[str, Any]]:
    found = data.get(name) if isinstance(data, Mapping) else None
    return [e for e in found if isinstance(e, Mapping)] if isinstance(found, list) else []
