"""The plan's notes: what the operator should read that no file in the tree says (files
left alone without a distribution, scripts WSO2 does not ship, TLS left at its default)."""

from __future__ import annotations

from wizard.catalog import PRODUCTS
from wizard.model import Topology
from wizard.questions import TLS_QUESTION


def plan_notes(topology: Topology) -> tuple[str, ...]:
    notes = []
    for product in topology.products:
        spec = PRODUCTS[product.id]
        if spec.identity_jndi is not None and not product.distribution:
            notes.append(
                f"{spec.label} ({product.key}): no distribution was given, so identity.xml, "
                "consent-mgt-config.xml"
                + (" and api-manager.xml" if spec.id in ("apim", "is-km") else "")
                + " are not in the tree; the README lists the exact element and value to set "
                "in each, on every node."
            )
    for product in topology.products:
        spec = PRODUCTS[product.id]
        if spec.cluster_by_hand and len(product.nodes) > 1:
            notes.append(f"{spec.label} ({product.key}): {spec.cluster_by_hand}.")
    # Every product that keeps BPS_DS runs the same bpel create script (carbon-business-process
    # 4.4.x; ../shared/upstream/bps-3.6.0/SOURCES.md), Identity Server's workflow engine too.
    bpel = [p for p in topology.products if "BPS_DS" in p.databases]
    if topology.database.engine == "postgresql" and bpel:
        labels = ", ".join(dict.fromkeys(PRODUCTS[p.id].label for p in bpel))
        notes.append(
            f"{labels} (BPS_DS): the shipped bpel postgresql.sql uses type ABSTIME, which "
            "PostgreSQL 12 and later removed; it loads only on PostgreSQL 11 or older."
        )
    notes += _product_database_notes(topology)
    tls = tls_note(topology)
    if tls:
        notes.append(tls)
    return tuple(notes)


def _product_database_notes(topology: Topology) -> list[str]:
    """Optional product databases the answers leave out, and product databases WSO2 ships
    no schema script of for this engine."""
    engine = topology.database.engine_spec
    notes = []
    for product in topology.products:
        spec = PRODUCTS[product.id]
        for pdb in spec.profile(product.profile).databases:
            where = f"{spec.label} ({product.key})"
            if pdb.optional_for(len(product.nodes)) and pdb.key not in product.databases:
                many = len(product.nodes) > 1
                count = f"; this cluster has {len(product.nodes)} nodes" if many else ""
                notes.append(
                    f"{where}: {pdb.key} is left out, so {pdb.left_out} (add it on the "
                    f"Database step, or as [products.databases.{pdb.key}] of this product in "
                    f"an answers file){count}."
                )
            elif pdb.key in product.databases and engine.kind in pdb.unshipped:
                notes.append(
                    f"{where}: WSO2 ships no {engine.label} script for {pdb.key}, so the README "
                    "names none; create its tables before the first node starts (the "
                    "product's scripts for other engines show them)."
                )
    return notes


def tls_note(topology: Topology) -> str | None:
    """What the URLs leave TLS at, when that is the engine's default and not encrypted and
    checked; None when the answers chose (tls, or url_options of their own)."""
    db = topology.database
    engine = db.engine_spec
    if db.tls or db.url_options is not None:
        return None
    if engine.tls_url_options is None:
        return (
            f"{engine.label}: {engine.tls_default}. TLS takes more than URL options here: "
            "the README (Datasources: driver, TLS) says how to set it up."
        )
    return (
        f"{engine.label}: {engine.tls_default}. To encrypt and check the server's certificate, "
        f"turn on “{TLS_QUESTION}” on the Database step (tls = "
        f"true under [database] in an answers file): the URLs then carry "
        f"{engine.tls_url_options}, and each node needs the server's CA (README, "
        "Datasources: driver, TLS)."
    )
