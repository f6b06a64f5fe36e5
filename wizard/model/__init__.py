"""The Topology: every answer the operator gives, validated.

One schema serves presets, `--answers` files, sessions and the `topology.toml` written into
each tree. Field validators check single values; the `after` validators check what spans
fields, and name every field they blame.

The tables live by subject: `base` (the strict table and typed values), `database` (the
[database] section and one database's answers), `products` (a product cluster, its nodes
and user store), `topology` (the whole file) and `checks` (what spans the topology). Every
public name is importable from here.
"""

from __future__ import annotations

from wizard.model.base import Home, Host, NonEmptyText, Port, SystemName, Text
from wizard.model.database import (
    ORACLE_PASSWORD_MAX,
    DatabaseSection,
    DatabaseSpec,
    resolved_password,
)
from wizard.model.products import LdapStore, Node, Product
from wizard.model.topology import SCHEMA_VERSION, Cluster, Fleet, Topology

__all__ = [
    "ORACLE_PASSWORD_MAX",
    "SCHEMA_VERSION",
    "Cluster",
    "DatabaseSection",
    "DatabaseSpec",
    "Fleet",
    "Home",
    "Host",
    "LdapStore",
    "Node",
    "NonEmptyText",
    "Port",
    "Product",
    "SystemName",
    "Text",
    "Topology",
    "resolved_password",
]
