"""Topology checks of the databases that need the whole topology: which database each
product's config partition is in (layout 'split'), and whether Secure Vault can carry every
typed password. Beside wizard.model.checks, which runs them with the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard import fields
from wizard.problems import Problem, join_path

if TYPE_CHECKING:
    from wizard.model.topology import Topology


def split_databases(topology: Topology) -> list[Problem]:
    """Layout 'split': each config database is another database than governance (on Oracle,
    another user: each user is its own schema), as check's rule 20 reads the files."""
    governance = topology.database.governance
    if topology.database.layout != "split" or governance is None:
        return []
    problems = []
    seen: set[str] = set()
    gov_key = topology.physical_key(governance)
    for pi, product in enumerate(topology.products):
        if product.config_database is None and topology.database.config is None:
            continue  # no config database at all: product_databases says so
        role, spec = topology.config_spec(product)
        path = (
            "database.config" if role == "config" else join_path("products", pi, "config_database")
        )
        if path in seen or topology.physical_key(spec) != gov_key:
            continue
        seen.add(path)
        host, port = topology.server_of(spec)
        what = "user" if topology.database.engine == "oracle" else "name"
        problems.append(
            Problem(
                join_path(path, what),
                f"layout 'split' keeps config and governance in two databases, but this is the "
                f"governance database ({spec.name} on {host}:{port}); give it its own {what}, "
                "or use layout 'shared'",
            )
        )
    return problems


def vault_passwords(topology: Topology) -> list[Problem]:
    """With Secure Vault on, every typed datasource password must survive the cipher tool:
    said at the password, not found later while the files are written."""
    if not topology.cluster.secure_vault:
        return []
    problems = []
    for path, spec in topology.database_specs():
        problem = fields.vault_password_problem(spec.password)
        if problem is not None:
            problems.append(Problem(join_path(path, "password"), problem))
    return problems
