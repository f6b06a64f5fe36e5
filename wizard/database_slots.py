"""The databases the answers need, with the name and user to suggest for each.

Both front ends ask for exactly these: the registry database (shared layout) or the config
and governance databases (split), the user-management database, a product's own config
database (split only), and the product databases its profile uses (WSO2AM_DB, ...). Nothing
here asks a question or loads the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DatabaseSlot:
    path: str
    """Where its table goes in the answers, e.g. `database.registry`."""
    label: str
    """What both front ends call it: the Database step's card title, and the subject of
    the prompt mode's questions ("User management", "API Manager · WSO2AM_DB", "API
    Manager · own config registry"); `wizard.questions` adds the field ("... database
    name:")."""
    name: str
    """The database name to suggest."""
    user: str
    """The user to suggest."""
    optional: bool = False
    """The answers may leave it out (ACTIVITI_DB: BPMN then stays on each node's own H2;
    Identity Server's BPS_DS on a lone node; catalog `ProductDatabase.left_out` says when
    that is right)."""
    shared_by_default: bool = True
    """For an optional database: offered shared (the BPMN database of a cluster), or local
    (a lone Identity Server node's BPS_DS, IS as Key Manager's): what Enter takes in both
    front ends, and whether the Database step adds its table before it is asked."""


ROLES: dict[str, tuple[str, str, str]] = {
    "registry": ("Registry (config + governance)", "WSO2_REG_DB", "wso2reg"),
    "config": ("Config registry", "WSO2_CONFIG_DB", "wso2config"),
    "governance": ("Governance registry", "WSO2_GOV_DB", "wso2gov"),
    "user_management": ("User management", "WSO2_UM_DB", "wso2um"),
}
"""role -> (label, suggested name, suggested user) of the shared databases."""


def role_slot(role: str) -> DatabaseSlot:
    label, name, user = ROLES[role]
    return DatabaseSlot(f"database.{role}", label, name, user)


def config_database_slot(product: Mapping[str, Any], pi: int) -> DatabaseSlot:
    """The own config database of the product at position `pi` (split layout)."""
    from wizard.catalog import PRODUCTS

    product_id = str(product.get("id", "product"))
    known = PRODUCTS.get(product_id)
    # Two EI profiles are two clusters: the profile keeps their databases apart.
    key = product_id
    profile = product.get("profile")
    if known is not None and profile and profile != known.default_profile:
        key = f"{product_id}_{profile}".replace("-", "_")
    return DatabaseSlot(
        f"products[{pi}].config_database",
        f"{known.label if known else product_id} · own config registry",
        f"WSO2_{key.upper()}_CONFIG_DB",
        f"wso2{key.replace('_', '')}config",
    )


def needed(data: Mapping[str, Any], roles_only: bool = False) -> list[DatabaseSlot]:
    """Every database the answers need, in the order the operator is asked for them;
    `roles_only` leaves out the product databases (WSO2AM_DB, ...)."""
    from wizard.catalog import PRODUCTS

    db = data.get("database")
    db = db if isinstance(db, Mapping) else {}
    found = data.get("products")
    products = [p for p in found if isinstance(p, Mapping)] if isinstance(found, list) else []
    split = db.get("layout", "shared") == "split"
    out = []
    if not split:
        out.append(role_slot("registry"))
    else:
        if any(not isinstance(p.get("config_database"), Mapping) for p in products):
            out.append(role_slot("config"))
        out.append(role_slot("governance"))
    out.append(role_slot("user_management"))
    for pi, product in enumerate(products):
        known = PRODUCTS.get(str(product.get("id")))
        if known is None:
            continue
        if split and isinstance(product.get("config_database"), Mapping):
            out.append(config_database_slot(product, pi))
        if roles_only:
            continue
        profile = product.get("profile") or known.default_profile
        if profile not in known.profiles:
            continue
        for pdb in known.profiles[profile].databases:
            out.append(
                DatabaseSlot(
                    f"products[{pi}].databases.{pdb.key}",
                    f"{known.label} · {pdb.key}",
                    pdb.default_name,
                    pdb.default_user,
                    pdb.optional_for(nodes := _node_count(product)),
                    pdb.shared_by_default and not (pdb.optional_alone and nodes < 2),
                )
            )
    return out


def _node_count(product: Mapping[str, Any]) -> int:
    nodes = product.get("nodes")
    return len(nodes) if isinstance(nodes, list) else 0


def label_of(data: Mapping[str, Any], path: str) -> str:
    """The label of the database whose table is at `path` (e.g. a password's database);
    the path itself for one the answers do not need."""
    return next((slot.label for slot in needed(data) if slot.path == path), path)
